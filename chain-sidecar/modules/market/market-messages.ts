// Market transaction messages (type ids 48–63).
import { defineMessage, type MessageOf } from "../../tx/message-spec.js";

/** A contract's terms, first in every message that opens one (OpenContract here, federation's OpenOrder). */
export const CONTRACT_TERM_FIELDS = [
  { name: "scuPerReplica", type: "uint32" },
  { name: "replicas", type: "uint16" },
  { name: "maxPricePerScuHour", type: "uint256" },
  { name: "budget", type: "uint256" },
  { name: "durationSeconds", type: "uint64" },
  { name: "recoverWithinSeconds", type: "uint32" },
  { name: "maxMigrations", type: "uint16" },
  // Allowed regions; empty allows any.
  { name: "regions", type: "string[]" },
  { name: "minPoc", type: "uint256" },
  // At most one replica per contributor (owner address) at a time.
  { name: "spread", type: "bool" },
  // "reserved": pay for the lease's SCU; "used": pay for measured use, at most the lease's SCU.
  { name: "billing", type: "string" },
] as const;

/** Opens a contract; the sender pays `budget` into escrow and may authorise an operator to record its leases. */
export const OpenContractMsg = defineMessage({
  typeId: 48,
  primaryType: "OpenContract",
  fields: [
    ...CONTRACT_TERM_FIELDS,
    // May record and end leases, breaches and ratings for the payer; the zero address for none.
    { name: "operator", type: "address" },
    // The member cluster the contract was made in; "" outside a federation.
    { name: "clusterId", type: "string" },
    // What the contract stands for outside the chain (a ComputeContract's UID); one opening per payer, cluster and reference.
    { name: "clientRef", type: "string" },
  ],
});
export type OpenContract = MessageOf<typeof OpenContractMsg>;

export const TopUpContractMsg = defineMessage({
  typeId: 49,
  primaryType: "TopUpContract",
  fields: [
    { name: "contractId", type: "string" },
    { name: "amount", type: "uint256" },
  ],
});
export type TopUpContract = MessageOf<typeof TopUpContractMsg>;

export const CloseContractMsg = defineMessage({
  typeId: 50,
  primaryType: "CloseContract",
  fields: [{ name: "contractId", type: "string" }],
});
export type CloseContract = MessageOf<typeof CloseContractMsg>;

/** Sets how many replicas the contract runs; the escrow must cover one interval of the new size. */
export const ResizeContractMsg = defineMessage({
  typeId: 55,
  primaryType: "ResizeContract",
  fields: [
    { name: "contractId", type: "string" },
    { name: "replicas", type: "uint16" },
  ],
});
export type ResizeContract = MessageOf<typeof ResizeContractMsg>;

/** A pod of the contract landed on a contributor node at `startedAt` (unix seconds). */
export const RecordLeaseMsg = defineMessage({
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
export type RecordLease = MessageOf<typeof RecordLeaseMsg>;

/** The pod left its node at `endedAt`; outcome is "completed", "migrated" or "failed". */
export const EndLeaseMsg = defineMessage({
  typeId: 52,
  primaryType: "EndLease",
  fields: [
    { name: "contractId", type: "string" },
    { name: "podUid", type: "string" },
    { name: "endedAt", type: "uint64" },
    { name: "outcome", type: "string" },
  ],
});
export type EndLease = MessageOf<typeof EndLeaseMsg>;

/** A contributor broke the SLA; kind is "recovery", "migrations" or "availability"; once per pod and kind. */
export const RecordBreachMsg = defineMessage({
  typeId: 53,
  primaryType: "RecordBreach",
  fields: [
    { name: "contractId", type: "string" },
    { name: "replica", type: "uint16" },
    { name: "nodeId", type: "string" },
    // The pod that suffered the breach: with the kind, what makes a repeat recognisable.
    { name: "podUid", type: "string" },
    { name: "kind", type: "string" },
    { name: "seconds", type: "uint32" },
  ],
});
export type RecordBreach = MessageOf<typeof RecordBreachMsg>;

/** The payer's rating (1–5) of a node that served the contract; once per contract and node. */
export const RateContributorMsg = defineMessage({
  typeId: 54,
  primaryType: "RateContributor",
  fields: [
    { name: "contractId", type: "string" },
    { name: "nodeId", type: "string" },
    { name: "rating", type: "uint8" },
  ],
});
export type RateContributor = MessageOf<typeof RateContributorMsg>;
