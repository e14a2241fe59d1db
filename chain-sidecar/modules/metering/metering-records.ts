// The metering module's stored records and the keys under its prefix `metering/`.
import { amount, defineRecord, integer, oneOf, text, type RecordType } from "../../state/record-codec.js";
import type { StateReader } from "../../state/state-access.js";
import { BILLING_MODES } from "../market/market-types.js";

/** Settlements of pods whose contract is open: the ones metering batches update. */
export const POD_PREFIX = "metering/pod/";
/**
 * Settlements of pods whose contract has closed, moved there from POD_PREFIX: they no longer change, and a family
 * (trie subtree) of their own keeps a year of them off the paths that each block's live updates rewrite.
 */
export const CLOSED_POD_PREFIX = "metering/closedpod/";
export const BY_CONTRACT_PREFIX = "metering/contract/";
export const BY_CONTRIBUTOR_PREFIX = "metering/contributor/";
export const BATCH_PREFIX = "metering/batch/";
export const BATCH_COUNT_PREFIX = "metering/batchcount/";
/** Closed contracts whose settlements leave state once due: `metering/prune/<due unix seconds, 12 digits>/<contract>`. */
export const PRUNE_PREFIX = "metering/prune/";
/**
 * Closed contracts whose pods' settlements are still being moved to the closed ones, oldest closing first:
 * `metering/retire/<closed unix seconds, 12 digits>/<contract>`.
 */
export const RETIRE_PREFIX = "metering/retire/";

/** One pod's settlement so far: every metered second of the pod, what it cost and who got it. */
export const POD_SETTLEMENT_RECORD = defineRecord({
  podUid: text,
  contractId: text,
  replica: integer,
  nodeId: text,
  contributor: text,
  scu: integer,
  pricePerScuHour: amount,
  /** The contract's billing: "reserved" bills scu every second, "used" the measured use (at most scu). */
  billing: oneOf(BILLING_MODES),
  /** Start of the first metered interval (unix seconds). */
  firstFrom: integer,
  /** End of the last metered interval: no later record may start before it. */
  billedTo: integer,
  /** Metered seconds in total (gaps between intervals are not billed). */
  seconds: integer,
  /** Seconds whose record carried a measurement: memoryBytes 0 means not measured (a running container's working set never is 0; kwok's fake pods report nothing). */
  measuredSeconds: integer,
  /** Σ cpuMillicores × seconds over measured records: used CPU in milli-core-seconds. */
  cpuMilliSeconds: amount,
  /** Σ memoryBytes × seconds over measured records. */
  memoryByteSeconds: amount,
  /** Σ billed milli-SCU × seconds: scu × 1000 when reserved or unmeasured, else measured use capped at scu × 1000. */
  billedMilliScuSeconds: amount,
  /** Taken from escrow: the contributor's share plus the fee. */
  charged: amount,
  fee: amount,
  /** Cost the escrow could not cover. charged + unpaid = ⌊price × billedMilliScuSeconds / 3_600_000⌋ exactly. */
  unpaid: amount,
  /** What is not yet turned into whole tokens: below 3600 (reserved, in SCU) or 3_600_000 (used, in milli-SCU). */
  carry: amount,
  intervals: integer,
  lastBatch: text,
  lastHeight: integer,
});
export type PodSettlement = RecordType<typeof POD_SETTLEMENT_RECORD>;

/** One settled batch as stored: its Merkle root (the records themselves are in the transaction) and its totals. */
const STORED_BATCH_RECORD = defineRecord({
  /** 1 for a contributor's first batch, then counting up. */
  sequence: integer,
  /** "" when the contributor sent it itself. */
  sender: text,
  root: text,
  records: integer,
  seconds: integer,
  charged: amount,
  fee: amount,
  unpaid: amount,
  height: integer,
  txHash: text,
});

/** One settled batch, with the id and contributor its key carries. */
export type BatchRecord = RecordType<typeof STORED_BATCH_RECORD> & { id: string; contributor: string };

export function podKey(podUid: string): string {
  return `${POD_PREFIX}${podUid}`;
}

export function closedPodKey(podUid: string): string {
  return `${CLOSED_POD_PREFIX}${podUid}`;
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

/** Zero-padded, so the queue's key order is due-time order. */
export function pruneKey(dueSeconds: number, contractId: string): string {
  return `${PRUNE_PREFIX}${String(dueSeconds).padStart(12, "0")}/${contractId}`;
}

/** The first queue key due after `nowSeconds`: everything before it is due. */
export function pruneKeyAfter(nowSeconds: number): string {
  return `${PRUNE_PREFIX}${String(nowSeconds + 1).padStart(12, "0")}/`;
}

export function retireKey(closedAtSeconds: number, contractId: string): string {
  return `${RETIRE_PREFIX}${String(closedAtSeconds).padStart(12, "0")}/${contractId}`;
}

export function batchCountKey(contributor: string): string {
  return `${BATCH_COUNT_PREFIX}${contributor}`;
}

export const encodePod = POD_SETTLEMENT_RECORD.encode;
export const decodePod = POD_SETTLEMENT_RECORD.decode;

export function readPodSettlement(state: StateReader, podUid: string): PodSettlement | undefined {
  const bytes = state.get(podKey(podUid)) ?? state.get(closedPodKey(podUid));
  return bytes ? decodePod(bytes) : undefined;
}

/** The id and contributor live in the key, and the sender only when an operator sent the batch, to keep records small. */
export function encodeBatch(b: BatchRecord): Uint8Array {
  return STORED_BATCH_RECORD.encode({ ...b, sender: b.sender === b.contributor ? "" : b.sender });
}

export function decodeBatch(key: string, bytes: Uint8Array): BatchRecord {
  const contributor = key.slice(BATCH_PREFIX.length).split("/")[0]!;
  const stored = STORED_BATCH_RECORD.decode(bytes);
  return {
    ...stored,
    id: `${contributor}/${stored.sequence}`,
    contributor,
    sender: stored.sender || contributor,
  };
}
