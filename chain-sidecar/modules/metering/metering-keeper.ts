// Metering batches and per-pod settlement. Owns the `metering/` prefix.
//
// A batch is all or nothing: every record must name a pod whose lease matches its contract, replica and node, on a
// node of the batch's contributor, for seconds after the pod's last billed second, inside the lease and the contract.
// Settlement takes price × scu × seconds / 3600 from escrow, or for a contract billed by use the measured milli-SCU
// (at most the lease's SCU; unmeasured seconds as reserved) over 3_600_000 (see settlement-math.ts for the rounding);
// the fee goes to the validators' fee pool and the rest to the contributor. When escrow runs short the record is settled up to
// what the escrow holds, the rest is recorded as unpaid, its seconds still count as billed (so they are never billed
// again), and the contract is paused.
import { encodeRecord, decodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import type { BlockInfo } from "../exec-context.js";
import type { Contract, ContractState } from "../market/market-types.js";
import { readParams } from "../params/params-keeper.js";
import type { ContributorRecord } from "../poc/poc-types.js";
import type { ContractLedger, NodeReader, SettlementBank } from "./expected-keepers.js";
import { checkMeterRecord, checkMeteringBatch, checkUsage } from "./metering-checks.js";
import type { MeteringBatch } from "./metering-messages.js";
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
  type BatchRecord,
  type PodSettlement,
} from "./metering-records.js";
import { MILLI, billedUnits, feeOf, intervalAmount } from "./settlement-math.js";

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

/** The one metering keeper of the app; every method takes the state it works on. */
export class MeteringKeeper {
  constructor(
    private readonly market: ContractLedger,
    private readonly bank: SettlementBank,
    private readonly nodes: NodeReader,
  ) {}

  params(state: StateReader): MeteringParams {
    return readParams(state, meteringParams);
  }

  settleBatch(
    state: StateWriter,
    sender: string,
    msg: MeteringBatch,
    block: BlockInfo,
    txHash: string,
  ): BatchOutcome {
    const params = this.params(state);
    const root = checkMeteringBatch(msg, params);
    const unit = this.nodes.params(state);
    const records = msg.records;
    const market = this.market;
    const skew = market.params(state).clockSkewSeconds;
    const now = Math.floor(block.timeMs / 1000);
    const contracts = new Map<string, Contract>();
    const pods = new Map<string, PodSettlement>();
    const moved = new Map<string, ContractState>();
    const nodes = new Map<string, ContributorRecord | undefined>();
    const counted = readBatchCount(state, msg.contributor);
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
      const { podUid, from, to } = checkMeterRecord(record, path);
      const lease = market.lease(state, podUid);
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
      if (!nodes.has(lease.nodeId)) nodes.set(lease.nodeId, this.nodes.node(state, lease.nodeId));
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
      const usage = checkUsage(record, unit, path);
      let contract = contracts.get(lease.contractId);
      if (!contract) {
        contract = market.requireContract(state, lease.contractId, `${path}.contractId`);
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
      const pod = pods.get(podUid) ?? readPodSettlement(state, podUid);
      if (pod && from < pod.billedTo) {
        throw new TxError(
          ResultCode.DOUBLE_BILLED,
          `${path}.fromTime: pod ${podUid} is billed up to ${pod.billedTo}; ${from} would bill seconds twice`,
        );
      }
      const seconds = to - from;
      const { units, unitsPerScu } = billedUnits(contract.billing, record.scu, usage, unit);
      const { amount, carry } = intervalAmount(
        lease.pricePerScuHour,
        units,
        BigInt(seconds),
        pod?.carry ?? 0n,
        unitsPerScu,
      );
      const before = contract.state;
      const { charged, unpaid } = market.charge(state, contract, amount);
      if (contract.state !== before) moved.set(contract.id, contract.state);
      const fee = feeOf(charged, params.feeBps);
      const settled: PodSettlement = pod ?? {
        podUid,
        contractId: lease.contractId,
        replica: lease.replica,
        nodeId: lease.nodeId,
        contributor: lease.contributor,
        scu: lease.scu,
        pricePerScuHour: lease.pricePerScuHour,
        billing: contract.billing,
        firstFrom: from,
        billedTo: from,
        seconds: 0,
        measuredSeconds: 0,
        cpuMilliSeconds: 0n,
        memoryByteSeconds: 0n,
        billedMilliScuSeconds: 0n,
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
      settled.billedMilliScuSeconds += ((units * MILLI) / unitsPerScu) * BigInt(seconds);
      if (usage) {
        settled.measuredSeconds += seconds;
        settled.cpuMilliSeconds += usage.cpuMillicores * BigInt(seconds);
        settled.memoryByteSeconds += usage.memoryBytes * BigInt(seconds);
      }
      settled.charged += charged;
      settled.fee += fee;
      settled.unpaid += unpaid;
      settled.carry = carry;
      settled.intervals += 1;
      settled.lastBatch = batch.id;
      settled.lastHeight = block.height;
      if (!pod) {
        state.set(byContractKey(settled.contractId, podUid), encodeRecord({ podUid }));
        state.set(byContributorKey(settled.contributor, podUid), encodeRecord({ podUid }));
      }
      pods.set(podUid, settled);
      batch.seconds += seconds;
      batch.charged += charged;
      batch.fee += fee;
      batch.unpaid += unpaid;
    });
    for (const pod of pods.values()) state.set(podKey(pod.podUid), encodePod(pod));
    for (const contract of contracts.values()) market.save(state, contract);
    const earned = batch.charged - batch.fee;
    if (earned > 0n) this.bank.credit(state, msg.contributor, earned);
    if (batch.fee > 0n) this.bank.addToFeePool(state, batch.fee);
    const kept = params.batchesKept;
    state.set(batchKey(msg.contributor, (sequence - 1) % kept), encodeBatch(batch));
    // When batchesKept was lowered, the slots past the new ring go (known keys, no scan); the ring is exact again once it turns.
    for (let slot = kept; slot < counted.ring; slot++) state.delete(batchKey(msg.contributor, slot));
    state.set(batchCountKey(msg.contributor), encodeRecord({ count: sequence, ring: kept }));
    return {
      batch,
      moved: [...moved.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([id, state]) => ({ contract: contracts.get(id)!, state })),
    };
  }
}
