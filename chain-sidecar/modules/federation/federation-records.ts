// The federation's stored records and the keys under its prefix `federation/`.
import {
  defineRecord,
  flag,
  integer,
  oneOf,
  text,
  texts,
  type RecordType,
} from "../../state/record-codec.js";

export const CLUSTER_PREFIX = "federation/cluster/";
export const ORDER_PREFIX = "federation/order/";
/** Open orders by contract id, so the block end reads only them. */
export const OPEN_PREFIX = "federation/open/";
/** Assigned orders by cluster, then contract id. */
export const ASSIGNED_PREFIX = "federation/assigned/";
/** Clusters by operator account, then id, so a commit's votes find the clusters of their validators. */
export const OPERATOR_PREFIX = "federation/operator/";
/** The last block whose commit votes liveness looked at: `{ height }`. */
export const VOTES_SEEN_KEY = "federation/votesSeen";

/** open: waits for a cluster; assigned: a cluster holds it in its current epoch. */
export const ORDER_STATES = ["open", "assigned"] as const;
export type OrderState = (typeof ORDER_STATES)[number];
/** any: every online member cluster, home included; others: every one but home. */
export const PLACEMENTS = ["any", "others"] as const;
export type Placement = (typeof PLACEMENTS)[number];

export const CLUSTER_RECORD = defineRecord({
  id: text,
  /** The account that registered it: it alone heartbeats, reports, and becomes the operator of its contracts. */
  operator: text,
  /** Sorted, each listed once. */
  regions: texts,
  /** Sorted runtimes it offers ("runc", "kata"). */
  isolation: texts,
  endpointHost: text,
  portFirst: integer,
  portLast: integer,
  /** The operator's compressed secp256k1 public key, lowercase 0x hex. */
  encryptionKey: text,
  /** SCU it can still take: as last reported, less what was assigned to it since. */
  freeScu: integer,
  online: flag,
  lastHeartbeatHeight: integer,
  registeredHeight: integer,
  /** Orders it holds now. */
  assigned: integer,
  /** Times it went offline holding orders, which were then taken from it. */
  failovers: integer,
  /** First block whose commit its operator's validator missed, in a row; 0 while it signs or runs none. */
  validatorSilentSince: integer,
  /** Height it last went offline; 0 if it never has. */
  offlineHeight: integer,
});
export type Cluster = RecordType<typeof CLUSTER_RECORD>;

export const ORDER_RECORD = defineRecord({
  /** The contract the order opened (same id, escrow and payer). */
  contractId: text,
  payer: text,
  homeCluster: text,
  placement: oneOf(PLACEMENTS),
  /** "" for any runtime. */
  isolation: text,
  /** Canonical JSON of the OrderWorkload. */
  workload: text,
  /** scuPerReplica × replicas at opening. */
  scu: integer,
  /** The contract's regions; empty allows any. */
  regions: texts,
  state: oneOf(ORDER_STATES),
  /** "" while open. */
  assignedCluster: text,
  /** 0 before the first assignment; each assignment adds one and fences the holders of earlier epochs. */
  epoch: integer,
  assignedHeight: integer,
  /** What the assigned cluster last reported in this epoch. */
  phase: text,
  readyReplicas: integer,
  endpoints: texts,
  reportedHeight: integer,
  /** The payer's environment, sealed to the assigned cluster's key, for epoch `sealedEpoch`; "" when none. */
  sealed: text,
  sealedEpoch: integer,
  /** Every cluster it was taken from, oldest first. */
  previousClusters: texts,
});
export type Order = RecordType<typeof ORDER_RECORD>;

export function clusterKey(id: string): string {
  return `${CLUSTER_PREFIX}${id}`;
}

export function orderKey(contractId: string): string {
  return `${ORDER_PREFIX}${contractId}`;
}

export function openIndexKey(contractId: string): string {
  return `${OPEN_PREFIX}${contractId}`;
}

export function assignedPrefix(clusterId: string): string {
  return `${ASSIGNED_PREFIX}${clusterId}/`;
}

export function assignedIndexKey(clusterId: string, contractId: string): string {
  return `${assignedPrefix(clusterId)}${contractId}`;
}

export function operatorPrefix(operator: string): string {
  return `${OPERATOR_PREFIX}${operator}/`;
}

export function operatorIndexKey(operator: string, clusterId: string): string {
  return `${operatorPrefix(operator)}${clusterId}`;
}

export const encodeCluster = CLUSTER_RECORD.encode;
export const decodeCluster = CLUSTER_RECORD.decode;
export const encodeOrder = ORDER_RECORD.encode;
export const decodeOrder = ORDER_RECORD.decode;
