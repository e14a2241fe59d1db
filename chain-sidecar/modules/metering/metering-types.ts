// The metering module as other code sees it: the batch message, its Merkle root, settlement records and
// parameters. The keeper, state keys and handlers are internal to the chain.
export {
  METER_RECORD_FIELDS,
  MeteringBatchMsg,
  type MeterRecord,
  type MeteringBatch,
} from "./metering-messages.js";
export { meteringRoot, verifyMeterRecord } from "./batch-root.js";
export { decodeBatch, decodePod, type BatchRecord, type PodSettlement } from "./metering-records.js";
export type { MeteringParams } from "./metering-params.js";
