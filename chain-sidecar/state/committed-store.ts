// Committed state on disk (LMDB), read synchronously through a cache of fixed size. Each block is durable when its
// commit returns: appended to the block log, and every few blocks the state and trie tables are written in one
// transaction with the height and app hash (and the log emptied), so a kill -9 at any point reopens at the last commit.
import { LRUCache } from "lru-cache";
import { BlockLog } from "./block-log.js";
import { MerkleTrie } from "./merkle-trie.js";
import {
  APP_HASH_KEY,
  asBytes,
  checkKeySizes,
  checkMetadataNames,
  clearRestoredState,
  HEIGHT_KEY,
  openStateDatabase,
  RESTORING_KEY,
  storageBytes,
  type StateDatabase,
  type StorageBytes,
  TRIE_LAYOUT,
  TRIE_LAYOUT_KEY,
  TRIE_ROOT_KEY,
} from "./state-database.js";
import {
  scanBounds,
  type EntryStream,
  type ScanRange,
  type StateChange,
  type StateEntry,
  type StateReader,
} from "./state-access.js";
import { DEFAULT_NODE_CACHE_BYTES, TrieNodeStore } from "./trie-node-store.js";
import { UnwrittenState } from "./unwritten-state.js";

/** Cached state values (and absences) in bytes: hot accounts and parameters, not the whole state. */
export const DEFAULT_VALUE_CACHE_BYTES = 16 * 1024 * 1024;
const ABSENT = new Uint8Array(0);
/** What a cached entry costs beyond its key and value bytes. */
const ENTRY_OVERHEAD_BYTES = 150;
/**
 * Blocks logged between writes of the tables: a write's cost grows with the B-tree pages it dirties, and blocks
 * mostly change the same pages (the trie's upper levels, running pods' records), so fewer writes cost less in all.
 * An open after a crash applies at most this many logged blocks again.
 */
export const DEFAULT_WRITE_EVERY_BLOCKS = 16;
/** Bytes of unwritten changes and trie nodes after which the tables are written whatever the block count. */
const MAX_UNWRITTEN_BYTES = 64 * 1024 * 1024;

export interface CommittedStoreOptions {
  /** Bytes of state values kept in memory. */
  readonly valueCacheBytes?: number;
  /** Bytes of trie nodes kept in memory. */
  readonly nodeCacheBytes?: number;
  /** Blocks logged between writes of the state and trie tables (1: every block writes them). */
  readonly writeEveryBlocks?: number;
}

