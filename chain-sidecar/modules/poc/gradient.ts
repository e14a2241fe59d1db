// The gradient of a measured value: its bucketed level, where each bucket doubles the one before.
//
// level 0 below `bucket`; level k for bucket·2^(k−1) ≤ value < bucket·2^k; never above `levels`.
// Doubling buckets need one parameter per resource and reward each doubling of capacity equally.
export function gradientLevel(value: bigint, bucket: bigint, levels: number): bigint {
  if (bucket <= 0n) throw new Error(`gradient bucket must be positive, got ${bucket}`);
  if (value < bucket) return 0n;
  let level = 1n;
  let threshold = bucket * 2n;
  const top = BigInt(levels);
  while (level < top && value >= threshold) {
    level += 1n;
    threshold *= 2n;
  }
  return level;
}
