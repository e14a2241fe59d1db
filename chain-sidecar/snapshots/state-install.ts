// Installs a restored snapshot as the committed state of an empty store, only if its entries hash to the app hash
// CometBFT's light client trusts; otherwise the trie goes back to empty so another snapshot can be tried.
import type { CommittedStore } from "../state/committed-store.js";
import type { StateEntry } from "../state/state-access.js";

export async function installCommittedState(
  store: CommittedStore,
  entries: StateEntry[],
  height: number,
  appHash: Uint8Array,
): Promise<boolean> {
  if (store.height > 0)
    throw new Error(`a snapshot cannot be installed over state at height ${store.height}`);
  if (Buffer.compare(await store.trie.apply(entries), appHash) !== 0) {
    store.trie.revert();
    return false;
  }
  await store.commit(entries, height, appHash);
  return true;
}
