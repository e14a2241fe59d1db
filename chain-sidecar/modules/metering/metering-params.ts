// Metering parameters: the validators' fee share of every settlement, the largest batch, and batch retention.
import { defineParams } from "../params/param-section.js";

export interface MeteringParams {
  /** Part of each settled amount paid into the validators' fee pool, in basis points (rounded down). */
  feeBps: number;
  maxRecordsPerBatch: number;
  /** Most recent batch records kept in state per contributor; older roots stay in the block results' events. */
  batchesKept: number;
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
  },
  { feeBps: 200, maxRecordsPerBatch: 400, batchesKept: 60 },
);
