// Proof of Contribution transaction messages (type ids 32–47).
import { defineMessage, type MessageOf, type NoStructs, type ValueOfFields } from "../../tx/message-spec.js";

/** Offers one Kubernetes node; the sender becomes its owner and is paid for its work. */
export const RegisterNodeMsg = defineMessage({
  typeId: 32,
  primaryType: "RegisterNode",
  fields: [
    { name: "nodeId", type: "string" },
    { name: "region", type: "string" },
    // "runc" or "kata".
    { name: "isolation", type: "string" },
    { name: "cpuMillicores", type: "uint64" },
    { name: "memoryBytes", type: "uint64" },
    { name: "storageBytes", type: "uint64" },
    { name: "bandwidthMbps", type: "uint64" },
    { name: "pricePerScuHour", type: "uint256" },
    // An address allowed to send heartbeats and metering batches for the node; the zero address for none.
    { name: "operator", type: "address" },
  ],
});
export type RegisterNode = MessageOf<typeof RegisterNodeMsg>;

const HEARTBEAT_FIELDS = [
  { name: "nodeId", type: "string" },
  { name: "cpuMillicores", type: "uint64" },
  { name: "memoryBytes", type: "uint64" },
  { name: "storageBytes", type: "uint64" },
  { name: "bandwidthMbps", type: "uint64" },
] as const;

/** An online proof, by the owner or its operator; non-zero measured capacities replace the declared ones. */
export const HeartbeatMsg = defineMessage({
  typeId: 33,
  primaryType: "Heartbeat",
  fields: HEARTBEAT_FIELDS,
});
export type Heartbeat = ValueOfFields<typeof HEARTBEAT_FIELDS, NoStructs>;

/** Most heartbeats one HeartbeatBatch carries. */
export const MAX_HEARTBEATS_PER_BATCH = 500;

/**
 * Heartbeats of many nodes in one transaction, as a cluster's operator sends them: each entry counts as that node's
 * Heartbeat, and the batch is all or nothing. One transaction per cluster and interval instead of one per node.
 */
export const HeartbeatBatchMsg = defineMessage({
  typeId: 36,
  primaryType: "HeartbeatBatch",
  fields: [{ name: "beats", type: "NodeHeartbeat[]" }],
  structs: { NodeHeartbeat: HEARTBEAT_FIELDS },
});
export type HeartbeatBatch = MessageOf<typeof HeartbeatBatchMsg>;

export const DeregisterNodeMsg = defineMessage({
  typeId: 34,
  primaryType: "DeregisterNode",
  fields: [{ name: "nodeId", type: "string" }],
});
export type DeregisterNode = MessageOf<typeof DeregisterNodeMsg>;

/** Changes the asking price and the authorised operator; owner only. */
export const UpdateNodeMsg = defineMessage({
  typeId: 35,
  primaryType: "UpdateNode",
  fields: [
    { name: "nodeId", type: "string" },
    { name: "pricePerScuHour", type: "uint256" },
    { name: "operator", type: "address" },
  ],
});
export type UpdateNode = MessageOf<typeof UpdateNodeMsg>;
