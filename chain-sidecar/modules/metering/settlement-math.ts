// Settlement arithmetic: price is per SCU-hour, so amount = price × scu × seconds / 3600, in integers.
//
// Rounding: each interval pays ⌊(price × units × seconds + carry) / (3600 × unitsPerScu)⌋ and carries the remainder
// to the pod's next interval, so over any sequence of intervals a pod pays exactly
// ⌊price × Σ(units × seconds) / (3600 × unitsPerScu)⌋. Reserved billing counts whole SCU (unitsPerScu 1, carry below
// 3600, as it always has); used billing counts milli-SCU (unitsPerScu 1000, carry below 3_600_000). A pod's contract
// never changes its billing, so each pod's carry stays in one unit.
// The validators' fee is ⌊charged × feeBps / 10000⌋ per interval; the rounding remainder stays with the contributor.
import type { BillingMode } from "../market/market-types.js";

export const SECONDS_PER_HOUR = 3600n;
export const BPS = 10_000n;
/** Milli-SCU per SCU: the unit used billing counts in. */
export const MILLI = 1000n;

export function intervalAmount(
  pricePerScuHour: bigint,
  scu: bigint,
  seconds: bigint,
  carry: bigint,
  unitsPerScu = 1n,
): { amount: bigint; carry: bigint } {
  const numerator = pricePerScuHour * scu * seconds + carry;
  const denominator = SECONDS_PER_HOUR * unitsPerScu;
  return { amount: numerator / denominator, carry: numerator % denominator };
}

export function feeOf(charged: bigint, feeBps: number): bigint {
  return (charged * BigInt(feeBps)) / BPS;
}

/** The chain's definition of one SCU (poc parameters), as far as usage is measured. */
export interface ScuUnit {
  scuCpuMillicores: number;
  scuMemoryBytes: number;
}

/** A record's measured averages; absent when the record carried no measurement. */
export interface Usage {
  cpuMillicores: bigint;
  memoryBytes: bigint;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** Measured use in milli-SCU: the larger share of CPU or memory, rounded up, at most the reservation. */
export function usedMilliScu(scu: bigint, usage: Usage, unit: ScuUnit): bigint {
  const cpu = ceilDiv(usage.cpuMillicores * MILLI, BigInt(unit.scuCpuMillicores));
  const memory = ceilDiv(usage.memoryBytes * MILLI, BigInt(unit.scuMemoryBytes));
  const used = cpu > memory ? cpu : memory;
  const cap = scu * MILLI;
  return used < cap ? used : cap;
}

/** What one record bills, as `units` per second in SCU / `unitsPerScu`: the reservation, or measured use. */
export function billedUnits(
  billing: BillingMode,
  scu: bigint,
  usage: Usage | undefined,
  unit: ScuUnit,
): { units: bigint; unitsPerScu: bigint } {
  if (billing === "reserved") return { units: scu, unitsPerScu: 1n };
  return { units: usage === undefined ? scu * MILLI : usedMilliScu(scu, usage, unit), unitsPerScu: MILLI };
}
