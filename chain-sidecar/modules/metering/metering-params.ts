// Metering parameters: the validators' fee share of every settlement, the largest batch, and batch retention.
import { defineParams } from "../params/param-section.js";

export interface MeteringParams {
  /** Part of each settled amount paid into the validators' fee pool, in basis points (rounded down). */
  feeBps: number;
  maxRecordsPerBatch: number;
  /** Most recent batch records kept in state per contributor; older roots stay in the block results' events. */
  batchesKept: number;
  /**
   * Seconds after its contract closed that a pod's settlement stays in consensus state; then it moves to each node's
   * archive index (still answered by queries, marked archived). 0 keeps settlements in state forever.
   */
  settlementRetentionSeconds: number;
  /** Settlements moved out of state at most per block, so pruning a large contract spreads over blocks. */
  prunePerBlock: number;
}

export const meteringParams = defineParams<MeteringParams>(
  "metering",
  {
    feeBps: {
      kind: "integer",
      min: 0,
      max: 10_000,
      describe: "validators' share of settlements, basis points",
    },
    maxRecordsPerBatch: { kind: "integer", min: 1, max: 10_000, describe: "per-pod records in one batch" },
    batchesKept: { kind: "integer", min: 1, max: 100_000, describe: "batch records kept per contributor" },
    settlementRetentionSeconds: {
      kind: "integer",
      min: 0,
      max: 100 * 365 * 86_400,
      describe:
        "seconds a closed contract's pod settlements stay in state before they are archived (0: forever)",
    },
    prunePerBlock: {
      kind: "integer",
      min: 1,
      max: 100_000,
      describe: "pod settlements of closed contracts moved to the closed ones or archived, at most per block",
    },
  },
  {
    feeBps: 200,
    maxRecordsPerBatch: 400,
    batchesKept: 60,
    settlementRetentionSeconds: 30 * 86_400,
    prunePerBlock: 500,
  },
);
