// The metering module's stored records and the keys under its prefix `metering/`.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader } from "../../state/state-access.js";

export const POD_PREFIX = "metering/pod/";
export const BY_CONTRACT_PREFIX = "metering/contract/";
export const BY_CONTRIBUTOR_PREFIX = "metering/contributor/";
export const BATCH_PREFIX = "metering/batch/";
export const BATCH_COUNT_PREFIX = "metering/batchcount/";

/** One pod's settlement so far: every metered second of the pod, what it cost and who got it. */
export interface PodSettlement {
  podUid: string;
  contractId: string;
  replica: number;
  nodeId: string;
  contributor: string;
  scu: number;
  pricePerScuHour: bigint;
  /** Start of the first metered interval (unix seconds). */
  firstFrom: number;
  /** End of the last metered interval: no later record may start before it. */
  billedTo: number;
  /** Metered seconds in total (gaps between intervals are not billed). */
  seconds: number;
  /** Taken from escrow: the contributor's share plus the fee. */
  charged: bigint;
  fee: bigint;
  /** Cost the escrow could not cover. charged + unpaid = ⌊price × scu × seconds / 3600⌋ exactly. */
  unpaid: bigint;
  /** price × scu × seconds not yet turned into whole tokens (always below 3600). */
  carry: bigint;
  intervals: number;
  lastBatch: string;
  lastHeight: number;
}

/** One settled batch: its Merkle root (the records themselves are in the transaction) and its totals. */
export interface BatchRecord {
  id: string;
  contributor: string;
  /** 1 for a contributor's first batch, then counting up. */
  sequence: number;
  sender: string;
  root: string;
  records: number;
  seconds: number;
  charged: bigint;
  fee: bigint;
  unpaid: bigint;
  height: number;
  txHash: string;
}

export function podKey(podUid: string): string {
  return `${POD_PREFIX}${podUid}`;
}

export function byContractKey(contractId: string, podUid: string): string {
  return `${BY_CONTRACT_PREFIX}${contractId}/${podUid}`;
}

export function byContributorKey(contributor: string, podUid: string): string {
  return `${BY_CONTRIBUTOR_PREFIX}${contributor}/${podUid}`;
}

/** Batches live in a ring of `batchesKept` slots per contributor, so their state does not grow with time. */
export function batchKey(contributor: string, slot: number): string {
  return `${BATCH_PREFIX}${contributor}/${String(slot).padStart(6, "0")}`;
}

export function batchCountKey(contributor: string): string {
  return `${BATCH_COUNT_PREFIX}${contributor}`;
}

export function encodePod(p: PodSettlement): Uint8Array {
  return encodeRecord({
    podUid: p.podUid,
    contractId: p.contractId,
    replica: p.replica,
    nodeId: p.nodeId,
    contributor: p.contributor,
    scu: p.scu,
    pricePerScuHour: p.pricePerScuHour.toString(),
    firstFrom: p.firstFrom,
    billedTo: p.billedTo,
    seconds: p.seconds,
    charged: p.charged.toString(),
    fee: p.fee.toString(),
    unpaid: p.unpaid.toString(),
    carry: p.carry.toString(),
    intervals: p.intervals,
    lastBatch: p.lastBatch,
    lastHeight: p.lastHeight,
  });
}

export function decodePod(bytes: Uint8Array): PodSettlement {
  const r = decodeRecord(bytes) as Record<string, unknown>;
  return {
    podUid: r.podUid as string,
    contractId: r.contractId as string,
    replica: r.replica as number,
    nodeId: r.nodeId as string,
    contributor: r.contributor as string,
    scu: r.scu as number,
    pricePerScuHour: BigInt(r.pricePerScuHour as string),
    firstFrom: r.firstFrom as number,
    billedTo: r.billedTo as number,
    seconds: r.seconds as number,
    charged: BigInt(r.charged as string),
    fee: BigInt(r.fee as string),
    unpaid: BigInt(r.unpaid as string),
    carry: BigInt(r.carry as string),
    intervals: r.intervals as number,
    lastBatch: r.lastBatch as string,
    lastHeight: r.lastHeight as number,
  };
}

export function readPodSettlement(state: StateReader, podUid: string): PodSettlement | undefined {
  const bytes = state.get(podKey(podUid));
  return bytes ? decodePod(bytes) : undefined;
}

/** The id and contributor live in the key, and the sender only when an operator sent the batch, to keep records small. */
export function encodeBatch(b: BatchRecord): Uint8Array {
  return encodeRecord({
    sequence: b.sequence,
    sender: b.sender === b.contributor ? "" : b.sender,
    root: b.root,
    records: b.records,
    seconds: b.seconds,
    charged: b.charged.toString(),
    fee: b.fee.toString(),
    unpaid: b.unpaid.toString(),
    height: b.height,
    txHash: b.txHash,
  });
}

export function decodeBatch(key: string, bytes: Uint8Array): BatchRecord {
  const contributor = key.slice(BATCH_PREFIX.length).split("/")[0]!;
  const r = decodeRecord(bytes) as Record<string, unknown>;
  const sequence = r.sequence as number;
  return {
    id: `${contributor}/${sequence}`,
    contributor,
    sequence,
    sender: (r.sender as string) || contributor,
    root: r.root as string,
    records: r.records as number,
    seconds: r.seconds as number,
    charged: BigInt(r.charged as string),
    fee: BigInt(r.fee as string),
    unpaid: BigInt(r.unpaid as string),
    height: r.height as number,
    txHash: r.txHash as string,
  };
}
