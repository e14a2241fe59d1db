// One write of the store's tables in one LMDB transaction: state changes, trie nodes and metadata. Commits hand theirs
// to lmdb-js's write thread, which makes the B-tree updates while blocks go on; restores write synchronously.
import type { StateDatabase } from "./state-database.js";
import type { StateChange } from "./state-access.js";

/** A trie node write by table key; null removes the node. */
export type NodeWrite = [key: Buffer, node: Uint8Array | null];

export interface TableWrite {
  /** In key order, so writes below one B-tree branch land on its pages one after another. */
  readonly changes: readonly StateChange[];
  readonly nodes: readonly NodeWrite[];
  readonly metadata: readonly [name: string, value: Uint8Array][];
  readonly removedMetadata?: readonly string[];
}

export function writeTablesSync(db: StateDatabase, write: TableWrite): void {
  db.root.transactionSync(() => {
    for (const [key, value] of write.changes) {
      if (value === null) db.state.removeSync(key);
      else db.state.putSync(key, value);
    }
    for (const [key, node] of write.nodes) {
      if (node === null) db.trieNodes.removeSync(key);
      else db.trieNodes.putSync(key, node);
    }
    for (const [name, value] of write.metadata) db.meta.putSync(name, value);
    for (const name of write.removedMetadata ?? []) db.meta.removeSync(name);
  });
}

/**
 * Queues the write for lmdb-js's write thread and resolves once it is on the device. lmdb-js makes every write queued
 * in one event turn one transaction, so nothing else may write this database synchronously until it resolves.
 */
export async function writeTablesInBackground(db: StateDatabase, write: TableWrite): Promise<void> {
  const queued: Promise<boolean>[] = [];
  for (const [key, value] of write.changes)
    queued.push(value === null ? db.state.remove(key) : db.state.put(key, value));
  for (const [key, node] of write.nodes)
    queued.push(node === null ? db.trieNodes.remove(key) : db.trieNodes.put(key, node));
  for (const [name, value] of write.metadata) queued.push(db.meta.put(name, value));
  for (const name of write.removedMetadata ?? []) queued.push(db.meta.remove(name));
  // One transaction: the last write's promise settles when all of them do.
  await queued.at(-1);
}
