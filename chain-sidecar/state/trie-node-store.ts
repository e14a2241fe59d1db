// The Merkle trie's nodes on disk: @ethereumjs/mpt's DB interface over an LMDB table, with writes held back until the
// block commits (so the nodes go to disk in the same transaction as the state) and a byte-bounded cache of hot nodes.
import type { MPTOpts } from "@ethereumjs/mpt";
import type { Database } from "lmdb";
import { LRUCache } from "lru-cache";
import type { TrieNodeAccess } from "./trie-batch-update.js";

/** The key-value interface @ethereumjs/mpt stores its nodes through (hex keys). */
type NodeDatabase = NonNullable<MPTOpts["db"]>;
type NodeOperation = Parameters<NodeDatabase["batch"]>[0][number];

/** LMDB table of trie nodes: key = the node's 32-byte hash, value = its RLP encoding. */
export type TrieNodeTable = Database<Uint8Array, Uint8Array>;

/** What the store needs of its table: LMDB's, or a Map for a trie held in memory. */
export interface NodeTable {
  get(key: Buffer): Uint8Array | undefined;
  putSync(key: Buffer, node: Uint8Array): unknown;
  removeSync(key: Buffer): unknown;
  doesExist(key: Buffer): boolean;
  getStats(): object;
}

/** Trie nodes in memory only (checks and tests). */
export class InMemoryNodeTable implements NodeTable {
  private readonly nodes = new Map<string, Uint8Array>();
  get(key: Buffer): Uint8Array | undefined {
    return this.nodes.get(key.toString("hex"));
  }
  putSync(key: Buffer, node: Uint8Array): void {
    this.nodes.set(key.toString("hex"), node);
  }
  removeSync(key: Buffer): void {
    this.nodes.delete(key.toString("hex"));
  }
  doesExist(key: Buffer): boolean {
    return this.nodes.has(key.toString("hex"));
  }
  getStats(): { entryCount: number } {
    return { entryCount: this.nodes.size };
  }
}

/** Bytes of trie nodes kept in memory; the top four levels of a 1M-key trie (~4,400 branch nodes) fit easily. */
export const DEFAULT_NODE_CACHE_BYTES = 32 * 1024 * 1024;
/** What an LRU entry costs beyond its bytes: the hex key string, the Uint8Array and the list slot. */
const ENTRY_OVERHEAD_BYTES = 200;

export class TrieNodeStore implements NodeDatabase, TrieNodeAccess {
  /** Node writes since the last commit, by hex key; null marks a node pruned from the trie. */
  private pending = new Map<string, Uint8Array | null>();
  private readonly cache: LRUCache<string, Uint8Array>;

  constructor(
    private readonly table: NodeTable,
    cacheBytes = DEFAULT_NODE_CACHE_BYTES,
  ) {
    this.cache = new LRUCache<string, Uint8Array>({
      maxSize: cacheBytes,
      sizeCalculation: (node) => node.length + ENTRY_OVERHEAD_BYTES,
    });
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.read(key));
  }

  /** A node by hex key: pending writes first, then the cache, then disk. */
  read(key: string): Uint8Array | undefined {
    const written = this.pending.get(key);
    if (written !== undefined) return written ?? undefined;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const stored = this.table.get(Buffer.from(key, "hex"));
    if (stored === undefined) return undefined;
    const node = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
    this.cache.set(key, node);
    return node;
  }

  put(key: string, value: string | Uint8Array): Promise<void> {
    this.pending.set(key, toBytes(value));
    return Promise.resolve();
  }

  /** A node by its hash, waiting for the next commit like `put`'s. */
  putNode(hash: Uint8Array, node: Uint8Array): void {
    this.pending.set(Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString("hex"), node);
  }

  del(key: string): Promise<void> {
    this.removeNode(key);
    return Promise.resolve();
  }

  /** Prunes a node by hex key at the next commit. */
  removeNode(key: string): void {
    this.pending.set(key, null);
  }

  batch(operations: NodeOperation[]): Promise<void> {
    for (const operation of operations) {
      if (operation.type === "put") this.pending.set(operation.key, toBytes(operation.value));
      else this.pending.set(operation.key, null);
    }
    return Promise.resolve();
  }

  shallowCopy(): NodeDatabase {
    return this;
  }

  open(): Promise<void> {
    return Promise.resolve();
  }

  /** Node writes and prunings waiting for the next commit. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Writes the pending nodes; call inside the LMDB write transaction that commits the block. */
  writePending(): void {
    // In key order, so a large block (a genesis, a restore) fills B-tree pages one after another.
    const sorted = [...this.pending].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [key, node] of sorted) {
      if (node === null) this.table.removeSync(Buffer.from(key, "hex"));
      else this.table.putSync(Buffer.from(key, "hex"), node);
    }
  }

  /** After the transaction committed: written nodes become cached, pruned ones leave the cache. */
  markWritten(): void {
    for (const [key, node] of this.pending) {
      if (node === null) this.cache.delete(key);
      else this.cache.set(key, node);
    }
    this.pending = new Map();
  }

  /** Forgets every write since the last commit (the trie goes back to its committed root). */
  discardPending(): void {
    this.pending = new Map();
  }

  /** Nodes on disk plus pending writes minus pending prunings. */
  count(): number {
    let count = (this.table.getStats() as { entryCount: number }).entryCount;
    for (const [key, node] of this.pending) {
      const onDisk = this.table.doesExist(Buffer.from(key, "hex"));
      if (node === null && onDisk) count--;
      else if (node !== null && !onDisk) count++;
    }
    return count;
  }
}

function toBytes(value: string | Uint8Array): Uint8Array {
  if (typeof value === "string")
    throw new Error("trie nodes are stored as bytes; open the trie with Bytes encoding");
  return value;
}
