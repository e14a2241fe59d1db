// Metering transaction messages (type ids 64–79).
import { defineMessage } from "../../tx/message-spec.js";

/** One pod's use over [fromTime, toTime) in unix seconds; usage fields are averages, 0 when not measured. */
export interface MeterRecord {
  podUid: string;
  contractId: string;
  replica: bigint;
  nodeId: string;
  scu: bigint;
  fromTime: bigint;
  toTime: bigint;
  cpuMillicores: bigint;
  memoryBytes: bigint;
}

/** One contributor's records for an interval, with their Merkle root; sent by the owner or a node's operator. */
export interface MeteringBatch {
  contributor: string;
  root: string;
  records: MeterRecord[];
}

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
];

export const MeteringBatchMsg = defineMessage<MeteringBatch>({
  typeId: 64,
  primaryType: "MeteringBatch",
  fields: [
    { name: "contributor", type: "address" },
    { name: "root", type: "bytes32" },
    { name: "records", type: "MeterRecord[]" },
  ],
  structs: { MeterRecord: METER_RECORD_FIELDS },
});
