// The three parts of a node's PoC rate per block (basic, service, chain), in ppm points, from the white paper's 5.2.
import { gradientLevel } from "./gradient.js";
import { PPM, type PocParams } from "./poc-params.js";
import type { ContributorRecord, ResourceAmounts } from "./poc-records.js";

export interface ChainStanding {
  /** The owner's own validator deposit plus what it lends to validators. */
  stake: bigint;
  /** Whether the owner has votes recorded for validators. */
  votes: boolean;
}

export interface Scores {
  basic: bigint;
  service: bigint;
  chain: bigint;
  /** basic + service + chain: what the total gains per online block. */
  rate: bigint;
}

const NEUTRAL_RATING = 3n;

export function basicScore(
  node: ContributorRecord,
  coef: ResourceAmounts,
  params: PocParams,
  nowMs: number,
): bigint {
  const levels = params.gradientLevels;
  const c = node.capacity;
  const onlineSeconds = node.online
    ? BigInt(Math.max(0, Math.floor((nowMs - node.onlineSinceMs) / 1000)))
    : 0n;
  return (
    gradientLevel(c.cpu, BigInt(params.cpuBucketMillicores), levels) * coef.cpu +
    gradientLevel(c.memory, BigInt(params.memoryBucketBytes), levels) * coef.memory +
    gradientLevel(c.storage, BigInt(params.storageBucketBytes), levels) * coef.storage +
    gradientLevel(c.bandwidth, BigInt(params.bandwidthBucketMbps), levels) * coef.bandwidth +
    gradientLevel(onlineSeconds, BigInt(params.onlineBucketSeconds), levels) * BigInt(params.onlineCoefPpm)
  );
}

/** Completed leases (by gradient level) plus the average rating's distance from neutral, minus breaches; never below 0. */
export function serviceScore(node: ContributorRecord, params: PocParams): bigint {
  const leases =
    gradientLevel(BigInt(node.completedLeases), 1n, params.gradientLevels) * BigInt(params.leaseWeightPpm);
  const ratings =
    node.ratingCount > 0
      ? ((BigInt(node.ratingSum) - NEUTRAL_RATING * BigInt(node.ratingCount)) *
          BigInt(params.ratingWeightPpm)) /
        BigInt(node.ratingCount)
      : 0n;
  const score = leases + ratings - BigInt(node.breaches) * BigInt(params.breachPenaltyPpm);
  return score > 0n ? score : 0n;
}

/** Heartbeats on time over all heartbeat windows, in ppm (0 before the first heartbeat). */
export function reliabilityPpm(node: ContributorRecord): bigint {
  const windows = BigInt(node.heartbeats + node.misses);
  return windows === 0n ? 0n : (BigInt(node.heartbeats) * PPM) / windows;
}

export function chainScore(node: ContributorRecord, standing: ChainStanding, params: PocParams): bigint {
  const stake =
    gradientLevel(standing.stake, params.stakeBucket, params.gradientLevels) * BigInt(params.stakeWeightPpm);
  const vote = standing.votes ? BigInt(params.voteWeightPpm) : 0n;
  const reliability = (reliabilityPpm(node) * BigInt(params.reliabilityWeightPpm)) / PPM;
  return stake + vote + reliability;
}

export function scoresOf(
  node: ContributorRecord,
  coef: ResourceAmounts,
  standing: ChainStanding,
  params: PocParams,
  nowMs: number,
): Scores {
  const basic = basicScore(node, coef, params, nowMs);
  const service = serviceScore(node, params);
  const chain = chainScore(node, standing, params);
  return { basic, service, chain, rate: basic + service + chain };
}
