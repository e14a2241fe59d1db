// Market parameters: contract limits, the metering interval escrow must cover, and the clock tolerances of lease times.
import { defineParams } from "../params/param-section.js";

export interface MarketParams {
  /** The metering interval: a contract pauses when its escrow cannot pay one more interval. */
  meteringIntervalSeconds: number;
  maxReplicas: number;
  maxScuPerReplica: number;
  maxDurationSeconds: number;
  maxRegions: number;
  /** An expired contract closes this long after its end, so the last interval can still settle. */
  settlementGraceSeconds: number;
  /** How far a lease or metering time may lie ahead of the block time. */
  clockSkewSeconds: number;
  /** How far a lease start or end may lie behind the block time (the pod started before its lease was recorded). */
  leaseBackdateSeconds: number;
}

export const marketParams = defineParams<MarketParams>(
  "market",
  {
    meteringIntervalSeconds: {
      kind: "integer",
      min: 1,
      max: 86_400,
      describe: "seconds per metering interval",
    },
    maxReplicas: { kind: "integer", min: 1, max: 65_535, describe: "replicas per contract" },
    maxScuPerReplica: { kind: "integer", min: 1, max: 1_000_000, describe: "SCU per replica" },
    maxDurationSeconds: { kind: "integer", min: 1, max: 100 * 365 * 86_400, describe: "longest contract" },
    maxRegions: { kind: "integer", min: 0, max: 256, describe: "regions a contract may name" },
    settlementGraceSeconds: {
      kind: "integer",
      min: 0,
      max: 30 * 86_400,
      describe: "close delay after expiry",
    },
    clockSkewSeconds: { kind: "integer", min: 0, max: 3_600, describe: "tolerated clock lead" },
    leaseBackdateSeconds: { kind: "integer", min: 0, max: 86_400, describe: "tolerated lease backdating" },
  },
  {
    meteringIntervalSeconds: 60,
    maxReplicas: 1_000,
    maxScuPerReplica: 1_024,
    maxDurationSeconds: 10 * 365 * 86_400,
    maxRegions: 16,
    settlementGraceSeconds: 300,
    clockSkewSeconds: 30,
    leaseBackdateSeconds: 600,
  },
);
