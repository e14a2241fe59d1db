// Committed state on disk (LMDB), read synchronously through a cache of fixed size. Each block is durable when its
// commit returns: appended to the block log. Every few blocks the state and trie tables are written in one transaction
// with the height and app hash, by lmdb-js's write thread while blocks go on, and the log is trimmed once it is on the
// device; reads see the blocks not yet in the tables first. A kill -9 at any point reopens at the last commit.
import { LRUCache } from "lru-cache";
import { BlockLog } from "./block-log.js";
import { entryStream } from "./entry-stream.js";
import { MerkleTrie } from "./merkle-trie.js";
import {
  APP_HASH_KEY,
  asBytes,
  checkKeySizes,
  checkMetadataNames,
  clearRestoredState,
  commitPointMetadata,
  HEIGHT_KEY,
  openStateDatabase,
  RESTORING_KEY,
  storageBytes,
  type StateDatabase,
  type StorageBytes,
  TRIE_LAYOUT,
  TRIE_LAYOUT_KEY,
  TRIE_ROOT_KEY,
  trieMetadata,
} from "./state-database.js";
import { writeTablesInBackground, writeTablesSync } from "./table-write.js";
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
 * mostly change the same pages (the trie's upper levels, running pods' records), so fewer writes cost less in all
 * (at 1M keys, 32 against 16 took a fifth off a block's CPU; 64 no more). An open after a crash applies at most this
 * many logged blocks again.
 */
export const DEFAULT_WRITE_EVERY_BLOCKS = 32;
/** Bytes of unwritten changes and trie nodes after which the tables are written whatever the block count. */
const DEFAULT_MAX_UNWRITTEN_BYTES = 64 * 1024 * 1024;

export interface CommittedStoreOptions {
  /** Bytes of state values kept in memory. */
  readonly valueCacheBytes?: number;
  /** Bytes of trie nodes kept in memory. */
  readonly nodeCacheBytes?: number;
  /** Blocks logged between writes of the state and trie tables (1: every block writes them). */
  readonly writeEveryBlocks?: number;
  /** Bytes of unwritten blocks that make a write due whatever the block count; a block this large waits for it. */
  readonly maxUnwrittenBytes?: number;
}

export class CommittedStore implements StateReader {
  private readonly values: LRUCache<string, Uint8Array>;
  /** The blocks committed since the tables were written: read before them. */
  private readonly unwritten = new UnwrittenState();
  /** The table write in progress; it never rejects (a failure is kept in `failure`). */
  private tableWrite: Promise<void> | undefined;
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
    private readonly settings: Required<Omit<CommittedStoreOptions, "nodeCacheBytes">>,
  ) {
    this.values = new LRUCache<string, Uint8Array>({
      maxSize: settings.valueCacheBytes,
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
        const earlier = layout === undefined ? "nodes keyed by hash" : Buffer.from(layout).toString("utf8");
        throw new Error(
          `${dataDir} holds a trie of an earlier layout (${earlier}); start from an empty data directory (or a state sync)`,
        );
      }
      const nodes = new TrieNodeStore(db.trieNodes, options.nodeCacheBytes ?? DEFAULT_NODE_CACHE_BYTES);
      const trie = await MerkleTrie.open(nodes, storedRoot === undefined ? undefined : asBytes(storedRoot));
      const store = new CommittedStore(db, log, dataDir, trie, {
        valueCacheBytes: options.valueCacheBytes ?? DEFAULT_VALUE_CACHE_BYTES,
        writeEveryBlocks: Math.max(1, options.writeEveryBlocks ?? DEFAULT_WRITE_EVERY_BLOCKS),
        maxUnwrittenBytes: options.maxUnwrittenBytes ?? DEFAULT_MAX_UNWRITTEN_BYTES,
      });
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
    // The count and the checks read one snapshot: with or without a write in progress, the changes cover it.
    for (const [key, value] of this.unwritten.allChanges()) {
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
    const limit = range?.limit ?? Infinity;
    if (this.unwritten.isEmpty) {
      const bounded = limit === Infinity ? {} : { limit };
      for (const { key, value } of this.db.state.getRange({ start: low, end: high, ...bounded }))
        found.push([key, asBytes(value)]);
      return found;
    }
    if (limit <= 0) return found;
    for (const entry of this.unwritten.merged(this.storedRange(low, high), low, high)) {
      if (found.push(entry) >= limit) break;
    }
    return found;
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
    // The changes not in the tables, as they are now: the read below starts now and sees the tables with or without
    // the write in progress, and these cover both.
    const changes = this.unwritten.allChanges();
    return entryStream(this.db.state.getRange({})[Symbol.iterator](), changes);
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
   * `metadata`, in the block log; every few blocks it begins a write of the tables with the blocks logged before it.
   */
  async commit(
    changes: readonly StateChange[],
    height: number,
    appHash: Uint8Array,
    metadata: readonly [name: string, value: Uint8Array][] = [],
  ): Promise<void> {
    this.checkWritable(`block ${height} is not committed`);
    checkMetadataNames(metadata);
    checkKeySizes(changes);
    // On the device when it returns: a synchronous LMDB commit syncs its pages, then its meta page.
    this.log.append({ height, appHash, changes, metadata });
    const unwrittenBefore = this.unwritten.bytes + this.trie.unwrittenBytes;
    this.trie.markCommitted();
    this.unwritten.add(changes, metadata);
    const unwrittenBytes = this.unwritten.bytes + this.trie.unwrittenBytes;
    // Cached keys follow their changes; others are read from the unwritten blocks, then from disk when next asked for.
    for (const [key, value] of changes) if (this.values.has(key)) this.values.set(key, value ?? ABSENT);
    this.lastHeight = height;
    this.lastAppHash = appHash;
    const { writeEveryBlocks, maxUnwrittenBytes } = this.settings;
    const due = this.unwritten.blocks >= writeEveryBlocks || unwrittenBytes >= maxUnwrittenBytes;
    if (!due) return;
    const failed = `block ${height} is committed (to the block log), but no further block can be`;
    // One write at a time: a block waits here only when the last write has not finished in `writeEveryBlocks` blocks.
    await this.tableWrite;
    this.checkWritable(failed);
    this.beginTableWrite();
    // A block this large (a genesis of many accounts) would be slow to apply again after a crash: it waits for its write.
    if (unwrittenBytes - unwrittenBefore < maxUnwrittenBytes) return;
    await this.tableWrite;
    this.checkWritable(failed);
  }

  /** Throws once a table write has failed; `outcome` says what became of the block being committed. */
  private checkWritable(outcome: string): void {
    if (this.failure !== undefined) {
      throw new Error(
        `${outcome}: a write of the store's tables failed (${this.failure.message}); ` +
          "every committed block is in the block log: restart once the cause (a full disk?) is fixed",
      );
    }
  }

  /** Hands the unwritten blocks to lmdb-js's write thread as one transaction; the log is trimmed once it is durable. */
  private beginTableWrite(): void {
    const height = this.lastHeight;
    const { changes, metadata } = this.unwritten.beginWrite();
    const write = {
      changes,
      nodes: this.trie.takeNodeWrites(),
      metadata: [
        ...trieMetadata(this.trie.committedRootHash()),
        ...commitPointMetadata(height, this.lastAppHash),
        ...metadata,
      ],
    };
    this.tableWrite = writeTablesInBackground(this.db, write).then(
      () => {
        // Reads see the tables as the write left them before the changes it wrote stop being read first.
        this.db.root.resetReadTxn();
        this.unwritten.endWrite();
        this.trie.markWritten();
        this.tableWrite = undefined;
        try {
          this.log.dropThrough(height);
        } catch (error) {
          this.failure = asError(error);
        }
      },
      (error: unknown) => {
        // The written blocks stay readable from memory, and logged: a reopen applies them again.
        this.failure = asError(error);
      },
    );
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
    writeTablesSync(this.db, {
      changes: entries,
      nodes: this.trie.takeNodeWrites(),
      metadata: [[RESTORING_KEY, new Uint8Array([1])], ...trieMetadata(this.trie.committedRootHash())],
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
    writeTablesSync(this.db, {
      changes: [],
      nodes: [],
      metadata: [...commitPointMetadata(height, appHash), ...metadata],
      removedMetadata: [RESTORING_KEY],
    });
    this.lastHeight = height;
    this.lastAppHash = appHash;
    return true;
  }

  /** Drops whatever a restore wrote so far: the store is empty again. */
  abandonRestore(): void {
    if (this.lastHeight > 0) throw new Error(`a restore cannot be abandoned at height ${this.lastHeight}`);
    clearRestoredState(this.db);
    this.trie.reset();
    this.values.clear();
    this.unwritten.clear();
  }

  /** Resolves once the table write in progress (if any) is on the device: the tables then hold its blocks. */
  async flushed(): Promise<void> {
    await this.tableWrite;
    await this.db.root.flushed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tableWrite;
    // Opening next time then has no logged block to apply.
    if (this.unwritten.blocks > 0 && this.failure === undefined) {
      this.beginTableWrite();
      await this.tableWrite;
    }
    await this.db.root.flushed;
    await this.db.root.close();
    await this.log.close();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
