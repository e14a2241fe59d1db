// Partition round-robin placement: PoC tiers, a weighted tier pick from the pod's UID, PoC order within a tier.
//
// Rule, deterministic so every chain node and every scheduler replica computes the same answer:
// 1. Tiers are rank quantiles of the candidates. Sort by PoC descending (ties: name ascending, by code unit);
//    with K = tierWeights.length tiers, position i of n falls in tier floor(i·K/n). Nodes of equal PoC share
//    the tier of the highest-ranked of them, so a tie never splits across a boundary. Tier 0 holds the highest PoC.
// 2. The pod's tier is a weighted pick: r = first 8 bytes (big-endian) of sha256(domain ‖ podUid) mod Σweights,
//    tier = the first k whose cumulative weight exceeds r. Default weights 4:3:2:1 give 40/30/20/10 %.
// 3. When the picked tier has no candidate, the next lower tier is tried, wrapping to the top; the ranking lists
//    the chosen tier first and then the others in that same order, each by PoC descending (ties: name ascending).
import { createHash } from "node:crypto";

/** A node that may take the pod, with its contributor's total Proof of Contribution. */
export interface PlacementCandidate {
  readonly name: string;
  readonly poc: bigint;
}

export interface PlacementParams {
  /** One positive integer weight per tier, highest-PoC tier first, never increasing down the tiers. */
  readonly tierWeights: readonly number[];
}

export const DEFAULT_PLACEMENT_PARAMS: PlacementParams = { tierWeights: [4, 3, 2, 1] };

/** Domain separation, so the placement hash of a UID is unrelated to any other hash of it. */
export const PLACEMENT_HASH_DOMAIN = "uranus/poc-placement/v1\n";

export interface RankedNode<C extends PlacementCandidate = PlacementCandidate> {
  /** The candidate as given, so callers keep whatever they attached to it. */
  readonly candidate: C;
  readonly name: string;
  readonly poc: bigint;
  /** 0 is the highest-PoC tier. */
  readonly tier: number;
  /** 0 for the chosen tier, 1 for the first fallback tier, and so on. */
  readonly group: number;
  /** Position within the node's own tier, 0 being its highest PoC. */
  readonly rankInTier: number;
  /** Number of candidates in the node's tier. */
  readonly tierSize: number;
}

export interface PlacementRanking<C extends PlacementCandidate = PlacementCandidate> {
  /** The tier the UID's hash picked. */
  readonly pickedTier: number;
  /** The first tier, from the picked one onwards, that has a candidate; undefined without candidates. */
  readonly chosenTier: number | undefined;
  /** Every candidate: the chosen tier first, then the fallback tiers in order. */
  readonly ranking: readonly RankedNode<C>[];
}

export class PlacementInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlacementInputError";
  }
}

/** Throws a PlacementInputError naming the first bad weight. */
export function validatePlacementParams(params: PlacementParams): void {
  const weights = params.tierWeights;
  if (weights.length === 0) throw new PlacementInputError("tierWeights must name at least one tier");
  weights.forEach((weight, tier) => {
    if (!Number.isSafeInteger(weight) || weight <= 0) {
      throw new PlacementInputError(`tierWeights[${tier}] must be a positive integer, got ${weight}`);
    }
    if (tier > 0 && weight > weights[tier - 1]!) {
      throw new PlacementInputError(
        `tierWeights must not increase from the highest tier down: tierWeights[${tier}]=${weight} > ` +
          `tierWeights[${tier - 1}]=${weights[tier - 1]}`,
      );
    }
  });
}

/** Code-unit order, independent of locale, so every machine sorts names alike. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPocThenName(a: PlacementCandidate, b: PlacementCandidate): number {
  if (a.poc !== b.poc) return a.poc > b.poc ? -1 : 1;
  return compareNames(a.name, b.name);
}

/** The tier the pod's UID picks, before any fallback. */
export function pickTier(podUid: string, params: PlacementParams = DEFAULT_PLACEMENT_PARAMS): number {
  validatePlacementParams(params);
  if (podUid === "") throw new PlacementInputError("pod UID must not be empty");
  const digest = createHash("sha256").update(PLACEMENT_HASH_DOMAIN).update(podUid).digest();
  const total = params.tierWeights.reduce((sum, weight) => sum + weight, 0);
  const draw = Number(digest.readBigUInt64BE(0) % BigInt(total));
  let cumulative = 0;
  for (let tier = 0; tier < params.tierWeights.length; tier++) {
    cumulative += params.tierWeights[tier]!;
    if (draw < cumulative) return tier;
  }
  throw new Error("unreachable: the draw is below the total weight");
}

/** A sorted copy of the candidates (PoC descending, ties by name) and each one's tier; rejects duplicate names. */
function sortAndTier<C extends PlacementCandidate>(
  candidates: readonly C[],
  tierCount: number,
): { sorted: C[]; tiers: Uint32Array } {
  if (!Number.isSafeInteger(tierCount) || tierCount <= 0) {
    throw new PlacementInputError(`tier count must be a positive integer, got ${tierCount}`);
  }
  const names = new Set<string>();
  for (const { name } of candidates) {
    if (names.has(name)) throw new PlacementInputError(`candidate ${JSON.stringify(name)} is listed twice`);
    names.add(name);
  }
  const sorted = [...candidates].sort(byPocThenName);
  const n = sorted.length;
  const tiers = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    tiers[i] =
      i > 0 && sorted[i - 1]!.poc === sorted[i]!.poc ? tiers[i - 1]! : Math.floor((i * tierCount) / n);
  }
  return { sorted, tiers };
}

/** Candidates sorted by PoC descending (ties by name) with their tier; rejects duplicate names. */
export function partitionIntoTiers<C extends PlacementCandidate>(
  candidates: readonly C[],
  tierCount: number,
): { node: C; tier: number }[] {
  const { sorted, tiers } = sortAndTier(candidates, tierCount);
  return sorted.map((node, i) => ({ node, tier: tiers[i]! }));
}

/** The full placement ranking of the candidates for one pod. */
export function rankForPod<C extends PlacementCandidate>(
  candidates: readonly C[],
  podUid: string,
  params: PlacementParams = DEFAULT_PLACEMENT_PARAMS,
): PlacementRanking<C> {
  const pickedTier = pickTier(podUid, params);
  const tierCount = params.tierWeights.length;
  const { sorted, tiers: tierOf } = sortAndTier(candidates, tierCount);
  const tiers: C[][] = Array.from({ length: tierCount }, () => []);
  for (let i = 0; i < sorted.length; i++) tiers[tierOf[i]!]!.push(sorted[i]!);

  const ranking: RankedNode<C>[] = [];
  let chosenTier: number | undefined;
  let group = 0;
  for (let step = 0; step < tierCount; step++) {
    const tier = (pickedTier + step) % tierCount;
    const members = tiers[tier]!;
    if (members.length === 0) continue;
    chosenTier ??= tier;
    members.forEach((node, rankInTier) => {
      ranking.push({
        candidate: node,
        name: node.name,
        poc: node.poc,
        tier,
        group,
        rankInTier,
        tierSize: members.length,
      });
    });
    group++;
  }
  return { pickedTier, chosenTier, ranking };
}
