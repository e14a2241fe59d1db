// Proof of Contribution transaction messages (type ids 32–47).
import { defineMessage } from "../../tx/message-spec.js";

/** Offers one Kubernetes node; the sender becomes its owner and is paid for its work. */
export interface RegisterNode {
  nodeId: string;
  region: string;
  /** "runc" or "kata". */
  isolation: string;
  cpuMillicores: bigint;
  memoryBytes: bigint;
  storageBytes: bigint;
  bandwidthMbps: bigint;
  pricePerScuHour: bigint;
  /** An address allowed to send heartbeats and metering batches for the node; the zero address for none. */
  operator: string;
}

/** An online proof, by the owner or its operator; non-zero measured capacities replace the declared ones. */
export interface Heartbeat {
  nodeId: string;
  cpuMillicores: bigint;
  memoryBytes: bigint;
  storageBytes: bigint;
  bandwidthMbps: bigint;
}

export interface DeregisterNode {
  nodeId: string;
}

/** Changes the asking price and the authorised operator; owner only. */
export interface UpdateNode {
  nodeId: string;
  pricePerScuHour: bigint;
  operator: string;
}

export const RegisterNodeMsg = defineMessage<RegisterNode>({
  typeId: 32,
  primaryType: "RegisterNode",
  fields: [
    { name: "nodeId", type: "string" },
    { name: "region", type: "string" },
    { name: "isolation", type: "string" },
    { name: "cpuMillicores", type: "uint64" },
    { name: "memoryBytes", type: "uint64" },
    { name: "storageBytes", type: "uint64" },
    { name: "bandwidthMbps", type: "uint64" },
    { name: "pricePerScuHour", type: "uint256" },
    { name: "operator", type: "address" },
  ],
});

export const HeartbeatMsg = defineMessage<Heartbeat>({
  typeId: 33,
  primaryType: "Heartbeat",
  fields: [
    { name: "nodeId", type: "string" },
    { name: "cpuMillicores", type: "uint64" },
    { name: "memoryBytes", type: "uint64" },
    { name: "storageBytes", type: "uint64" },
    { name: "bandwidthMbps", type: "uint64" },
  ],
});

export const DeregisterNodeMsg = defineMessage<DeregisterNode>({
  typeId: 34,
  primaryType: "DeregisterNode",
  fields: [{ name: "nodeId", type: "string" }],
});

export const UpdateNodeMsg = defineMessage<UpdateNode>({
  typeId: 35,
  primaryType: "UpdateNode",
  fields: [
    { name: "nodeId", type: "string" },
    { name: "pricePerScuHour", type: "uint256" },
    { name: "operator", type: "address" },
  ],
});
