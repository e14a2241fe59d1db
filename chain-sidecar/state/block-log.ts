// Blocks committed since the store last wrote its state and trie tables, in an LMDB file of their own, one entry per
// block: appending one costs the same at any state size (a B-tree update of the state per block grew with it, and in
// the state's file every commit also rewrote a free list as long as the state is large). The store writes its tables
// every few blocks; on open the blocks logged after that write are applied again.
import { join } from "node:path";
import { open, type Database, type RootDatabase } from "lmdb";
import type { StateChange } from "./state-access.js";
import { asBytes } from "./state-database.js";

const FILE_NAME = "blocks.mdb";

/** [app hash, changes, metadata] as the table stores it (msgpack: arrays of strings, bytes and nulls). */
type LoggedRecord = [Uint8Array, StateChange[], [string, Uint8Array][]];

export interface LoggedBlock {
  readonly height: number;
  readonly appHash: Uint8Array;
  readonly changes: readonly StateChange[];
  readonly metadata: readonly [name: string, value: Uint8Array][];
}

export class BlockLog {
  private constructor(
    private readonly root: RootDatabase,
    private readonly table: Database<LoggedRecord, number>,
  ) {}

  static open(dataDir: string): BlockLog {
    const root = open({ path: join(dataDir, FILE_NAME), maxDbs: 1 });
    return new BlockLog(root, root.openDB({ name: "blocks", encoding: "msgpack", keyEncoding: "uint32" }));
  }

  /** Logs a block; on the device when it returns (a synchronous LMDB commit syncs before returning). */
  append(block: LoggedBlock): void {
    this.root.transactionSync(() => {
      this.table.putSync(block.height, [block.appHash, [...block.changes], [...block.metadata]]);
    });
  }

  /** The logged blocks in height order. */
  *blocks(): Generator<LoggedBlock> {
    for (const { key, value } of this.table.getRange({})) {
      // msgpack decodes bytes as Buffers: handed on as plain Uint8Arrays, as the store's other reads are.
      const [appHash, changes, metadata] = value;
      yield {
        height: key,
        appHash: asBytes(appHash),
        changes: changes.map(([k, v]) => [k, v === null ? null : asBytes(v)]),
        metadata: metadata.map(([name, v]) => [name, asBytes(v)]),
      };
    }
  }

  /** Drops the blocks up to `height`, once the store's tables hold them. */
  dropThrough(height: number): void {
    this.root.transactionSync(() => {
      for (const key of this.table.getKeys({ end: height + 1 })) this.table.removeSync(key);
    });
  }

  /** Drops every logged block (the store was emptied). */
  clear(): void {
    this.table.clearSync();
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

/** The path of the log's data file. */
export function blockLogFile(dataDir: string): string {
  return join(dataDir, FILE_NAME);
}
