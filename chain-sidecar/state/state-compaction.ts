// Compaction of a stopped node's state file. LMDB reuses the pages a deletion frees but never gives them back to the
// file system, so after pruning most of a large state the file keeps its high-water size; a compacting copy
// (mdb_env_copy2 with MDB_CP_COMPACT) holds only live pages, and replaces the file in one rename.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { CommittedStore } from "./committed-store.js";
import { openStateDatabase, stateDatabaseFile } from "./state-database.js";

export interface CompactionResult {
  readonly beforeBytes: number;
  readonly afterBytes: number;
}

/** Rewrites the state file in `dataDir` with only its live pages; refused while another process has it open. */
export async function compactStateFile(dataDir: string): Promise<CompactionResult> {
  await refuseIfOpenElsewhere(dataDir);
  // Opening and closing the store writes any logged blocks into the tables first, so the copy is the last commit.
  await (await CommittedStore.open(dataDir)).close();
  const file = stateDatabaseFile(dataDir);
  const beforeBytes = statSync(file).size;
  const copy = `${file}.compacting`;
  rmSync(copy, { force: true });
  const db = openStateDatabase(dataDir);
  try {
    await db.root.backup(copy, true);
  } catch (error) {
    rmSync(copy, { force: true });
    throw error;
  } finally {
    await db.root.close();
  }
  // The copy is on the device before the rename, and the rename before we return: a crash leaves either file whole.
  syncPath(copy);
  renameSync(copy, file);
  syncPath(dataDir);
  return { beforeBytes, afterBytes: statSync(file).size };
}

/** fsync of a file or a directory (so a rename in it is on the device). */
export function syncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** LMDB's reader table lists every process with the file open (a running node always has a reader slot). */
async function refuseIfOpenElsewhere(dataDir: string): Promise<void> {
  const db = openStateDatabase(dataDir);
  try {
    const others = db.root
      .readerList()
      .split("\n")
      .slice(1)
      .map((line) => Number(line.trim().split(/\s+/)[0]))
      .filter((pid) => Number.isInteger(pid) && pid > 0 && pid !== process.pid);
    if (others.length > 0) {
      throw new Error(
        `the state in ${dataDir} is open in process ${[...new Set(others)].join(", ")}: stop the node before compacting`,
      );
    }
  } finally {
    await db.root.close();
  }
}
