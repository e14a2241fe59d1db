// Per-pod settlements of closed contracts first move out of the live ones (metering/pod/ to metering/closedpod/), then
// leave consensus state once the retention window after the closing has passed. A closing queues the contract for
// both; blocks (with transactions) then move or delete at most prunePerBlock settlements, in key order (pruning oldest
// due first), so the work per block is bounded and every node changes the same keys. Each node's archive index keeps
// the deleted records (app/settlement-archive.ts).
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import type { BlockInfo } from "../exec-context.js";
import { readParams } from "../params/params-keeper.js";
import { meteringParams } from "./metering-params.js";
import {
  BY_CONTRACT_PREFIX,
  PRUNE_PREFIX,
  RETIRE_PREFIX,
  byContractKey,
  byContributorKey,
  closedPodKey,
  podKey,
  pruneKey,
  pruneKeyAfter,
  decodePod,
  readPodSettlement,
  retireKey,
} from "./metering-records.js";

/**
 * Queues a closed contract's settlements: first to move to the closed ones (no batch updates them again), then for
 * removal after the retention window (none when it is 0).
 */
export function queueClosedContract(state: StateWriter, contractId: string, closedAtSeconds: number): void {
  state.set(retireKey(closedAtSeconds, contractId), encodeRecord({ contractId, after: "" }));
  const { settlementRetentionSeconds } = readParams(state, meteringParams);
  if (settlementRetentionSeconds === 0) return;
  state.set(
    pruneKey(closedAtSeconds + settlementRetentionSeconds, contractId),
    encodeRecord({ contractId, closedAt: closedAtSeconds }),
  );
}

export interface PrunedContract {
  readonly contractId: string;
  /** Settlements removed from state in this block. */
  readonly pods: number;
  /** Whether the contract has none left (its queue entry is gone too). */
  readonly done: boolean;
}

/** Up to `budget` of a contract's pods in UID order, after `after` when given, and whether they are its last. */
function contractPods(
  state: StateReader,
  contractId: string,
  budget: number,
  after = "",
): { podUids: string[]; last: boolean } {
  const prefix = `${BY_CONTRACT_PREFIX}${contractId}/`;
  // One more than the budget, to know whether the contract has any left.
  const from = after === "" ? {} : { from: `${prefix}${after}\u0000` };
  const indexed = state.entries(prefix, { ...from, limit: budget + 1 });
  return {
    podUids: indexed.slice(0, budget).map(([indexKey]) => indexKey.slice(prefix.length)),
    last: indexed.length <= budget,
  };
}

/**
 * Moves settlements of closed contracts to the closed ones, oldest closing first, at most `budget` pods (in pod UID
 * order, the queue entry keeping the last one looked at); returns the budget left and the contracts it worked on.
 */
function retireClosedSettlements(
  state: StateWriter,
  budget: number,
): { budget: number; contracts: Set<string> } {
  const contracts = new Set<string>();
  for (const [queueKey, queued] of state.entries(RETIRE_PREFIX, { limit: budget })) {
    if (budget === 0) break;
    const { contractId, after } = decodeRecord(queued) as { contractId: string; after: string };
    contracts.add(contractId);
    const { podUids, last } = contractPods(state, contractId, budget, after);
    for (const podUid of podUids) {
      const live = state.get(podKey(podUid));
      if (live === undefined) continue;
      state.delete(podKey(podUid));
      state.set(closedPodKey(podUid), live);
    }
    budget -= podUids.length;
    if (last) state.delete(queueKey);
    else state.set(queueKey, encodeRecord({ contractId, after: podUids[podUids.length - 1]! }));
  }
  return { budget, contracts };
}

/**
 * Moves closed contracts' settlements, then removes those whose contract's retention has passed at block time: up to
 * prunePerBlock pods in all. A contract is pruned only once all its settlements have moved, so every pruned (and
 * archived) settlement is a closed one.
 */
export function retireAndPruneSettlements(state: StateWriter, block: BlockInfo): PrunedContract[] {
  const retired = retireClosedSettlements(state, readParams(state, meteringParams).prunePerBlock);
  let budget = retired.budget;
  const now = Math.floor(block.timeMs / 1000);
  const pruned: PrunedContract[] = [];
  for (const [queueKey, queued] of state.entries(PRUNE_PREFIX, { to: pruneKeyAfter(now), limit: budget })) {
    if (budget === 0) break;
    const { contractId, closedAt } = decodeRecord(queued) as { contractId: string; closedAt: number };
    if (retired.contracts.has(contractId) || state.get(retireKey(closedAt, contractId)) !== undefined)
      continue;
    const { podUids, last } = contractPods(state, contractId, budget);
    for (const podUid of podUids) {
      // Every settlement of the contract is a closed one by now: the move came first.
      const bytes = state.get(closedPodKey(podUid));
      state.delete(byContractKey(contractId, podUid));
      if (bytes === undefined) continue;
      state.delete(closedPodKey(podUid));
      state.delete(byContributorKey(decodePod(bytes).contributor, podUid));
    }
    budget -= podUids.length;
    if (last) state.delete(queueKey);
    pruned.push({ contractId, pods: podUids.length, done: last });
  }
  return pruned;
}

/** Metering's answer to the market's SettlementReader: a pod's billed time, and closings queued for pruning. */
export const settlementReader = {
  billedTo: (state: StateReader, podUid: string): number => readPodSettlement(state, podUid)?.billedTo ?? 0,
  contractClosed: queueClosedContract,
};
