// The PoC a ContributorNode's status shows: the chain's scores, but not rewritten for every heartbeat's accrual.
import type { NodeStanding } from "../../chain-sidecar/client/chain-views.js";
import type { ProofOfContribution } from "../../crds/types.js";

/** How old (in blocks) shown scores that only accrued may get before they are shown again. */
export const POC_REFRESH_BLOCKS = 60;
/** How often a ContributorNode with a score reads its standing again: about POC_REFRESH_BLOCKS of one-second blocks. */
export const POC_REFRESH_MS = 60_000;

function pocInteger(value: string): number {
  const n = BigInt(value);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

/**
 * Basic and chain scores accrue with every heartbeat: shown again only every POC_REFRESH_BLOCKS, so a large cluster
 * does not write every ContributorNode's status each interval. A service change (a breach, a rating) shows at once,
 * and so does a first score: the scheduler extender places only on nodes with one.
 */
export function shownPoc(
  shown: ProofOfContribution | undefined,
  scores: NodeStanding["poc"],
  latestHeight: number,
): ProofOfContribution {
  const poc = {
    basic: pocInteger(scores.basic),
    service: pocInteger(scores.service),
    chain: pocInteger(scores.chain),
    total: pocInteger(scores.total),
  };
  const current =
    shown !== undefined &&
    shown.service === poc.service &&
    (shown.total > 0 || poc.total === 0) &&
    ((shown.basic === poc.basic && shown.chain === poc.chain) ||
      latestHeight - (shown.height ?? 0) < POC_REFRESH_BLOCKS);
  return current ? shown : { ...poc, height: latestHeight };
}
