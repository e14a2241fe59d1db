// How a state-sync restore goes into the app's store: only before genesis, each step under the trie lock (no block
// applies trie changes meanwhile), and committed with the snapshot block's time beside it as a block's commit would
// be, so CheckTx and queries read that time, not 0, before the node's first block.
import type { Mutex } from "async-mutex";
import type { CommittedStore } from "../state/committed-store.js";
import type { StateInstaller } from "../snapshots/snapshot-restore.js";
import { committedStateInstaller } from "../snapshots/state-install.js";
import { lastBlockMetadata } from "./last-block-record.js";

export function restoreInstaller(
  store: CommittedStore,
  trieLock: Mutex,
  afterGenesis: () => boolean,
  installed: () => void,
): StateInstaller {
  return committedStateInstaller(store, {
    guard: (step) =>
      afterGenesis()
        ? Promise.reject(new Error("a snapshot cannot follow genesis"))
        : trieLock.runExclusive(step),
    installed,
    commitMetadata: lastBlockMetadata,
  });
}
