// Blocks committed since the store last wrote its state and trie tables, in an LMDB file of their own: appending a
// block costs the same at any state size (a B-tree update of the state per block grew with it, and in the state's file
// every commit also rewrites a free list as long as the state is large). The store writes its tables every few blocks;
// on open the blocks logged after that write are applied again. Entries are keyed [height, index]: index 0 holds the
// block's app hash and metadata, each later index one change, so no entry needs a long run of free pages.
import { join } from "node:path";
import { open, type Database, type RootDatabase } from "lmdb";
import type { StateChange } from "./state-access.js";

const FILE_NAME = "blocks.mdb";

type LoggedEntry = [Uint8Array, [string, Uint8Array][]] | StateChange;

export interface LoggedBlock {
  readonly height: number;
  readonly appHash: Uint8Array;
  readonly changes: readonly StateChange[];
  readonly metadata: readonly [name: string, value: Uint8Array][];
}

export class BlockLog {
  private constructor(
    private readonly root: RootDatabase,
    private readonly table: Database<LoggedEntry>,
  ) {}

  static open(dataDir: string): BlockLog {
    const root = open({ path: join(dataDir, FILE_NAME), maxDbs: 1 });
    return new BlockLog(root, root.openDB({ name: "blocks", encoding: "msgpack" }));
  }

  /** Logs a block; on the device when it returns (a synchronous LMDB commit syncs before returning). */
  append(block: LoggedBlock): void {
    this.root.transactionSync(() => {
      this.table.putSync([block.height, 0], [block.appHash, [...block.metadata]]);
      block.changes.forEach((change, index) => this.table.putSync([block.height, index + 1], change));
    });
  }

  /** The logged blocks in height order. */
  *blocks(): Generator<LoggedBlock> {
    type Building = {
      height: number;
      appHash: Uint8Array;
      changes: StateChange[];
      metadata: [string, Uint8Array][];
    };
    let block: Building | undefined;
    for (const { key, value } of this.table.getRange({})) {
      const [height, index] = key as [number, number];
      if (index === 0) {
        if (block !== undefined) yield block;
        const [appHash, metadata] = value as [Uint8Array, [string, Uint8Array][]];
        block = {
          height,
          appHash: bytes(appHash),
          changes: [],
          metadata: metadata.map(([n, v]) => [n, bytes(v)]),
        };
      } else {
        if (block?.height !== height)
          throw new Error(`the block log's entry ${height}/${index} has no block header`);
        const [changed, changedValue] = value as StateChange;
        block.changes.push([changed, changedValue === null ? null : bytes(changedValue)]);
      }
    }
    if (block !== undefined) yield block;
  }

  /** Drops the blocks up to `height`, once the store's tables hold them. */
  dropThrough(height: number): void {
    this.root.transactionSync(() => {
      for (const key of this.table.getKeys({ end: [height + 1, 0] })) this.table.removeSync(key);
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

/** A plain Uint8Array view of what msgpack decoded (a Buffer). */
function bytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}
