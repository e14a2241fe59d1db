// Federation transaction messages (type ids 96–111): member clusters, and orders the chain places among them.
import { CONTRACT_TERM_FIELDS } from "../market/market-types.js";
import { defineMessage, type MessageOf } from "../../tx/message-spec.js";

/** Makes the sender the operator of a member cluster, or updates the cluster it already operates. */
export const RegisterClusterMsg = defineMessage({
  typeId: 96,
  primaryType: "RegisterCluster",
  fields: [
    // A DNS label; bound to the first sender for good.
    { name: "clusterId", type: "string" },
    { name: "regions", type: "string[]" },
    // The runtimes it offers: "runc", "kata".
    { name: "isolation", type: "string[]" },
    // Where the workloads it runs for other clusters are reached, on ports portFirst..portLast.
    { name: "endpointHost", type: "string" },
    { name: "portFirst", type: "uint16" },
    { name: "portLast", type: "uint16" },
    // The sender's own compressed secp256k1 public key (0x, 33 bytes): payers seal environments to it.
    { name: "encryptionKey", type: "string" },
  ],
});
export type RegisterCluster = MessageOf<typeof RegisterClusterMsg>;

/** The cluster's operator says it is alive and how many SCU it can still take. */
export const ClusterHeartbeatMsg = defineMessage({
  typeId: 97,
  primaryType: "ClusterHeartbeat",
  fields: [
    { name: "clusterId", type: "string" },
    { name: "freeScu", type: "uint64" },
  ],
});
export type ClusterHeartbeat = MessageOf<typeof ClusterHeartbeatMsg>;

/**
 * Opens a contract as OpenContract does (escrow, id) with no operator, and an order the chain assigns to a member
 * cluster, which becomes the contract's operator.
 */
export const OpenOrderMsg = defineMessage({
  typeId: 98,
  primaryType: "OpenOrder",
  fields: [
    ...CONTRACT_TERM_FIELDS,
    // The home cluster, where the order was made; a registered member.
    { name: "clusterId", type: "string" },
    { name: "clientRef", type: "string" },
    // "any" member cluster (home included) or "others" (any but home).
    { name: "placement", type: "string" },
    // "" for any runtime, "runc" or "kata".
    { name: "isolation", type: "string" },
    // JSON: { image, command?, args?, ports?, env?, sealedEnv? }.
    { name: "workload", type: "string" },
  ],
});
export type OpenOrder = MessageOf<typeof OpenOrderMsg>;

/** The assigned cluster's operator reports how the order runs, for the epoch it holds it in. */
export const ReportOrderMsg = defineMessage({
  typeId: 99,
  primaryType: "ReportOrder",
  fields: [
    { name: "contractId", type: "string" },
    { name: "epoch", type: "uint32" },
    // e.g. "Pending", "Running", "Paused", "Failed".
    { name: "phase", type: "string" },
    { name: "readyReplicas", type: "uint16" },
    // Each "host:port".
    { name: "endpoints", type: "string[]" },
  ],
});
export type ReportOrder = MessageOf<typeof ReportOrderMsg>;

/** The payer stores the environment sealed (off chain, ECIES) to the assigned cluster's key, for its epoch. */
export const SealOrderEnvMsg = defineMessage({
  typeId: 100,
  primaryType: "SealOrderEnv",
  fields: [
    { name: "contractId", type: "string" },
    { name: "epoch", type: "uint32" },
    // 0x hex ciphertext.
    { name: "sealed", type: "string" },
  ],
});
export type SealOrderEnv = MessageOf<typeof SealOrderEnvMsg>;
