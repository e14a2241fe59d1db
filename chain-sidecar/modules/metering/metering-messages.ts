// Metering transaction messages (type ids 64–79).
import { defineMessage, type MessageOf, type NoStructs, type ValueOfFields } from "../../tx/message-spec.js";

/**
 * One pod's use over [fromTime, toTime) in unix seconds; usage fields are averages over it. memoryBytes 0 means not
 * measured (a running container's working set never is 0), and then cpuMillicores must be 0 too.
 */
export const METER_RECORD_FIELDS = [
  { name: "podUid", type: "string" },
  { name: "contractId", type: "string" },
  { name: "replica", type: "uint16" },
  { name: "nodeId", type: "string" },
  { name: "scu", type: "uint32" },
  { name: "fromTime", type: "uint64" },
  { name: "toTime", type: "uint64" },
  { name: "cpuMillicores", type: "uint32" },
  { name: "memoryBytes", type: "uint64" },
] as const;
export type MeterRecord = ValueOfFields<typeof METER_RECORD_FIELDS, NoStructs>;

/** One contributor's records for an interval, with their Merkle root; sent by the owner or a node's operator. */
export const MeteringBatchMsg = defineMessage({
  typeId: 64,
  primaryType: "MeteringBatch",
  fields: [
    { name: "contributor", type: "address" },
    { name: "root", type: "bytes32" },
    { name: "records", type: "MeterRecord[]" },
  ],
  structs: { MeterRecord: METER_RECORD_FIELDS },
});
export type MeteringBatch = MessageOf<typeof MeteringBatchMsg>;
