// Usage samples per pod, one per metering round, and the average a record of [from, to] carries: the mean of the
// samples taken within it, ends included (the sample at `from` closed the previous record too), so with one round
// per interval a record averages its two ends; with a single sample, that sample.
import type { ChainScuParams } from "../../units/scu-scale.js";
import type { PodUsage } from "./pod-usage.js";

/** Samples kept per pod when billing stalls (refused or unknown batches); the oldest go first. */
const MAX_SAMPLES = 64;
/** The chain refuses a measurement above 1000 times the reservation (MAX_USAGE_PER_SCU in metering-checks.ts). */
const MAX_USAGE_PER_SCU = 1000n;
const MAX_UINT32 = 2n ** 32n - 1n;

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Usage within what the chain accepts of `scu` SCU; billing caps far lower (at the reservation), so no bill changes. */
export function withinChainLimits(
  usage: PodUsage,
  scu: number,
  unit: Pick<ChainScuParams, "scuCpuMillicores" | "scuMemoryBytes">,
): PodUsage {
  const cpuMax = MAX_USAGE_PER_SCU * BigInt(scu) * BigInt(unit.scuCpuMillicores);
  const memoryMax = MAX_USAGE_PER_SCU * BigInt(scu) * BigInt(unit.scuMemoryBytes);
  return {
    cpuMillicores: min(usage.cpuMillicores, min(cpuMax, MAX_UINT32)),
    memoryBytes: min(usage.memoryBytes, memoryMax),
  };
}

interface Sample extends PodUsage {
  /** Unix seconds. */
  at: number;
}

function roundedMean(sum: bigint, count: bigint): bigint {
  return (2n * sum + count) / (2n * count);
}

export class UsageSamples {
  private readonly pods = new Map<string, Sample[]>();

  add(podUid: string, at: number, usage: PodUsage): void {
    const samples = this.pods.get(podUid) ?? [];
    samples.push({ at, ...usage });
    if (samples.length > MAX_SAMPLES) samples.shift();
    this.pods.set(podUid, samples);
  }

  /** The mean use over the samples taken in [from, to]; undefined when none was (the record goes unmeasured). */
  average(podUid: string, from: number, to: number): PodUsage | undefined {
    const within = (this.pods.get(podUid) ?? []).filter((s) => s.at >= from && s.at <= to);
    if (within.length === 0) return undefined;
    const count = BigInt(within.length);
    let cpu = 0n;
    let memory = 0n;
    for (const s of within) {
      cpu += s.cpuMillicores;
      memory += s.memoryBytes;
    }
    return { cpuMillicores: roundedMean(cpu, count), memoryBytes: roundedMean(memory, count) };
  }

  /** Forgets samples before `billedTo`, which no record will cover again. */
  billed(podUid: string, billedTo: number): void {
    const samples = this.pods.get(podUid);
    if (samples === undefined) return;
    const kept = samples.filter((s) => s.at >= billedTo);
    if (kept.length === 0) this.pods.delete(podUid);
    else this.pods.set(podUid, kept);
  }

  /** Drops pods no longer billed, so the samples do not grow without bound. */
  retain(live: ReadonlySet<string>): void {
    for (const podUid of this.pods.keys()) if (!live.has(podUid)) this.pods.delete(podUid);
  }
}
