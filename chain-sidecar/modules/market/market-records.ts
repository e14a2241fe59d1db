// The market's stored records and the keys under its prefix `market/`.
import { AbiCoder, keccak256 } from "ethers";
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";

export const CONTRACT_PREFIX = "market/contract/";
export const PAYER_PREFIX = "market/payer/";
export const EXPIRY_PREFIX = "market/expiry/";
export const LEASE_PREFIX = "market/lease/";
export const REPLICA_PREFIX = "market/replica/";
export const SERVED_PREFIX = "market/served/";
export const RATING_PREFIX = "market/rating/";
export const BREACH_PREFIX = "market/breach/";

/** open: runs and takes leases; paused: escrow cannot pay the next interval, no new leases until a top-up; closed: final. */
export type ContractState = "open" | "paused" | "closed";
export type CloseReason = "" | "payer" | "expired";
export type LeaseOutcome = "" | "completed" | "migrated" | "failed" | "contract_closed";
export const LEASE_OUTCOMES: readonly LeaseOutcome[] = ["completed", "migrated", "failed"];
export const BREACH_KINDS = ["recovery", "migrations", "availability"] as const;

export interface Contract {
  id: string;
  payer: string;
  /** The member cluster it was opened from ("" outside a federation) and what it stands for there. */
  clusterId: string;
  clientRef: string;
  /** "" when the payer authorised no operator. */
  operator: string;
  scuPerReplica: number;
  replicas: number;
  maxPricePerScuHour: bigint;
  durationSeconds: number;
  recoverWithinSeconds: number;
  maxMigrations: number;
  regions: string[];
  minPoc: bigint;
  spread: boolean;
  state: ContractState;
  closeReason: CloseReason;
  /** Block time (unix seconds) of opening; the contract ends at openedAt + durationSeconds. */
  openedAt: number;
  endsAt: number;
  openedHeight: number;
  closedAt: number;
  /** Everything paid in: the budget plus top-ups. */
  deposited: bigint;
  /** What is left: deposited − spent − refunded; never negative. */
  escrow: bigint;
  /** Paid out to contributors and the fee pool. */
  spent: bigint;
  refunded: bigint;
  /** Metered cost the escrow could not cover when it ran short. */
  unpaid: bigint;
  activeLeases: number;
  /** Σ price of the active leases (every replica has the same SCU). */
  activePriceSum: bigint;
  leasesTotal: number;
  migrations: number;
  breaches: number;
}

export interface Lease {
  podUid: string;
  contractId: string;
  replica: number;
  nodeId: string;
  /** The node's owner when the lease began: who is paid. */
  contributor: string;
  pricePerScuHour: bigint;
  scu: number;
  startedAt: number;
  /** 0 while the lease is active. */
  endedAt: number;
  outcome: LeaseOutcome;
  recordedHeight: number;
}

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

export function encodeContract(c: Contract): Uint8Array {
  return encodeRecord({
    id: c.id,
    payer: c.payer,
    clusterId: c.clusterId,
    clientRef: c.clientRef,
    operator: c.operator,
    scuPerReplica: c.scuPerReplica,
    replicas: c.replicas,
    maxPricePerScuHour: c.maxPricePerScuHour.toString(),
    durationSeconds: c.durationSeconds,
    recoverWithinSeconds: c.recoverWithinSeconds,
    maxMigrations: c.maxMigrations,
    regions: c.regions,
    minPoc: c.minPoc.toString(),
    spread: c.spread,
    state: c.state,
    closeReason: c.closeReason,
    openedAt: c.openedAt,
    endsAt: c.endsAt,
    openedHeight: c.openedHeight,
    closedAt: c.closedAt,
    deposited: c.deposited.toString(),
    escrow: c.escrow.toString(),
    spent: c.spent.toString(),
    refunded: c.refunded.toString(),
    unpaid: c.unpaid.toString(),
    activeLeases: c.activeLeases,
    activePriceSum: c.activePriceSum.toString(),
    leasesTotal: c.leasesTotal,
    migrations: c.migrations,
    breaches: c.breaches,
  });
}

export function decodeContract(bytes: Uint8Array): Contract {
  const r = decodeRecord(bytes) as Record<string, unknown>;
  return {
    id: r.id as string,
    payer: r.payer as string,
    clusterId: r.clusterId as string,
    clientRef: r.clientRef as string,
    operator: r.operator as string,
    scuPerReplica: r.scuPerReplica as number,
    replicas: r.replicas as number,
    maxPricePerScuHour: BigInt(r.maxPricePerScuHour as string),
    durationSeconds: r.durationSeconds as number,
    recoverWithinSeconds: r.recoverWithinSeconds as number,
    maxMigrations: r.maxMigrations as number,
    regions: r.regions as string[],
    minPoc: BigInt(r.minPoc as string),
    spread: r.spread as boolean,
    state: r.state as ContractState,
    closeReason: r.closeReason as CloseReason,
    openedAt: r.openedAt as number,
    endsAt: r.endsAt as number,
    openedHeight: r.openedHeight as number,
    closedAt: r.closedAt as number,
    deposited: BigInt(r.deposited as string),
    escrow: BigInt(r.escrow as string),
    spent: BigInt(r.spent as string),
    refunded: BigInt(r.refunded as string),
    unpaid: BigInt(r.unpaid as string),
    activeLeases: r.activeLeases as number,
    activePriceSum: BigInt(r.activePriceSum as string),
    leasesTotal: r.leasesTotal as number,
    migrations: r.migrations as number,
    breaches: r.breaches as number,
  };
}

export function encodeLease(l: Lease): Uint8Array {
  return encodeRecord({
    podUid: l.podUid,
    contractId: l.contractId,
    replica: l.replica,
    nodeId: l.nodeId,
    contributor: l.contributor,
    pricePerScuHour: l.pricePerScuHour.toString(),
    scu: l.scu,
    startedAt: l.startedAt,
    endedAt: l.endedAt,
    outcome: l.outcome,
    recordedHeight: l.recordedHeight,
  });
}

export function decodeLease(bytes: Uint8Array): Lease {
  const r = decodeRecord(bytes) as Record<string, unknown>;
  return {
    podUid: r.podUid as string,
    contractId: r.contractId as string,
    replica: r.replica as number,
    nodeId: r.nodeId as string,
    contributor: r.contributor as string,
    pricePerScuHour: BigInt(r.pricePerScuHour as string),
    scu: r.scu as number,
    startedAt: r.startedAt as number,
    endedAt: r.endedAt as number,
    outcome: r.outcome as LeaseOutcome,
    recordedHeight: r.recordedHeight as number,
  };
}
