// The committed state's files: one LMDB environment (a memory-mapped B-tree with synchronous reads, ordered cursors
// and atomic multi-table write transactions) holding the state, the trie's nodes and the commit metadata.
// LMDB rather than LevelDB: modules read state synchronously, and classic-level has no synchronous range scan.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { open, type Database, type RootDatabase } from "lmdb";
import type { StateChange } from "./state-access.js";
import type { TrieNodeTable } from "./trie-node-store.js";

const FILE_NAME = "state.mdb";

// The metadata table's names for what makes a write of the tables a commit.
export const HEIGHT_KEY = "height";
export const APP_HASH_KEY = "appHash";
export const TRIE_ROOT_KEY = "trieRoot";
/** How trie nodes are keyed; stores written before it (nodes by hash) lack it and are refused. */
export const TRIE_LAYOUT_KEY = "trieLayout";
/** Nodes keyed by position, keys on family paths (keyPath); a store of another layout is refused, not misread. */
export const TRIE_LAYOUT = new TextEncoder().encode("family-path-v2");
/** Set while restored chunks are on disk but the restore is not finished: such state is dropped on open. */
export const RESTORING_KEY = "restoring";
/** Metadata names the store writes itself; `commit`'s extra metadata may not use them. */
const RESERVED_METADATA = new Set([HEIGHT_KEY, APP_HASH_KEY, TRIE_ROOT_KEY, TRIE_LAYOUT_KEY, RESTORING_KEY]);

/** The metadata that makes a write of the tables the commit at `height`. */
export function commitPointMetadata(height: number, appHash: Uint8Array): [string, Uint8Array][] {
  return [
    [HEIGHT_KEY, new TextEncoder().encode(String(height))],
    [APP_HASH_KEY, appHash],
  ];
}

/** The metadata naming the trie's root and how its nodes are keyed. */
export function trieMetadata(root: Uint8Array): [string, Uint8Array][] {
  return [
    [TRIE_ROOT_KEY, root],
    [TRIE_LAYOUT_KEY, TRIE_LAYOUT],
  ];
}

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

/** LMDB's largest key: a longer one would fail the tables' write blocks later, so the block is refused now. */
const MAX_KEY_BYTES = 1978;

export function checkKeySizes(changes: readonly StateChange[]): void {
  for (const [key] of changes) {
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      throw new Error(`state key ${key.slice(0, 40)}… exceeds the key size limit of ${MAX_KEY_BYTES} bytes`);
    }
  }
}

export function checkMetadataNames(metadata: readonly [name: string, value: Uint8Array][]): void {
  for (const [name] of metadata) {
    if (RESERVED_METADATA.has(name)) throw new Error(`metadata ${name} is written by the store itself`);
  }
}

/** Empties the state and trie tables of a store that holds only a restore's chunks, marker last. */
export function clearRestoredState(db: StateDatabase): void {
  db.meta.putSync(RESTORING_KEY, new Uint8Array([1]));
  db.state.clearSync();
  db.trieNodes.clearSync();
  db.meta.removeSync(TRIE_ROOT_KEY);
  db.meta.removeSync(RESTORING_KEY);
}
