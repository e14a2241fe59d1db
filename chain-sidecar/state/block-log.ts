// Blocks committed since the store last wrote its state and trie tables: one LMDB entry per height holding the block's
// changes, app hash and metadata. Appending one costs the same at any state size (a B-tree update per block grew
// with it); the store writes its tables every few blocks, and on open the logged blocks are applied again.
import type { Database } from "lmdb";
import type { StateChange } from "./state-access.js";

/** [app hash, changes, metadata] as the table stores it (msgpack: arrays of strings, bytes and nulls). */
type LoggedRecord = [Uint8Array, StateChange[], [string, Uint8Array][]];

/** Height → the block committed at it. */
export type BlockLogTable = Database<LoggedRecord, number>;

export interface LoggedBlock {
  readonly height: number;
  readonly appHash: Uint8Array;
  readonly changes: readonly StateChange[];
  readonly metadata: readonly [name: string, value: Uint8Array][];
}

/** Logs a block; call inside the write transaction that commits it. */
export function logBlock(table: BlockLogTable, block: LoggedBlock): void {
  table.putSync(block.height, [block.appHash, [...block.changes], [...block.metadata]]);
}

/** The logged blocks in height order. */
export function* loggedBlocks(table: BlockLogTable): Generator<LoggedBlock> {
  for (const { key, value } of table.getRange({})) {
    const [appHash, changes, metadata] = value;
    yield {
      height: key,
      appHash: bytes(appHash),
      changes: changes.map(([k, v]) => [k, v === null ? null : bytes(v)]),
      metadata: metadata.map(([name, v]) => [name, bytes(v)]),
    };
  }
}

/** Drops the logged blocks up to `height`; call inside the write transaction that writes their changes to the tables. */
export function dropLoggedBlocks(table: BlockLogTable, height: number): void {
  for (const key of table.getKeys({ end: height + 1 })) table.removeSync(key);
}

/** A plain Uint8Array view of what msgpack decoded (a Buffer). */
function bytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}