export class CommittedStore implements StateReader {
  private readonly values: LRUCache<string, Uint8Array>;
  /** The blocks committed since the tables were written: read before them. */
  private readonly unwritten = new UnwrittenState();
  private lastHeight = 0;
  private lastAppHash: Uint8Array = new Uint8Array();
  /** A failed write leaves memory ahead of the disk: nothing more is committed (reopening replays the log). */
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    private readonly db: StateDatabase,
    private readonly log: BlockLog,
    private readonly dataDir: string,
    /** Always at the root over the committed state plus whatever the app has applied since the last commit. */
    readonly trie: MerkleTrie,
    valueCacheBytes: number,
    private readonly writeEveryBlocks: number,
  ) {
    this.values = new LRUCache<string, Uint8Array>({
      maxSize: valueCacheBytes,
      sizeCalculation: (value, key) => value.length + key.length + ENTRY_OVERHEAD_BYTES,
    });
    const height = db.meta.get(HEIGHT_KEY);
    if (height !== undefined) this.lastHeight = Number(new TextDecoder().decode(height));
    this.lastAppHash = asBytes(db.meta.get(APP_HASH_KEY) ?? new Uint8Array());
  }

  /** Opens (or creates) the store in `dataDir` at its last commit; the trie opens at its stored root, unbuilt. */
  static async open(dataDir: string, options: CommittedStoreOptions = {}): Promise<CommittedStore> {
    const db = openStateDatabase(dataDir);
    const log = BlockLog.open(dataDir);
    try {
      // A restore that stopped part-way (a crash, a kill) left state no commit vouches for.
      if (db.meta.get(RESTORING_KEY) !== undefined) {
        clearRestoredState(db);
        log.clear();
      }
      const storedRoot = db.meta.get(TRIE_ROOT_KEY);
      const layout = db.meta.get(TRIE_LAYOUT_KEY);
      if (storedRoot !== undefined && (layout === undefined || Buffer.compare(layout, TRIE_LAYOUT) !== 0)) {
        throw new Error(
          `${dataDir} holds state whose trie nodes are keyed by hash (an earlier layout); ` +
            "start from an empty data directory (or a state sync)",
        );
      }
      const nodes = new TrieNodeStore(db.trieNodes, options.nodeCacheBytes ?? DEFAULT_NODE_CACHE_BYTES);
      const trie = await MerkleTrie.open(nodes, storedRoot === undefined ? undefined : asBytes(storedRoot));
      const store = new CommittedStore(
        db,
        log,
        dataDir,
        trie,
        options.valueCacheBytes ?? DEFAULT_VALUE_CACHE_BYTES,
        Math.max(1, options.writeEveryBlocks ?? DEFAULT_WRITE_EVERY_BLOCKS),
      );
      store.checkTrieMatchesAppHash();
      await store.applyLoggedBlocks();
      return store;
    } catch (error) {
      await db.root.close();
      await log.close();
      throw error;
    }
  }

  /** The app hash is the trie root; a store whose two differ was damaged (or written by something else). */
  private checkTrieMatchesAppHash(): void {
    if (this.lastHeight === 0) return;
    if (Buffer.compare(this.trie.root(), this.lastAppHash) !== 0) {
      throw new Error(
        `state on disk at height ${this.lastHeight} hashes to ${hex(this.trie.root())}, ` +
          `but the stored app hash is ${hex(this.lastAppHash)}: the data directory is damaged`,
      );
    }
  }

  /** The blocks logged after the tables' last write, applied again: each must reach the app hash it was logged with. */
  private async applyLoggedBlocks(): Promise<void> {
    for (const block of this.log.blocks()) {
      if (block.height <= this.lastHeight) continue;
      if (block.height !== this.lastHeight + 1) {
        throw new Error(
          `the block log holds height ${block.height} after ${this.lastHeight}: the data directory is damaged`,
        );
      }
      const root = await this.trie.apply(block.changes);
      if (Buffer.compare(root, block.appHash) !== 0) {
        throw new Error(
          `logged block ${block.height} hashes to ${hex(root)}, but it was logged with app hash ` +
            `${hex(block.appHash)}: the data directory is damaged`,
        );
      }
      this.trie.markCommitted();
      this.unwritten.add(block.changes, block.metadata);
      this.lastHeight = block.height;
      this.lastAppHash = block.appHash;
    }
  }

  get height(): number {
    return this.lastHeight;
  }

  get appHash(): Uint8Array {
    return this.lastAppHash;
  }

  get keyCount(): number {
    let count = (this.db.state.getStats() as { entryCount: number }).entryCount;
    for (const [key, value] of this.unwritten.sortedChanges()) {
      const stored = this.db.state.doesExist(key);
      if (value === null && stored) count--;
      else if (value !== null && !stored) count++;
    }
    return count;
  }

  get(key: string): Uint8Array | undefined {
    const unwritten = this.unwritten.get(key);
    if (unwritten !== undefined) return unwritten ?? undefined;
    const cached = this.values.get(key);
    if (cached !== undefined) return cached === ABSENT ? undefined : cached;
    const stored = this.db.state.get(key);
    const value = stored === undefined ? ABSENT : asBytes(stored);
    this.values.set(key, value);
    return value === ABSENT ? undefined : value;
  }

  entries(prefix: string, range?: ScanRange): StateEntry[] {
    const [low, high] = scanBounds(prefix, range);
    const found: StateEntry[] = [];
    if (this.unwritten.blocks === 0) {
      const limit = range?.limit === undefined ? {} : { limit: range.limit };
      for (const { key, value } of this.db.state.getRange({ start: low, end: high, ...limit }))
        found.push([key, asBytes(value)]);
      return found;
    }
    return this.unwritten.mergeRange(this.storedRange(low, high), low, high, range?.limit);
  }

  private *storedRange(low: string, high: string): Generator<StateEntry> {
    for (const { key, value } of this.db.state.getRange({ start: low, end: high }))
      yield [key, asBytes(value)];
  }

  /**
   * Every entry of the last commit, read lazily from one LMDB read transaction: later commits do not change what it
   * yields, and only what is being consumed is in memory. Iterate it once; close it if it is not read to the end.
   */
  committedEntries(): EntryStream {
    // The tables then hold the last commit.
    if (this.unwritten.blocks > 0) this.writeTables();
    const iterator = this.db.state.getRange({})[Symbol.iterator]();
    // The first read starts the read transaction, at this commit.
    const first = iterator.next();
    let closed = false;
    return {
      *[Symbol.iterator](): Generator<StateEntry> {
        for (let next = first; !next.done && !closed; next = iterator.next()) {
          yield [next.value.key, asBytes(next.value.value)];
        }
        closed = true;
      },
      close(): void {
        if (closed) return;
        closed = true;
        iterator.return?.();
      },
    };
  }

  /** The bytes the committed state takes on disk (file and live pages). */
  storageBytes(): StorageBytes {
    return storageBytes(this.db, this.dataDir);
  }

  /** A value the last commit stored beside the state (outside the app hash), e.g. the last block's time. */
  metadata(name: string): Uint8Array | undefined {
    const unwritten = this.unwritten.metadata(name);
    if (unwritten !== undefined) return unwritten;
    const value = this.db.meta.get(name);
    return value === undefined ? undefined : asBytes(value);
  }

  /**
   * Persists one block: its state changes, the trie nodes applied since the last commit, the height, the app hash and
   * `metadata`. It is logged, or (every few blocks) written to the tables with the blocks logged before it.
   */
  commit(
    changes: readonly StateChange[],
    height: number,
    appHash: Uint8Array,
    metadata: readonly [name: string, value: Uint8Array][] = [],
  ): Promise<void> {
    // A promise (rejected on failure) though the write is synchronous: callers await commits.
    return new Promise((resolve) => {
      this.commitBlock(changes, height, appHash, metadata);
      resolve();
    });
  }

  private commitBlock(
    changes: readonly StateChange[],
    height: number,
    appHash: Uint8Array,
    metadata: readonly [name: string, value: Uint8Array][],
  ): void {
    if (this.failure !== undefined) {
      throw new Error(`the store cannot commit after a failed write: ${this.failure.message}`);
    }
    checkMetadataNames(metadata);
    checkKeySizes(changes);
    this.trie.markCommitted();
    this.unwritten.add(changes, metadata);
    for (const [key, value] of changes) this.values.set(key, value ?? ABSENT);
    this.lastHeight = height;
    this.lastAppHash = appHash;
    const due =
      this.unwritten.blocks >= this.writeEveryBlocks ||
      this.unwritten.bytes + this.trie.unwrittenBytes >= MAX_UNWRITTEN_BYTES;
    try {
      if (due) this.writeTables();
      else this.log.append({ height, appHash, changes, metadata });
    } catch (error) {
      this.failure = error as Error;
      throw error;
    }
    // On the device now: a synchronous LMDB commit syncs the transaction's pages, then its meta page, before it
    // returns (lmdb-js overlaps syncs only for its asynchronous writes), so even a machine crash reopens here.
  }

  /** Writes the unwritten blocks' changes and trie nodes to the tables at the last commit, and empties the log. */
  private writeTables(): void {
    const { root, state } = this.db;
    root.transactionSync(() => {
      for (const [key, value] of this.unwritten.sortedChanges()) {
        if (value === null) state.removeSync(key);
        else state.putSync(key, value);
      }
      this.putTrie();
      this.putCommitPoint(this.lastHeight, this.lastAppHash, this.unwritten.allMetadata());
    });
    this.log.dropThrough(this.lastHeight);
    this.trie.markWritten();
    this.unwritten.clear();
  }

  /**
   * Writes one chunk of a state-sync restore into this empty store (entries sorted, after every earlier chunk's),
   * trie nodes included, so memory holds one chunk; the store stays at height 0 until `finishRestore`.
   */
  async addRestoredEntries(entries: readonly StateEntry[]): Promise<void> {
    if (this.lastHeight > 0)
      throw new Error(`a snapshot cannot be restored over state at height ${this.lastHeight}`);
    await this.trie.apply(entries);
    this.trie.markCommitted();
    const { root, state, meta } = this.db;
    root.transactionSync(() => {
      meta.putSync(RESTORING_KEY, new Uint8Array([1]));
      for (const [key, value] of entries) state.putSync(key, value);
      this.putTrie();
    });
    this.trie.markWritten();
  }

  /**
   * Ends a restore: when the restored state hashes to `appHash` it becomes the commit at `height` (true); otherwise
   * everything restored is dropped and the store is empty again (false).
   */
  finishRestore(
    height: number,
    appHash: Uint8Array,
    metadata: readonly [name: string, value: Uint8Array][] = [],
  ): boolean {
    checkMetadataNames(metadata);
    if (Buffer.compare(this.trie.root(), appHash) !== 0) {
      this.abandonRestore();
      return false;
    }
    const { root, meta } = this.db;
    root.transactionSync(() => {
      this.putCommitPoint(height, appHash, metadata);
      meta.removeSync(RESTORING_KEY);
    });
    this.lastHeight = height;
    this.lastAppHash = appHash;
    return true;
  }

  /** The trie's committed nodes not yet on disk and its root; inside the write transaction. */
  private putTrie(): void {
    const { meta } = this.db;
    this.trie.writeNodes();
    meta.putSync(TRIE_ROOT_KEY, this.trie.committedRootHash());
    meta.putSync(TRIE_LAYOUT_KEY, TRIE_LAYOUT);
  }

  /** What makes a write a commit: its height, app hash and the metadata beside it; inside the write transaction. */
  private putCommitPoint(
    height: number,
    appHash: Uint8Array,
    metadata: readonly [name: string, value: Uint8Array][],
  ): void {
    const { meta } = this.db;
    meta.putSync(HEIGHT_KEY, new TextEncoder().encode(String(height)));
    meta.putSync(APP_HASH_KEY, appHash);
    for (const [name, value] of metadata) meta.putSync(name, value);
  }

  /** Drops whatever a restore wrote so far: the store is empty again. */
  abandonRestore(): void {
    if (this.lastHeight > 0) throw new Error(`a restore cannot be abandoned at height ${this.lastHeight}`);
    clearRestoredState(this.db);
    this.trie.reset();
    this.values.clear();
    this.unwritten.clear();
  }

  /** Resolves once every commit so far is on the device. */
  async flushed(): Promise<void> {
    await this.db.root.flushed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Opening next time then has no logged block to apply.
    if (this.unwritten.blocks > 0 && this.failure === undefined) this.writeTables();
    await this.db.root.flushed;
    await this.db.root.close();
    await this.log.close();
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
