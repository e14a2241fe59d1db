// Proof of Contribution parameters: liveness, halving, gradient buckets, score weights, SCU units and the demand controller.
import { defineParams } from "../params/param-section.js";

/** Fixed-point scale of every coefficient and weight: parts per million (1_000_000 = 1.0). */
export const PPM = 1_000_000n;

export interface PocParams {
  /** A node with no heartbeat for this many blocks goes offline. */
  heartbeatWindowBlocks: number;
  /** T: every node's total is halved at each multiple of T blocks. */
  halvingBlocks: number;
  /** Blocks between coefficient updates. */
  epochBlocks: number;
  /** Blocks of demand history the Poisson rate is estimated over. */
  demandWindowBlocks: number;
  /** Mean blocks a requested unit stays in use (Little's law turns the arrival rate into expected load). */
  demandHoldBlocks: number;
  /** The load-to-supply ratio at which a coefficient sits at its base value. */
  targetUtilisationPpm: number;
  /** Empirical correction: the fraction of the gap to the scarcity target closed per epoch. */
  correctionPpm: number;
  coefBasePpm: number;
  coefMinPpm: number;
  coefMaxPpm: number;
  /** Online time has no market demand, so its coefficient is a fixed parameter. */
  onlineCoefPpm: number;
  /** Highest gradient level of any measured value. */
  gradientLevels: number;
  cpuBucketMillicores: number;
  memoryBucketBytes: number;
  storageBucketBytes: number;
  bandwidthBucketMbps: number;
  onlineBucketSeconds: number;
  /** One SCU in each resource (demand is requested in SCU). */
  scuCpuMillicores: number;
  scuMemoryBytes: number;
  scuStorageBytes: number;
  scuBandwidthMbps: number;
  /** Service score per gradient level of completed leases. */
  leaseWeightPpm: number;
  /** Service score per point of average consumer rating above the neutral 3 (of 1–5). */
  ratingWeightPpm: number;
  /** Service score taken away per recorded SLA breach. */
  breachPenaltyPpm: number;
  /** Chain score per gradient level of the owner's stake (own deposit plus loans). */
  stakeWeightPpm: number;
  stakeBucket: bigint;
  /** Chain score when the owner votes for validators. */
  voteWeightPpm: number;
  /** Chain score at perfect heartbeat reliability. */
  reliabilityWeightPpm: number;
  /** Number of PoC tiers in partition round-robin placement; weights are tiers, tiers−1, …, 1. */
  placementTiers: number;
}

const GIB = 1024 * 1024 * 1024;
const MAX_BYTES = 2 ** 50;

export const pocParams = defineParams<PocParams>(
  "poc",
  {
    heartbeatWindowBlocks: {
      kind: "integer",
      min: 1,
      max: 1_000_000,
      describe: "blocks without heartbeat before offline",
    },
    halvingBlocks: { kind: "integer", min: 1, max: 100_000_000, describe: "T: totals halve every T blocks" },
    epochBlocks: { kind: "integer", min: 1, max: 1_000_000, describe: "blocks between coefficient updates" },
    demandWindowBlocks: { kind: "integer", min: 1, max: 1_000_000, describe: "demand estimation window" },
    demandHoldBlocks: {
      kind: "integer",
      min: 1,
      max: 100_000_000,
      describe: "mean blocks a unit stays in use",
    },
    targetUtilisationPpm: { kind: "integer", min: 1, max: 10_000_000, describe: "load/supply at base coef" },
    correctionPpm: { kind: "integer", min: 1, max: 1_000_000, describe: "share of the gap closed per epoch" },
    coefBasePpm: { kind: "integer", min: 1, max: 1_000_000_000, describe: "coefficient at target load" },
    coefMinPpm: { kind: "integer", min: 0, max: 1_000_000_000, describe: "lowest coefficient" },
    coefMaxPpm: { kind: "integer", min: 1, max: 1_000_000_000, describe: "highest coefficient" },
    onlineCoefPpm: { kind: "integer", min: 0, max: 1_000_000_000, describe: "coefficient of online time" },
    gradientLevels: { kind: "integer", min: 1, max: 64, describe: "highest gradient level" },
    cpuBucketMillicores: { kind: "integer", min: 1, max: 1_000_000_000, describe: "first cpu bucket" },
    memoryBucketBytes: { kind: "integer", min: 1, max: MAX_BYTES, describe: "first memory bucket" },
    storageBucketBytes: { kind: "integer", min: 1, max: MAX_BYTES, describe: "first storage bucket" },
    bandwidthBucketMbps: { kind: "integer", min: 1, max: 100_000_000, describe: "first bandwidth bucket" },
    onlineBucketSeconds: { kind: "integer", min: 1, max: 100_000_000, describe: "first online-time bucket" },
    scuCpuMillicores: { kind: "integer", min: 1, max: 1_000_000_000, describe: "cpu in one SCU" },
    scuMemoryBytes: { kind: "integer", min: 1, max: MAX_BYTES, describe: "memory in one SCU" },
    scuStorageBytes: { kind: "integer", min: 1, max: MAX_BYTES, describe: "storage in one SCU" },
    scuBandwidthMbps: { kind: "integer", min: 1, max: 100_000_000, describe: "uplink in one SCU" },
    leaseWeightPpm: { kind: "integer", min: 0, max: 1_000_000_000, describe: "per completed-lease level" },
    ratingWeightPpm: { kind: "integer", min: 0, max: 1_000_000_000, describe: "per rating point above 3" },
    breachPenaltyPpm: { kind: "integer", min: 0, max: 1_000_000_000, describe: "per SLA breach" },
    stakeWeightPpm: { kind: "integer", min: 0, max: 1_000_000_000, describe: "per stake level" },
    stakeBucket: { kind: "amount", describe: "first stake bucket" },
    voteWeightPpm: { kind: "integer", min: 0, max: 1_000_000_000, describe: "for voting" },
    reliabilityWeightPpm: { kind: "integer", min: 0, max: 1_000_000_000, describe: "at full reliability" },
    placementTiers: { kind: "integer", min: 1, max: 16, describe: "PoC tiers in placement" },
  },
  {
    heartbeatWindowBlocks: 30,
    halvingBlocks: 100_000,
    epochBlocks: 100,
    demandWindowBlocks: 1_000,
    demandHoldBlocks: 600,
    targetUtilisationPpm: 700_000,
    correctionPpm: 250_000,
    coefBasePpm: 1_000_000,
    coefMinPpm: 100_000,
    coefMaxPpm: 10_000_000,
    onlineCoefPpm: 1_000_000,
    gradientLevels: 8,
    cpuBucketMillicores: 1_000,
    memoryBucketBytes: 2 * GIB,
    storageBucketBytes: 20 * GIB,
    bandwidthBucketMbps: 10,
    onlineBucketSeconds: 3_600,
    scuCpuMillicores: 1_000,
    scuMemoryBytes: 2 * GIB,
    scuStorageBytes: 20 * GIB,
    scuBandwidthMbps: 10,
    leaseWeightPpm: 1_000_000,
    ratingWeightPpm: 1_000_000,
    breachPenaltyPpm: 2_000_000,
    stakeWeightPpm: 1_000_000,
    stakeBucket: 1_000_000n,
    voteWeightPpm: 500_000,
    reliabilityWeightPpm: 2_000_000,
    placementTiers: 4,
  },
);
