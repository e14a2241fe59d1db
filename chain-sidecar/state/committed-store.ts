// Committed state on disk (LMDB), read synchronously through a cache of fixed size, and written atomically once per
// block together with the trie's nodes, the height and the app hash, so a kill -9 at any point leaves the last commit.
import { LRUCache } from "lru-cache";
import { MerkleTrie } from "./merkle-trie.js";
import {
  asBytes,
  openStateDatabase,
  storageBytes,
  type StateDatabase,
  type StorageBytes,
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

const HEIGHT_KEY = "height";
const APP_HASH_KEY = "appHash";
const TRIE_ROOT_KEY = "trieRoot";
/** How trie nodes are keyed; stores written before it (nodes by hash) lack it and are refused. */
const TRIE_LAYOUT_KEY = "trieLayout";
const TRIE_LAYOUT = new TextEncoder().encode("position-v1");
/** Set while restored chunks are on disk but the restore is not finished: such state is dropped on open. */
const RESTORING_KEY = "restoring";
/** Metadata names the store writes itself; `commit`'s extra metadata may not use them. */
const RESERVED_METADATA = new Set([HEIGHT_KEY, APP_HASH_KEY, TRIE_ROOT_KEY, TRIE_LAYOUT_KEY, RESTORING_KEY]);

/** Cached state values (and absences) in bytes: hot accounts and parameters, not the whole state. */
export const DEFAULT_VALUE_CACHE_BYTES = 16 * 1024 * 1024;
const ABSENT = new Uint8Array(0);
/** What a cached entry costs beyond its key and value bytes. */
const ENTRY_OVERHEAD_BYTES = 150;

export interface CommittedStoreOptions {
  /** Bytes of state values kept in memory. */
  readonly valueCacheBytes?: number;
  /** Bytes of trie nodes kept in memory. */
  readonly nodeCacheBytes?: number;
}

export class CommittedStore implements StateReader {
  private readonly values: LRUCache<string, Uint8Array>;
  private lastHeight = 0;
  private lastAppHash: Uint8Array = new Uint8Array();
  private closed = false;

  private constructor(
    private readonly db: StateDatabase,
    private readonly dataDir: string,
    /** Always at the root over the committed state plus whatever the app has applied since the last commit. */
    readonly trie: MerkleTrie,
    valueCacheBytes: number,
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
    try {
      // A restore that stopped part-way (a crash, a kill) left state no commit vouches for.
      if (db.meta.get(RESTORING_KEY) !== undefined) clearRestoredState(db);
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
        dataDir,
        trie,
        options.valueCacheBytes ?? DEFAULT_VALUE_CACHE_BYTES,
      );
      store.checkTrieMatchesAppHash();
      return store;
    } catch (error) {
      await db.root.close();
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

  get height(): number {
    return this.lastHeight;
  }

  get appHash(): Uint8Array {
    return this.lastAppHash;
  }

  get keyCount(): number {
    return (this.db.state.getStats() as { entryCount: number }).entryCount;
  }

  get(key: string): Uint8Array | undefined {
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
    const limit = range?.limit === undefined ? {} : { limit: range.limit };
    for (const { key, value } of this.db.state.getRange({ start: low, end: high, ...limit }))
      found.push([key, asBytes(value)]);
    return found;
  }

  /**
   * Every entry of the last commit, read lazily from one LMDB read transaction: later commits do not change what it
   * yields, and only what is being consumed is in memory. Iterate it once; close it if it is not read to the end.
   */
  committedEntries(): EntryStream {
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
    const value = this.db.meta.get(name);
    return value === undefined ? undefined : asBytes(value);
  }

  /**
   * Persists one block in one LMDB write transaction: its state changes, the trie nodes applied since the last
   * commit (new ones written, pruned ones deleted), the height, the app hash, the trie root and `metadata`.
   */
  commit(
    changes: readonly StateChange[],
    height: number,
    appHash: Uint8Array,
    metadata: readonly [name: string, value: Uint8Array][] = [],
  ): Promise<void> {
    // A promise (rejected on failure) though the write is synchronous: callers await commits.
    return new Promise((resolve) => {
      this.writeBlock(changes, height, appHash, metadata);
      resolve();
    });
  }

  private writeBlock(
    changes: readonly StateChange[],
    height: number,
    appHash: Uint8Array,
    metadata: readonly [name: string, value: Uint8Array][],
  ): void {
    checkMetadataNames(metadata);
    const { root, state } = this.db;
    root.transactionSync(() => {
      for (const [key, value] of changes) {
        if (value === null) state.removeSync(key);
        else state.putSync(key, value);
      }
      this.putTrie();
      this.putCommitPoint(height, appHash, metadata);
    });
    this.trie.markCommitted();
    for (const [key, value] of changes) this.values.set(key, value ?? ABSENT);
    this.lastHeight = height;
    this.lastAppHash = appHash;
    // The commit is on the device now: a synchronous LMDB commit syncs the block's pages, then its meta page, before
    // it returns (lmdb-js overlaps syncs only for its asynchronous writes), so even a machine crash reopens here.
  }

  /**
   * Writes one chunk of a state-sync restore into this empty store (entries sorted, after every earlier chunk's),
   * trie nodes included, so memory holds one chunk; the store stays at height 0 until `finishRestore`.
   */
  async addRestoredEntries(entries: readonly StateEntry[]): Promise<void> {
    if (this.lastHeight > 0)
      throw new Error(`a snapshot cannot be restored over state at height ${this.lastHeight}`);
    await this.trie.apply(entries);
    const { root, state, meta } = this.db;
    root.transactionSync(() => {
      meta.putSync(RESTORING_KEY, new Uint8Array([1]));
      for (const [key, value] of entries) state.putSync(key, value);
      this.putTrie();
    });
    this.trie.markCommitted();
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

  /** The trie's nodes applied since the last write and its root; inside the write transaction. */
  private putTrie(): void {
    const { meta } = this.db;
    this.trie.writeNodes();
    meta.putSync(TRIE_ROOT_KEY, this.trie.root());
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
  }

  /** Resolves once every commit so far is on the device. */
  async flushed(): Promise<void> {
    await this.db.root.flushed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.root.flushed;
    await this.db.root.close();
  }
}

function checkMetadataNames(metadata: readonly [name: string, value: Uint8Array][]): void {
  for (const [name] of metadata) {
    if (RESERVED_METADATA.has(name)) throw new Error(`metadata ${name} is written by the store itself`);
  }
}

/** Empties the state and trie tables of a store that holds only a restore's chunks, marker last. */
function clearRestoredState(db: StateDatabase): void {
  db.meta.putSync(RESTORING_KEY, new Uint8Array([1]));
  db.state.clearSync();
  db.trieNodes.clearSync();
  db.meta.removeSync(TRIE_ROOT_KEY);
  db.meta.removeSync(RESTORING_KEY);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
