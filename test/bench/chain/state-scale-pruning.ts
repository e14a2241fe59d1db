// The state-scale bench's pruning step: closes the contracts of the oldest pods, lets metering's settlement pruning
// move, then remove their records block by block (the chain's own code, with a 1 s retention and large blocks so the bench is
// quick), and reports the state's size before and after, and the file's size once compacted (`uranus chain compact`).
import type { BlockInfo } from "../../../chain-sidecar/modules/exec-context.js";
import { meteringParams } from "../../../chain-sidecar/modules/metering/metering-params.js";
import {
  retireAndPruneSettlements,
  queueClosedContract,
} from "../../../chain-sidecar/modules/metering/settlement-retention.js";
import { PRUNE_PREFIX, RETIRE_PREFIX } from "../../../chain-sidecar/modules/metering/metering-records.js";
import { readParams, writeParams } from "../../../chain-sidecar/modules/params/params-keeper.js";
import { CommittedStore } from "../../../chain-sidecar/state/committed-store.js";
import { compactStateFile } from "../../../chain-sidecar/state/state-compaction.js";
import { StateOverlay } from "../../../chain-sidecar/state/state-overlay.js";

export interface StateSize {
  keys: number;
  usedBytes: number;
  fileBytes: number;
  trieNodes: number;
}

export interface PruningResult {
  before: StateSize;
  after: StateSize;
  /** The state file's size after `uranus chain compact`. */
  compactedFileBytes: number;
  blocks: number;
  /** Blocks that pruned nothing, only moved settlements of the closings to the closed ones (or looked for them). */
  movingBlocks: number;
  prunedPods: number;
  seconds: number;
}

const PODS_PER_BLOCK = 5000;

function sizeOf(store: CommittedStore): StateSize {
  const storage = store.storageBytes();
  return {
    keys: store.keyCount,
    usedBytes: storage.used,
    fileBytes: storage.file,
    trieNodes: store.trie.nodeCount(),
  };
}

async function commit(store: CommittedStore, overlay: StateOverlay, timeMs: number): Promise<BlockInfo> {
  const changes = overlay.sortedChanges();
  await store.commit(changes, store.height + 1, await store.trie.apply(changes));
  return { height: store.height + 1, chainId: "state-scale", timeMs };
}

/** Closes the contracts `contractIds` at time 0 and prunes their settlements to the end; measures both sides. */
export async function pruneClosedContracts(
  dir: string,
  contractIds: readonly string[],
): Promise<PruningResult> {
  const store = await CommittedStore.open(dir);
  let pruned: Omit<PruningResult, "compactedFileBytes">;
  try {
    const before = sizeOf(store);
    const started = performance.now();
    const closing = new StateOverlay(store);
    writeParams(closing, meteringParams, {
      ...readParams(closing, meteringParams),
      settlementRetentionSeconds: 1,
      prunePerBlock: PODS_PER_BLOCK,
    });
    for (const id of contractIds) queueClosedContract(closing, id, 0);
    let block = await commit(store, closing, 0);
    let blocks = 0;
    let movingBlocks = 0;
    let prunedPods = 0;
    for (;;) {
      const overlay = new StateOverlay(store);
      const due = retireAndPruneSettlements(overlay, { ...block, timeMs: 10_000 });
      prunedPods += due.reduce((sum, contract) => sum + contract.pods, 0);
      if (due.length === 0) movingBlocks++;
      block = await commit(store, overlay, 10_000);
      blocks++;
      // The first blocks only move the closings' settlements (here already closed ones): done once nothing is queued.
      if (![RETIRE_PREFIX, PRUNE_PREFIX].some((prefix) => store.entries(prefix, { limit: 1 }).length > 0))
        break;
    }
    pruned = {
      before,
      after: sizeOf(store),
      blocks,
      movingBlocks,
      prunedPods,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await store.close();
  }
  return { ...pruned, compactedFileBytes: (await compactStateFile(dir)).afterBytes };
}
