// Settlement arithmetic: price is per SCU-hour, so amount = price × scu × seconds / 3600, in integers.
//
// Rounding: each interval pays ⌊(price × scu × seconds + carry) / 3600⌋ and carries the remainder (< 3600) to the
// pod's next interval, so over any sequence of intervals a pod pays exactly ⌊price × scu × Σseconds / 3600⌋.
// The validators' fee is ⌊charged × feeBps / 10000⌋ per interval; the rounding remainder stays with the contributor.

export const SECONDS_PER_HOUR = 3600n;
export const BPS = 10_000n;

export function intervalAmount(
  pricePerScuHour: bigint,
  scu: bigint,
  seconds: bigint,
  carry: bigint,
): { amount: bigint; carry: bigint } {
  const numerator = pricePerScuHour * scu * seconds + carry;
  return { amount: numerator / SECONDS_PER_HOUR, carry: numerator % SECONDS_PER_HOUR };
}

export function feeOf(charged: bigint, feeBps: number): bigint {
  return (charged * BigInt(feeBps)) / BPS;
}
