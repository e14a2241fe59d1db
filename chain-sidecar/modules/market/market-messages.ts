// Market transaction messages (type ids 48–63).
import { defineMessage } from "../../tx/message-spec.js";

/** Opens a contract; the sender pays `budget` into escrow and may authorise an operator to record its leases. */
export interface OpenContract {
  scuPerReplica: bigint;
  replicas: bigint;
  maxPricePerScuHour: bigint;
  budget: bigint;
  durationSeconds: bigint;
  recoverWithinSeconds: bigint;
  maxMigrations: bigint;
  /** Allowed regions; empty allows any. */
  regions: string[];
  minPoc: bigint;
  /** At most one replica per contributor (owner address) at a time. */
  spread: boolean;
  /** May record and end leases, breaches and ratings for the payer; the zero address for none. */
  operator: string;
  /** The member cluster the contract was made in; "" outside a federation. */
  clusterId: string;
  /** What the contract stands for outside the chain (a ComputeContract's UID); one opening per payer, cluster and reference. */
  clientRef: string;
}

export interface TopUpContract {
  contractId: string;
  amount: bigint;
}

/** Sets how many replicas the contract runs; the escrow must cover one interval of the new size. */
export interface ResizeContract {
  contractId: string;
  replicas: bigint;
}

export interface CloseContract {
  contractId: string;
}

/** A pod of the contract landed on a contributor node at `startedAt` (unix seconds). */
export interface RecordLease {
  contractId: string;
  replica: bigint;
  nodeId: string;
  podUid: string;
  startedAt: bigint;
}

/** The pod left its node at `endedAt`; outcome is "completed", "migrated" or "failed". */
export interface EndLease {
  contractId: string;
  podUid: string;
  endedAt: bigint;
  outcome: string;
}

/** A contributor broke the SLA; kind is "recovery", "migrations" or "availability"; once per pod and kind. */
export interface RecordBreach {
  contractId: string;
  replica: bigint;
  nodeId: string;
  /** The pod that suffered the breach: with the kind, what makes a repeat recognisable. */
  podUid: string;
  kind: string;
  seconds: bigint;
}

/** The payer's rating (1–5) of a node that served the contract; once per contract and node. */
export interface RateContributor {
  contractId: string;
  nodeId: string;
  rating: bigint;
}

export const OpenContractMsg = defineMessage<OpenContract>({
  typeId: 48,
  primaryType: "OpenContract",
  fields: [
    { name: "scuPerReplica", type: "uint32" },
    { name: "replicas", type: "uint16" },
    { name: "maxPricePerScuHour", type: "uint256" },
    { name: "budget", type: "uint256" },
    { name: "durationSeconds", type: "uint64" },
    { name: "recoverWithinSeconds", type: "uint32" },
    { name: "maxMigrations", type: "uint16" },
    { name: "regions", type: "string[]" },
    { name: "minPoc", type: "uint256" },
    { name: "spread", type: "bool" },
    { name: "operator", type: "address" },
    { name: "clusterId", type: "string" },
    { name: "clientRef", type: "string" },
  ],
});

export const TopUpContractMsg = defineMessage<TopUpContract>({
  typeId: 49,
  primaryType: "TopUpContract",
  fields: [
    { name: "contractId", type: "string" },
    { name: "amount", type: "uint256" },
  ],
});

export const CloseContractMsg = defineMessage<CloseContract>({
  typeId: 50,
  primaryType: "CloseContract",
  fields: [{ name: "contractId", type: "string" }],
});

export const ResizeContractMsg = defineMessage<ResizeContract>({
  typeId: 55,
  primaryType: "ResizeContract",
  fields: [
    { name: "contractId", type: "string" },
    { name: "replicas", type: "uint16" },
  ],
});

export const RecordLeaseMsg = defineMessage<RecordLease>({
  typeId: 51,
  primaryType: "RecordLease",
  fields: [
    { name: "contractId", type: "string" },
    { name: "replica", type: "uint16" },
    { name: "nodeId", type: "string" },
    { name: "podUid", type: "string" },
    { name: "startedAt", type: "uint64" },
  ],
});

export const EndLeaseMsg = defineMessage<EndLease>({
  typeId: 52,
  primaryType: "EndLease",
  fields: [
    { name: "contractId", type: "string" },
    { name: "podUid", type: "string" },
    { name: "endedAt", type: "uint64" },
    { name: "outcome", type: "string" },
  ],
});

export const RecordBreachMsg = defineMessage<RecordBreach>({
  typeId: 53,
  primaryType: "RecordBreach",
  fields: [
    { name: "contractId", type: "string" },
    { name: "replica", type: "uint16" },
    { name: "nodeId", type: "string" },
    { name: "podUid", type: "string" },
    { name: "kind", type: "string" },
    { name: "seconds", type: "uint32" },
  ],
});

export const RateContributorMsg = defineMessage<RateContributor>({
  typeId: 54,
  primaryType: "RateContributor",
  fields: [
    { name: "contractId", type: "string" },
    { name: "nodeId", type: "string" },
    { name: "rating", type: "uint8" },
  ],
});
