// Federation parameters: cluster liveness, the assignment rate, and the sizes of what orders carry.
import { defineParams } from "../params/param-section.js";

export interface FederationParams {
  /** A cluster with no heartbeat for more than this many blocks goes offline and loses its orders. */
  heartbeatTimeoutBlocks: number;
  /**
   * Fewer blocks without a heartbeat suffice when the validator its operator runs has also stopped signing: two
   * independent signs that the whole cluster is gone.
   */
  silentValidatorTimeoutBlocks: number;
  /** Orders assigned at one block's end, at most. */
  maxAssignmentsPerBlock: number;
  /** Largest workload JSON of an order, in bytes. */
  maxWorkloadBytes: number;
  /** Largest sealed environment of an order, in bytes. */
  maxSealedEnvBytes: number;
  /** Regions one cluster may declare. */
  maxClusterRegions: number;
}

export const federationParams = defineParams<FederationParams>(
  "federation",
  {
    heartbeatTimeoutBlocks: {
      kind: "integer",
      min: 2,
      max: 1_000_000,
      describe: "blocks without a heartbeat before a cluster goes offline",
    },
    silentValidatorTimeoutBlocks: {
      kind: "integer",
      min: 1,
      max: 1_000_000,
      describe: "blocks without a heartbeat, its validator not signing either, before a cluster goes offline",
    },
    maxAssignmentsPerBlock: { kind: "integer", min: 1, max: 10_000, describe: "orders assigned per block" },
    maxWorkloadBytes: { kind: "integer", min: 64, max: 1 << 20, describe: "bytes of an order's workload" },
    maxSealedEnvBytes: {
      kind: "integer",
      min: 0,
      max: 1 << 20,
      describe: "bytes of an order's sealed environment",
    },
    maxClusterRegions: { kind: "integer", min: 1, max: 256, describe: "regions a cluster may declare" },
  },
  {
    heartbeatTimeoutBlocks: 10,
    silentValidatorTimeoutBlocks: 4,
    maxAssignmentsPerBlock: 100,
    maxWorkloadBytes: 16_384,
    maxSealedEnvBytes: 16_384,
    maxClusterRegions: 16,
  },
);
