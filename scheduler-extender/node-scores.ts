// The prioritize verb's scores: PoC partition round-robin through the placement helper, and contributor spread.
import { rankForPod, type PlacementParams, type RankedNode } from "../chain-sidecar/modules/poc/placement.js";
import type { ClusterState } from "./cluster-state.js";

/** kube-scheduler's MaxExtenderPriority: extender scores run 0…10. */
export const MAX_EXTENDER_PRIORITY = 10;

export interface HostScore {
  readonly Host: string;
  readonly Score: number;
}

/**
 * Lexicographic bands, so one band always beats the next whatever the node's rank inside it:
 * first spread (the node's contributor runs no replica of the contract yet), then the PoC ranking.
 *
 *   no replica yet:  chosen tier 10/9/8 (top/middle/bottom third by PoC), fallback tiers 7, 6, then 5
 *   has a replica:   chosen tier 4/3 (upper/lower half by PoC),           fallback tiers 2, 1, then 0
 */
export function bandScore(
  node: Pick<RankedNode, "group" | "rankInTier" | "tierSize">,
  contributorHasReplica: boolean,
): number {
  if (!contributorHasReplica) {
    if (node.group === 0) return 10 - Math.floor((3 * node.rankInTier) / node.tierSize);
    return Math.max(5, 7 - (node.group - 1));
  }
  if (node.group === 0) return 4 - Math.floor((2 * node.rankInTier) / node.tierSize);
  return Math.max(0, 2 - (node.group - 1));
}

export function scoreNodes(
  state: ClusterState,
  podUid: string,
  contractKey: string,
  nodeNames: readonly string[],
  params: PlacementParams,
): HostScore[] {
  const { candidates, unknown } = state.candidatesByPoc(nodeNames);
  const { ranking } = rankForPod(candidates, podUid, params);
  const replicas = state.replicasByContributor(contractKey);
  const scores: HostScore[] = [];
  for (const node of ranking) {
    const hasReplica = replicas.size > 0 && (replicas.get(node.candidate.view.owner) ?? 0) > 0;
    scores.push({ Host: node.name, Score: bandScore(node, hasReplica) });
  }
  // Nodes without a ContributorNode only reach here when no filter ran; they get the lowest score.
  for (const name of unknown) scores.push({ Host: name, Score: 0 });
  return scores;
}
