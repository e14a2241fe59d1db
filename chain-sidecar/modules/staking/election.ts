// Choosing the validator set: the heaviest eligible validators, ties broken by operator address, powers fitted to CometBFT.

/** CometBFT's limit on the total voting power of a validator set (MaxInt64 / 8). */
export const MAX_TOTAL_VOTING_POWER = 1_152_921_504_606_846_975n;

export interface Candidate {
  operator: string;
  weight: bigint;
}

export interface Elected {
  operator: string;
  weight: bigint;
  power: bigint;
}

/** Heavier first; equal weights in ascending operator address order (lowercase hex sorts as the address bytes). */
export function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.weight !== b.weight) return a.weight > b.weight ? -1 : 1;
  return a.operator < b.operator ? -1 : a.operator > b.operator ? 1 : 0;
}

/** The top `maxValidators` candidates with positive weight, with CometBFT powers. */
export function elect(candidates: readonly Candidate[], maxValidators: number): Elected[] {
  const chosen = candidates
    .filter((c) => c.weight > 0n)
    .sort(compareCandidates)
    .slice(0, maxValidators);
  const total = chosen.reduce((sum, c) => sum + c.weight, 0n);
  return chosen.map((c) => ({
    operator: c.operator,
    weight: c.weight,
    power: votingPower(c.weight, total, chosen.length),
  }));
}

/**
 * The weight itself when the set's total fits CometBFT's limit, otherwise scaled down proportionally (at least 1).
 * The scaled target leaves room for the `setSize` round-ups to 1, so the total never exceeds the limit.
 */
export function votingPower(weight: bigint, totalWeight: bigint, setSize: number): bigint {
  if (totalWeight <= MAX_TOTAL_VOTING_POWER) return weight;
  const scaled = (weight * (MAX_TOTAL_VOTING_POWER - BigInt(setSize))) / totalWeight;
  return scaled > 0n ? scaled : 1n;
}
