// Metering batches and per-pod settlement. Owns the `metering/` prefix.
//
// A batch is all or nothing: every record must name a pod whose lease matches its contract, replica and node, on a
// node of the batch's contributor, for seconds after the pod's last billed second, inside the lease and the contract.
// Settlement takes price × scu × seconds / 3600 from escrow (see settlement-math.ts for the rounding); the fee goes
// to the validators' fee pool and the rest to the contributor. When escrow runs short the record is settled up to
// what the escrow holds, the rest is recorded as unpaid, its seconds still count as billed (so they are never billed
// again), and the contract is paused.
import { encodeRecord, decodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import { BankKeeper } from "../bank/bank-keeper.js";
import type { BlockInfo } from "../exec-context.js";
import { MarketKeeper, checkContractId, readLease } from "../market/market-keeper.js";
import { marketParams } from "../market/market-params.js";
import type { Contract, ContractState } from "../market/market-records.js";
import { readParams } from "../params/params-keeper.js";
import { checkNodeId, checkPodUid } from "../poc/identifiers.js";
import { readNode } from "../poc/poc-keeper.js";
import type { ContributorRecord } from "../poc/poc-records.js";
import { meteringRoot } from "./batch-root.js";
import type { MeterRecord, MeteringBatch } from "./metering-messages.js";
import { meteringParams, type MeteringParams } from "./metering-params.js";
import {
  batchCountKey,
  batchKey,
  byContractKey,
  byContributorKey,
  encodeBatch,
  encodePod,
  podKey,
  readPodSettlement,
  settlementReader,
  type BatchRecord,
  type PodSettlement,
} from "./metering-records.js";
import { feeOf, intervalAmount } from "./settlement-math.js";

export interface BatchOutcome {
  batch: BatchRecord;
  /** Contracts this batch moved between open and paused. */
  moved: { contract: Contract; state: ContractState }[];
}

/** Batches sent so far and the ring size their records were written with. */
function readBatchCount(state: StateReader, contributor: string): { count: number; ring: number } {
  const bytes = state.get(batchCountKey(contributor));
  return bytes ? (decodeRecord(bytes) as { count: number; ring: number }) : { count: 0, ring: 0 };
}

export class MeteringKeeper {
  readonly params: MeteringParams;

  constructor(private readonly state: StateWriter) {
    this.params = readParams(state, meteringParams);
  }

  settleBatch(sender: string, msg: MeteringBatch, block: BlockInfo, txHash: string): BatchOutcome {
    const records = msg.records;
    if (records.length === 0) throw invalidField("MeteringBatch.records", "must hold at least one record");
    if (records.length > this.params.maxRecordsPerBatch) {
      throw invalidField(
        "MeteringBatch.records",
        `at most ${this.params.maxRecordsPerBatch} records per batch, got ${records.length}`,
      );
    }
    const root = meteringRoot(records);
    if (root !== msg.root.toLowerCase()) {
      throw new TxError(
        ResultCode.ROOT_MISMATCH,
        `MeteringBatch.root: ${msg.root} is not the Merkle root of the records (${root})`,
      );
    }
    const market = new MarketKeeper(this.state, settlementReader);
    const skew = readParams(this.state, marketParams).clockSkewSeconds;
    const now = Math.floor(block.timeMs / 1000);
    const contracts = new Map<string, Contract>();
    const pods = new Map<string, PodSettlement>();
    const moved = new Map<string, ContractState>();
    const nodes = new Map<string, ContributorRecord | undefined>();
    const counted = readBatchCount(this.state, msg.contributor);
    const sequence = counted.count + 1;
    const batch: BatchRecord = {
      id: `${msg.contributor}/${sequence}`,
      contributor: msg.contributor,
      sequence,
      sender,
      root,
      records: records.length,
      seconds: 0,
      charged: 0n,
      fee: 0n,
      unpaid: 0n,
      height: block.height,
      txHash,
    };
    records.forEach((record, i) => {
      const path = `MeteringBatch.records[${i}]`;
      const { podUid, from, to } = this.checkShape(record, path);
      const lease = readLease(this.state, podUid);
      if (
        !lease ||
        lease.contractId !== record.contractId ||
        BigInt(lease.replica) !== record.replica ||
        lease.nodeId !== record.nodeId
      ) {
        throw new TxError(
          ResultCode.NO_LEASE,
          `${path}.podUid: node ${record.nodeId} holds no lease for pod ${podUid} as replica ${record.replica} of contract ${record.contractId}`,
        );
      }
      if (lease.contributor !== msg.contributor) {
        throw new TxError(
          ResultCode.UNAUTHORISED,
          `${path}.nodeId: the lease of pod ${podUid} pays ${lease.contributor}, not the batch's contributor ${msg.contributor}`,
        );
      }
      if (!nodes.has(lease.nodeId)) nodes.set(lease.nodeId, readNode(this.state, lease.nodeId));
      const node = nodes.get(lease.nodeId);
      const authorised =
        sender === msg.contributor ||
        (node !== undefined && node.operator !== "" && node.operator === sender);
      if (!authorised) {
        throw new TxError(
          ResultCode.UNAUTHORISED,
          `${path}.nodeId: ${sender} is neither the contributor ${msg.contributor} nor the operator of node ${lease.nodeId}`,
        );
      }
      if (record.scu !== BigInt(lease.scu))
        throw invalidField(`${path}.scu`, `${record.scu} differs from the lease's ${lease.scu} SCU`);
      let contract = contracts.get(lease.contractId);
      if (!contract) {
        contract = market.requireContract(lease.contractId, `${path}.contractId`);
        contracts.set(contract.id, contract);
      }
      if (contract.state === "closed")
        throw new TxError(ResultCode.WRONG_STATE, `${path}.contractId: contract ${contract.id} is closed`);
      if (from < lease.startedAt)
        throw invalidField(`${path}.fromTime`, `${from} is before the lease started (${lease.startedAt})`);
      const latest = Math.min(lease.endedAt !== 0 ? lease.endedAt : now + skew, contract.endsAt);
      if (to > latest) {
        throw invalidField(
          `${path}.toTime`,
          `${to} is after ${latest}, the last second the lease and contract allow (block time ${now} s)`,
        );
      }
      const pod = pods.get(podUid) ?? readPodSettlement(this.state, podUid);
      if (pod && from < pod.billedTo) {
        throw new TxError(
          ResultCode.DOUBLE_BILLED,
          `${path}.fromTime: pod ${podUid} is billed up to ${pod.billedTo}; ${from} would bill seconds twice`,
        );
      }
      const seconds = to - from;
      const { amount, carry } = intervalAmount(
        lease.pricePerScuHour,
        BigInt(lease.scu),
        BigInt(seconds),
        pod?.carry ?? 0n,
      );
      const before = contract.state;
      const { charged, unpaid } = market.charge(contract, amount);
      if (contract.state !== before) moved.set(contract.id, contract.state);
      const fee = feeOf(charged, this.params.feeBps);
      const settled: PodSettlement = pod ?? {
        podUid,
        contractId: lease.contractId,
        replica: lease.replica,
        nodeId: lease.nodeId,
        contributor: lease.contributor,
        scu: lease.scu,
        pricePerScuHour: lease.pricePerScuHour,
        firstFrom: from,
        billedTo: from,
        seconds: 0,
        charged: 0n,
        fee: 0n,
        unpaid: 0n,
        carry: 0n,
        intervals: 0,
        lastBatch: "",
        lastHeight: 0,
      };
      settled.billedTo = to;
      settled.seconds += seconds;
      settled.charged += charged;
      settled.fee += fee;
      settled.unpaid += unpaid;
      settled.carry = carry;
      settled.intervals += 1;
      settled.lastBatch = batch.id;
      settled.lastHeight = block.height;
      if (!pod) {
        this.state.set(byContractKey(settled.contractId, podUid), encodeRecord({ podUid }));
        this.state.set(byContributorKey(settled.contributor, podUid), encodeRecord({ podUid }));
      }
      pods.set(podUid, settled);
      batch.seconds += seconds;
      batch.charged += charged;
      batch.fee += fee;
      batch.unpaid += unpaid;
    });
    for (const pod of pods.values()) this.state.set(podKey(pod.podUid), encodePod(pod));
    for (const contract of contracts.values()) market.save(contract);
    const bank = new BankKeeper();
    const earned = batch.charged - batch.fee;
    if (earned > 0n) bank.credit(this.state, msg.contributor, earned);
    if (batch.fee > 0n) bank.addToFeePool(this.state, batch.fee);
    const kept = this.params.batchesKept;
    this.state.set(batchKey(msg.contributor, (sequence - 1) % kept), encodeBatch(batch));
    // When batchesKept was lowered, the slots past the new ring go (known keys, no scan); the ring is exact again once it turns.
    for (let slot = kept; slot < counted.ring; slot++) this.state.delete(batchKey(msg.contributor, slot));
    this.state.set(batchCountKey(msg.contributor), encodeRecord({ count: sequence, ring: kept }));
    return {
      batch,
      moved: [...moved.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([id, state]) => ({ contract: contracts.get(id)!, state })),
    };
  }

  private checkShape(record: MeterRecord, path: string): { podUid: string; from: number; to: number } {
    const podUid = checkPodUid(record.podUid, `${path}.podUid`);
    checkContractId(record.contractId, `${path}.contractId`);
    checkNodeId(record.nodeId, `${path}.nodeId`);
    if (record.toTime <= record.fromTime)
      throw invalidField(`${path}.toTime`, `${record.toTime} must be after fromTime ${record.fromTime}`);
    if (record.toTime > BigInt(Number.MAX_SAFE_INTEGER))
      throw invalidField(`${path}.toTime`, `${record.toTime} is not a plausible unix time in seconds`);
    return { podUid, from: Number(record.fromTime), to: Number(record.toTime) };
  }
}
