// The market's stored records and the keys under its prefix `market/`.
import { AbiCoder, keccak256 } from "ethers";
import {
  amount,
  defineRecord,
  flag,
  integer,
  integers,
  oneOf,
  text,
  texts,
  type RecordType,
} from "../../state/record-codec.js";

export const CONTRACT_PREFIX = "market/contract/";
export const PAYER_PREFIX = "market/payer/";
export const EXPIRY_PREFIX = "market/expiry/";
export const LEASE_PREFIX = "market/lease/";
export const REPLICA_PREFIX = "market/replica/";
export const SERVED_PREFIX = "market/served/";
export const RATING_PREFIX = "market/rating/";
export const BREACH_PREFIX = "market/breach/";

/** open: runs and takes leases; paused: escrow cannot pay the next interval, no new leases until a top-up; closed: final. */
export const CONTRACT_STATES = ["open", "paused", "closed"] as const;
export type ContractState = (typeof CONTRACT_STATES)[number];
export const CLOSE_REASONS = ["", "payer", "expired"] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];
const ALL_LEASE_OUTCOMES = ["", "completed", "migrated", "failed", "contract_closed"] as const;
export type LeaseOutcome = (typeof ALL_LEASE_OUTCOMES)[number];
export const LEASE_OUTCOMES: readonly LeaseOutcome[] = ["completed", "migrated", "failed"];
export const BREACH_KINDS = ["recovery", "migrations", "availability"] as const;
/** reserved: the lease's SCU is billed; used: measured use, capped at the lease's SCU (unmeasured seconds as reserved). */
export const BILLING_MODES = ["reserved", "used"] as const;
export type BillingMode = (typeof BILLING_MODES)[number];

export const CONTRACT_RECORD = defineRecord({
  id: text,
  payer: text,
  /** The member cluster it was opened from ("" outside a federation) and what it stands for there. */
  clusterId: text,
  clientRef: text,
  /** "" when the payer authorised no operator. */
  operator: text,
  scuPerReplica: integer,
  replicas: integer,
  maxPricePerScuHour: amount,
  durationSeconds: integer,
  recoverWithinSeconds: integer,
  maxMigrations: integer,
  regions: texts,
  minPoc: amount,
  spread: flag,
  billing: oneOf(BILLING_MODES),
  state: oneOf(CONTRACT_STATES),
  closeReason: oneOf(CLOSE_REASONS),
  /** Block time (unix seconds) of opening; the contract ends at openedAt + durationSeconds. */
  openedAt: integer,
  endsAt: integer,
  openedHeight: integer,
  closedAt: integer,
  /** Everything paid in: the budget plus top-ups. */
  deposited: amount,
  /** What is left: deposited − spent − refunded; never negative. */
  escrow: amount,
  /** Paid out to contributors and the fee pool. */
  spent: amount,
  refunded: amount,
  /** Metered cost the escrow could not cover when it ran short. */
  unpaid: amount,
  activeLeases: integer,
  /** Σ price of the active leases (every replica has the same SCU). */
  activePriceSum: amount,
  leasesTotal: integer,
  migrations: integer,
  breaches: integer,
});
export type Contract = RecordType<typeof CONTRACT_RECORD>;

export const LEASE_RECORD = defineRecord({
  podUid: text,
  contractId: text,
  replica: integer,
  nodeId: text,
  /** The node's owner when the lease began: who is paid. */
  contributor: text,
  pricePerScuHour: amount,
  scu: integer,
  startedAt: integer,
  /** 0 while the lease is active. */
  endedAt: integer,
  outcome: oneOf(ALL_LEASE_OUTCOMES),
  recordedHeight: integer,
});
export type Lease = RecordType<typeof LEASE_RECORD>;

/** What a node did for a contract: how many leases it held, and of which replicas (ascending), for breaches to check. */
export const SERVED_RECORD = defineRecord({ leases: integer, replicas: integers });
export type Served = RecordType<typeof SERVED_RECORD>;

/**
 * A contract's id, derived from who pays and what it stands for, so a client knows it before sending the opening
 * and finds it again after any crash: the first 20 hex digits of keccak256(abi.encode(payer, clusterId, clientRef)).
 */
export function contractIdFor(payer: string, clusterId: string, clientRef: string): string {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["address", "string", "string"],
    [payer, clusterId, clientRef],
  );
  return keccak256(encoded).slice(2, 22);
}

export function contractKey(id: string): string {
  return `${CONTRACT_PREFIX}${id}`;
}

export function payerIndexKey(payer: string, id: string): string {
  return `${PAYER_PREFIX}${payer}/${id}`;
}

export function expiryKey(endsAt: number, id: string): string {
  return `${EXPIRY_PREFIX}${String(endsAt).padStart(12, "0")}/${id}`;
}

export function leaseKey(podUid: string): string {
  return `${LEASE_PREFIX}${podUid}`;
}

export function replicaKey(contractId: string, replica: number): string {
  return `${REPLICA_PREFIX}${contractId}/${String(replica).padStart(5, "0")}`;
}

export function servedKey(contractId: string, nodeId: string): string {
  return `${SERVED_PREFIX}${contractId}/${nodeId}`;
}

export function ratingKey(contractId: string, nodeId: string): string {
  return `${RATING_PREFIX}${contractId}/${nodeId}`;
}

export function breachKey(contractId: string, podUid: string, kind: string): string {
  return `${BREACH_PREFIX}${contractId}/${podUid}/${kind}`;
}

export const encodeContract = CONTRACT_RECORD.encode;
export const decodeContract = CONTRACT_RECORD.decode;
export const encodeLease = LEASE_RECORD.encode;
export const decodeLease = LEASE_RECORD.decode;
