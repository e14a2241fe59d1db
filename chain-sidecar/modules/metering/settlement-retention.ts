// Per-pod settlements of closed contracts leave consensus state once the retention window after the closing has
// passed. A closing queues the contract under its due time; blocks (with transactions) then delete at most
// prunePerBlock due settlements, oldest due first, in key order, so the work per block is bounded and every node
// deletes the same keys. Each node's archive index keeps the deleted records (app/settlement-archive.ts).
import { encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import type { BlockInfo } from "../exec-context.js";
import { readParams } from "../params/params-keeper.js";
import { meteringParams } from "./metering-params.js";
import {
  BY_CONTRACT_PREFIX,
  PRUNE_PREFIX,
  byContributorKey,
  podKey,
  pruneKey,
  pruneKeyAfter,
  readPodSettlement,
} from "./metering-records.js";

/** Queues a closed contract's settlements for removal after the retention window (none when it is 0). */
export function queueClosedContract(state: StateWriter, contractId: string, closedAtSeconds: number): void {
  const { settlementRetentionSeconds } = readParams(state, meteringParams);
  if (settlementRetentionSeconds === 0) return;
  state.set(pruneKey(closedAtSeconds + settlementRetentionSeconds, contractId), encodeRecord({ contractId }));
}

export interface PrunedContract {
  readonly contractId: string;
  /** Settlements removed from state in this block. */
  readonly pods: number;
  /** Whether the contract has none left (its queue entry is gone too). */
  readonly done: boolean;
}

/** Removes up to prunePerBlock settlements whose contract's retention has passed at block time. */
export function pruneDueSettlements(state: StateWriter, block: BlockInfo): PrunedContract[] {
  let budget = readParams(state, meteringParams).prunePerBlock;
  const now = Math.floor(block.timeMs / 1000);
  const pruned: PrunedContract[] = [];
  // Both scans are bounded by the budget (one more pod, to know whether a contract has any left).
  for (const [queueKey] of state.entries(PRUNE_PREFIX, { to: pruneKeyAfter(now), limit: budget })) {
    if (budget === 0) break;
    const contractId = queueKey.slice(queueKey.lastIndexOf("/") + 1);
    const indexed = state.entries(`${BY_CONTRACT_PREFIX}${contractId}/`, { limit: budget + 1 });
    const taken = indexed.slice(0, budget);
    for (const [indexKey] of taken) {
      const podUid = indexKey.slice(indexKey.lastIndexOf("/") + 1);
      const pod = readPodSettlement(state, podUid);
      state.delete(indexKey);
      if (pod === undefined) continue;
      state.delete(podKey(podUid));
      state.delete(byContributorKey(pod.contributor, podUid));
    }
    budget -= taken.length;
    const done = taken.length === indexed.length;
    if (done) state.delete(queueKey);
    pruned.push({ contractId, pods: taken.length, done });
  }
  return pruned;
}

/** Metering's answer to the market's SettlementReader: a pod's billed time, and closings queued for pruning. */
export const settlementReader = {
  billedTo: (state: StateReader, podUid: string): number => readPodSettlement(state, podUid)?.billedTo ?? 0,
  contractClosed: queueClosedContract,
};
