// The Merkle trie's nodes on disk: an LMDB table keyed by each node's position in the trie, with writes held in memory
// until the store writes its tables (every few blocks, in the same transaction as the state) and a byte-bounded cache
// of hot nodes. Keys are 0x00 followed by the position's nibbles, one byte each, so a node sorts just before its subtree.
import type { Database } from "lmdb";
import { LRUCache } from "lru-cache";
import type { NodeWrite } from "./table-write.js";
import type { TrieNodeAccess } from "./trie-batch-update.js";
import { sha256 } from "./sha256.js";

/** LMDB table of trie nodes: key = the node's position, value = its RLP encoding. */
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
    return this.nodes.get(key.toString("latin1"));
  }
  putSync(key: Buffer, node: Uint8Array): void {
    this.nodes.set(key.toString("latin1"), node);
  }
  removeSync(key: Buffer): void {
    this.nodes.delete(key.toString("latin1"));
  }
  doesExist(key: Buffer): boolean {
    return this.nodes.has(key.toString("latin1"));
  }
  getStats(): { entryCount: number } {
    return { entryCount: this.nodes.size };
  }
}

/** Bytes of trie nodes kept in memory; the top four levels of a 1M-key trie (~4,400 branch nodes) fit easily. */
export const DEFAULT_NODE_CACHE_BYTES = 32 * 1024 * 1024;
/** What an LRU entry costs beyond its bytes: the key string, the Uint8Array and the list slot. */
const ENTRY_OVERHEAD_BYTES = 150;

/**
 * The table key of a position as latin1 text: 0x00 (LMDB keys cannot be empty, and the root's position is) then its
 * nibbles. Maps and the cache key on the text; the bytes are made only to reach the table.
 */
function tableName(position: Uint8Array): string {
  return `\x00${Buffer.from(position.buffer, position.byteOffset, position.byteLength).toString("latin1")}`;
}

export class TrieNodeStore implements TrieNodeAccess {
  /** Node writes since the last commit, by table key (latin1); null marks a position left empty. */
  private pending = new Map<string, Uint8Array | null>();
  /** Node writes of commits not yet written to the table: the blocks since the store last wrote its tables. */
  private unwritten = new Map<string, Uint8Array | null>();
  /** The node writes the table write in progress is making. */
  private writing: Map<string, Uint8Array | null> | undefined;
  private unwrittenNodeBytes = 0;
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

  /**
   * The node at `position` for an update: pending writes first, then unwritten commits, the cache, disk (checked
   * against `hash`). A node read from disk is not cached: the update replaces it, and the new node is cached once it
   * is written (caching the old one only churned the cache, and the garbage collector with it, at large states).
   */
  read(position: Uint8Array, hash?: Uint8Array): Uint8Array | undefined {
    const name = tableName(position);
    const written = this.pending.get(name);
    if (written !== undefined) return written ?? undefined;
    return this.readCommittedNode(name, position.length, hash, false);
  }

  /** The node at `position` as last committed, whatever was applied since (checked against `hash` from disk). */
  readCommitted(position: Uint8Array, hash?: Uint8Array): Uint8Array | undefined {
    return this.readCommittedNode(tableName(position), position.length, hash, true);
  }

  private readCommittedNode(
    name: string,
    depth: number,
    hash: Uint8Array | undefined,
    cacheIt: boolean,
  ): Uint8Array | undefined {
    const committed = this.unwritten.get(name);
    if (committed !== undefined) return committed ?? undefined;
    const beingWritten = this.writing?.get(name);
    if (beingWritten !== undefined) return beingWritten ?? undefined;
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const stored = this.table.get(Buffer.from(name, "latin1"));
    if (stored === undefined) return undefined;
    const node = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
    if (hash !== undefined && Buffer.compare(sha256(node), hash) !== 0) {
      throw new Error(
        `trie node at depth ${depth} does not hash to ${Buffer.from(hash).toString("hex")}: ` +
          "the data directory is damaged",
      );
    }
    if (cacheIt) this.cache.set(name, node);
    return node;
  }

  write(position: Uint8Array, _hash: Uint8Array, encoded: Uint8Array): void {
    this.pending.set(tableName(position), encoded);
  }

  remove(position: Uint8Array): void {
    this.pending.set(tableName(position), null);
  }

  /** The nodes written since the last commit (each was encoded and hashed once) and their encoded bytes. */
  pendingWrites(): { nodes: number; bytes: number } {
    let nodes = 0;
    let bytes = 0;
    for (const node of this.pending.values()) {
      if (node === null) continue;
      nodes++;
      bytes += node.length;
    }
    return { nodes, bytes };
  }

  /** About how many bytes the unwritten commits' nodes hold in memory (rewritten positions count each time). */
  get unwrittenBytes(): number {
    return this.unwrittenNodeBytes;
  }

  /** The pending writes are committed: reads of the committed trie see them from now on. */
  commitPending(): void {
    for (const [name, node] of this.pending) {
      this.unwritten.set(name, node);
      this.unwrittenNodeBytes += name.length + (node?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
    }
    this.pending = new Map();
  }

  /** The committed nodes not yet on disk, in key order, for a table write; they stay readable until `markWritten`. */
  takeUnwritten(): NodeWrite[] {
    if (this.writing !== undefined) throw new Error("a table write of trie nodes is still in progress");
    this.writing = this.unwritten;
    this.unwritten = new Map();
    this.unwrittenNodeBytes = 0;
    // In key order: writes below one subtree land on the same B-tree pages one after another.
    const sorted = [...this.writing].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return sorted.map(([name, node]) => [Buffer.from(name, "latin1"), node]);
  }

  /** After the table write committed: its nodes become cached, removed ones leave the cache. */
  markWritten(): void {
    for (const [name, node] of this.writing ?? []) {
      if (node === null) this.cache.delete(name);
      else this.cache.set(name, node);
    }
    this.writing = undefined;
  }

  /** Forgets every write since the last commit (the trie goes back to its committed root). */
  discardPending(): void {
    this.pending = new Map();
  }

  /** Forgets every cached and unwritten node (the table was emptied under it). */
  clearCache(): void {
    this.cache.clear();
    this.writing = undefined;
    this.unwritten = new Map();
    this.unwrittenNodeBytes = 0;
  }

  /** Nodes on disk plus unwritten and pending writes minus removals. */
  count(): number {
    let count = (this.table.getStats() as { entryCount: number }).entryCount;
    const changed = new Map([...(this.writing ?? []), ...this.unwritten, ...this.pending]);
    for (const [name, node] of changed) {
      const onDisk = this.table.doesExist(Buffer.from(name, "latin1"));
      if (node === null && onDisk) count--;
      else if (node !== null && !onDisk) count++;
    }
    return count;
  }
}
