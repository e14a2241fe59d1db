// The committed state's files: one LMDB environment (a memory-mapped B-tree with synchronous reads, ordered cursors
// and atomic multi-table write transactions) holding the state, the trie's nodes and the commit metadata.
// LMDB rather than LevelDB: modules read state synchronously, and classic-level has no synchronous range scan.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { open, type Database, type RootDatabase } from "lmdb";
import type { TrieNodeTable } from "./trie-node-store.js";

const FILE_NAME = "state.mdb";

export interface StateDatabase {
  readonly root: RootDatabase;
  /** State key (printable ASCII, so its UTF-8 bytes sort as the string does) → value. */
  readonly state: Database<Uint8Array, string>;
  readonly trieNodes: TrieNodeTable;
  /** Height, app hash, trie root and other values stored with each commit. */
  readonly meta: Database<Uint8Array, string>;
}

export function openStateDatabase(dataDir: string): StateDatabase {
  mkdirSync(dataDir, { recursive: true });
  if (existsSync(join(dataDir, "CURRENT")) && !existsSync(join(dataDir, FILE_NAME))) {
    throw new Error(
      `${dataDir} holds state in the former LevelDB format; start from an empty data directory (or a state sync)`,
    );
  }
  const root = open({ path: join(dataDir, FILE_NAME), maxDbs: 4 });
  return {
    root,
    state: root.openDB<Uint8Array, string>({ name: "state", encoding: "binary" }),
    trieNodes: root.openDB<Uint8Array, Uint8Array>({
      name: "trie",
      encoding: "binary",
      keyEncoding: "binary",
    }),
    meta: root.openDB<Uint8Array, string>({ name: "meta", encoding: "binary" }),
  };
}

/** The path of the environment's data file. */
export function stateDatabaseFile(dataDir: string): string {
  return join(dataDir, FILE_NAME);
}

interface TableStats {
  pageSize: number;
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  overflowPages: number;
}

export interface StorageBytes {
  /** The data file's size: LMDB reuses freed pages but never shrinks the file. */
  file: number;
  /** Pages holding live entries of the state, trie and metadata tables. */
  used: number;
}

/** How much of the disk the committed state takes, in bytes. */
export function storageBytes(db: StateDatabase, dataDir: string): StorageBytes {
  let used = 0;
  for (const table of [db.state, db.trieNodes, db.meta]) {
    const stats = table.getStats() as TableStats;
    used += (stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages) * stats.pageSize;
  }
  return { file: statSync(stateDatabaseFile(dataDir)).size, used };
}

/** A view of an LMDB value that is a plain Uint8Array (LMDB hands out Buffers). */
export function asBytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}
