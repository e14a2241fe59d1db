// The prioritize verb's scores: PoC partition round-robin (the placement helper's rule) and contributor spread.
import { pickTier, type PlacementParams, type RankedNode } from "../chain-sidecar/modules/poc/poc-types.js";
import type { ClusterState, ContributorCandidate } from "./cluster-state.js";

/** kube-scheduler's MaxExtenderPriority: extender scores run 0…10. */
export const MAX_EXTENDER_PRIORITY = 10;

export interface HostScore {
  readonly Host: string;
  readonly Score: number;
}

/** Scores of one prioritize request: `scores[i]` belongs to `candidates[i]`; unknown nodes score 0. */
export interface NodeScores {
  readonly candidates: readonly ContributorCandidate[];
  readonly scores: Uint8Array;
  readonly unknown: readonly string[];
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

/**
 * The placement helper's ranking (rankForPod) of candidates in PoC order (see ClusterState.candidatesByPoc): position i of n falls
 * in tier floor(i·K/n), equal PoC shares the tier of its first node, and tiers count as groups from the UID's pick
 * onwards. Computed here over precomputed PoC ranks because the helper sorts and checks its input again for every
 * pod; a property test holds the two equal.
 */
export function scoreCandidates(
  state: ClusterState,
  podUid: string,
  contractKey: string,
  { candidates, unknown }: { candidates: readonly ContributorCandidate[]; unknown: readonly string[] },
  params: PlacementParams,
): NodeScores {
  const n = candidates.length;
  const tierCount = params.tierWeights.length;
  const tierOf = new Uint32Array(n);
  const tierStart = new Int32Array(tierCount).fill(-1);
  const tierSize = new Uint32Array(tierCount);
  for (let i = 0; i < n; i++) {
    const tier =
      i > 0 && candidates[i]!.pocTieRank === candidates[i - 1]!.pocTieRank
        ? tierOf[i - 1]!
        : Math.floor((i * tierCount) / n);
    tierOf[i] = tier;
    if (tierStart[tier] === -1) tierStart[tier] = i;
    tierSize[tier]!++;
  }
  const groupOf = new Uint32Array(tierCount);
  const picked = pickTier(podUid, params);
  let group = 0;
  for (let step = 0; step < tierCount; step++) {
    const tier = (picked + step) % tierCount;
    if (tierSize[tier]! > 0) groupOf[tier] = group++;
  }
  const replicas = state.replicasByContributor(contractKey);
  const scores = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const tier = tierOf[i]!;
    const hasReplica = replicas.size > 0 && (replicas.get(candidates[i]!.view.owner) ?? 0) > 0;
    scores[i] = bandScore(
      { group: groupOf[tier]!, rankInTier: i - tierStart[tier]!, tierSize: tierSize[tier]! },
      hasReplica,
    );
  }
  return { candidates, scores, unknown };
}

/** The scores as kube-scheduler's HostPriority list. */
export function scoreNodes(
  state: ClusterState,
  podUid: string,
  contractKey: string,
  nodeNames: readonly string[],
  params: PlacementParams,
): HostScore[] {
  const { candidates, scores, unknown } = scoreCandidates(
    state,
    podUid,
    contractKey,
    state.candidatesByPoc(nodeNames),
    params,
  );
  // Nodes without a ContributorNode only reach here when no filter ran; they get the lowest score.
  return [
    ...candidates.map((candidate, i) => ({ Host: candidate.name, Score: scores[i]! })),
    ...unknown.map((name) => ({ Host: name, Score: 0 })),
  ];
}

/** `<score>}` for each score, to close a node's pre-escaped `{"Host":…,"Score":` fragment. */
const SCORE_ENDINGS = Array.from({ length: MAX_EXTENDER_PRIORITY + 1 }, (_, score) => `${score}}`);

/** The HostPriority list as JSON, from each node's pre-escaped fragment: no object per node, no stringify. */
export function scoresJson({ candidates, scores, unknown }: NodeScores): string {
  let json = "[";
  for (let i = 0; i < candidates.length; i++) {
    if (i > 0) json += ",";
    json += candidates[i]!.hostJson;
    json += SCORE_ENDINGS[scores[i]!]!;
  }
  for (let i = 0; i < unknown.length; i++) {
    if (candidates.length + i > 0) json += ",";
    json += `{"Host":${JSON.stringify(unknown[i]!)},"Score":0}`;
  }
  return json + "]";
}
