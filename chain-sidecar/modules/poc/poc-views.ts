// JSON views of contributor nodes and the PoC economy for queries: stored fields plus the scores computed now.
import type { JsonValue } from "../../state/canonical-json.js";
import type { StateReader } from "../../state/state-access.js";
import type { BlockInfo } from "../exec-context.js";
import { readParams } from "../params/params-keeper.js";
import { readCoefficients, readSupply, type PocKeeper } from "./poc-keeper.js";
import { pocParams } from "./poc-params.js";
import { amountsToJson, type ContributorRecord } from "./poc-records.js";
import { rankForPod, type PlacementParams } from "./placement.js";

export type ViewBlock = Pick<BlockInfo, "height" | "timeMs">;

export function nodeView(
  poc: PocKeeper,
  state: StateReader,
  node: ContributorRecord,
  block: ViewBlock,
): JsonValue {
  const { scores, total } = poc.nodeStanding(state, node, block);
  return {
    nodeId: node.nodeId,
    owner: node.owner,
    operator: node.operator,
    region: node.region,
    isolation: node.isolation,
    pricePerScuHour: node.pricePerScuHour.toString(),
    capacity: amountsToJson(node.capacity),
    online: node.online,
    onlineSinceMs: node.onlineSinceMs,
    lastHeartbeatHeight: node.lastHeartbeatHeight,
    heartbeats: node.heartbeats,
    misses: node.misses,
    activeLeases: node.activeLeases,
    completedLeases: node.completedLeases,
    ratingCount: node.ratingCount,
    ratingSum: node.ratingSum,
    breaches: node.breaches,
    poc: {
      basic: scores.basic.toString(),
      service: scores.service.toString(),
      chain: scores.chain.toString(),
      rate: scores.rate.toString(),
      total: total.toString(),
    },
  };
}

export function economyView(state: StateReader): JsonValue {
  const coefficients = readCoefficients(state);
  const supply = readSupply(state);
  return {
    coefficientsPpm: amountsToJson(coefficients.coef),
    onlineCoefPpm: readParams(state, pocParams).onlineCoefPpm,
    demandScuPerBlockMicro: coefficients.demandScuPerBlockMicro.toString(),
    loadPpm: amountsToJson(coefficients.loadPpm),
    coefficientsUpdatedHeight: coefficients.updatedHeight,
    supply: { onlineNodes: supply.onlineNodes, capacity: amountsToJson(supply.capacity) },
  };
}

/** Tier weights tiers, tiers − 1, …, 1 (higher-PoC tiers weigh more). */
export function placementParams(state: StateReader): PlacementParams {
  const tiers = readParams(state, pocParams).placementTiers;
  return { tierWeights: Array.from({ length: tiers }, (_, i) => tiers - i) };
}

/** Partition round-robin over the online nodes' totals for one pod UID. */
export function placementView(
  poc: PocKeeper,
  state: StateReader,
  nodes: readonly ContributorRecord[],
  podUid: string,
  block: ViewBlock,
): JsonValue {
  const candidates = nodes
    .filter((n) => n.online)
    .map((n) => ({ name: n.nodeId, poc: poc.pocTotal(state, n, block) }));
  const ranking = rankForPod(candidates, podUid, placementParams(state));
  return {
    podUid,
    pickedTier: ranking.pickedTier,
    chosenTier: ranking.chosenTier ?? null,
    ranking: ranking.ranking.map((r) => ({
      nodeId: r.name,
      poc: r.poc.toString(),
      tier: r.tier,
      group: r.group,
    })),
  };
}
