// Installs a restored snapshot into an empty store, a batch of chunks at a time; it becomes the committed state only if
// all of it hashes to the app hash CometBFT's light client trusts, and is dropped otherwise so another snapshot can be
// tried.
import type { CommittedStore } from "../state/committed-store.js";
import type { StateEntry } from "../state/state-access.js";
import type { StateInstaller } from "./snapshot-restore.js";

/**
 * Entry bytes gathered before they go into the trie and to disk: each pass over the trie rewrites its upper levels,
 * so larger batches restore faster, and this bounds what a restore holds in memory.
 */
export const RESTORE_BATCH_BYTES = 32 * 1024 * 1024;

/** What the store keeps beside a commit (outside the app hash) for the block at a time, e.g. that time. */
export type CommitMetadataAt = (blockTimeMs: number) => [name: string, value: Uint8Array][];

export interface InstallerOptions {
  /** Runs each step (for the app's locks and checks). */
  guard: <T>(step: () => Promise<T>) => Promise<T>;
  /** Runs once a restore became the state. */
  installed: () => void;
  /** RESTORE_BATCH_BYTES unless given. */
  batchBytes?: number;
  /** What the restore commits beside the state for the snapshot's block time, as a block's commit would. */
  commitMetadata?: CommitMetadataAt;
}

export function committedStateInstaller(store: CommittedStore, options: InstallerOptions): StateInstaller {
  const { guard, installed } = options;
  const batchBytes = options.batchBytes ?? RESTORE_BATCH_BYTES;
  const commitMetadata = options.commitMetadata ?? (() => []);
  let batch: StateEntry[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    const entries = batch;
    batch = [];
    bytes = 0;
    if (entries.length > 0) await store.addRestoredEntries(entries);
  };
  return {
    add: (entries) =>
      guard(async () => {
        for (const entry of entries) {
          batch.push(entry);
          bytes += entry[0].length + entry[1].length;
        }
        if (bytes >= batchBytes) await flush();
      }),
    finish: (height, appHash, blockTimeMs) =>
      guard(async () => {
        await flush();
        const done = store.finishRestore(height, appHash, commitMetadata(blockTimeMs));
        if (done) installed();
        return done;
      }),
    abandon: () =>
      guard(() => {
        batch = [];
        bytes = 0;
        store.abandonRestore();
        return Promise.resolve();
      }),
  };
}
