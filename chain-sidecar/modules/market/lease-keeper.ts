// Leases: a pod's run on a node, recorded (once it is placed as the contract allows) and ended by the payer or the
// operator the payer named. Contract bookkeeping stays with the MarketKeeper this works through.
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import type { BlockInfo } from "../exec-context.js";

import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import { checkNodeId, checkPodUid } from "../identifiers.js";
import type { NodeDirectory, NodeLedger } from "./expected-keepers.js";
import { inRange } from "./market-checks.js";
import type { EndLease, RecordLease } from "./market-messages.js";
import {
  readActiveLeases,
  readLease,
  readServed,
  secondsOf,
  type MarketKeeper,
  type StateChange,
} from "./market-keeper.js";
import {
  LEASE_OUTCOMES,
  encodeLease,
  leaseKey,
  SERVED_RECORD,
  replicaKey,
  servedKey,
  type Contract,
  type Lease,
  type LeaseOutcome,
} from "./market-records.js";

/** The one lease keeper of the app, over its contract keeper and the contributor nodes. */
/** A lease written, with its contract and the state the contract moved to, when it moved. */
export interface LeaseChange extends StateChange {
  lease: Lease;
}

export class LeaseKeeper {
  constructor(
    private readonly market: MarketKeeper,
    private readonly directory: NodeDirectory,
    private readonly nodes: NodeLedger,
  ) {}

  recordLease(state: StateWriter, sender: string, msg: RecordLease, block: BlockInfo): LeaseChange {
    const contract = this.market.requireContract(state, msg.contractId, "RecordLease.contractId");
    this.market.requireManager(contract, sender, "RecordLease");
    if (contract.state !== "open") {
      throw new TxError(
        ResultCode.WRONG_STATE,
        `RecordLease.contractId: contract ${contract.id} is ${contract.state}`,
      );
    }
    const now = secondsOf(block);
    if (now >= contract.endsAt)
      throw new TxError(
        ResultCode.WRONG_STATE,
        `RecordLease.contractId: contract ${contract.id} ended at ${contract.endsAt}`,
      );
    const replica = inRange(msg.replica, 0, contract.replicas - 1, "RecordLease.replica");
    const podUid = checkPodUid(msg.podUid, "RecordLease.podUid");
    const nodeId = checkNodeId(msg.nodeId, "RecordLease.nodeId");
    const startedAt = this.checkTime(state, msg.startedAt, now, "RecordLease.startedAt");
    if (startedAt < contract.openedAt)
      throw invalidField(
        "RecordLease.startedAt",
        `${startedAt} is before the contract opened (${contract.openedAt})`,
      );
    const recorded = readLease(state, podUid);
    if (recorded)
      throw new TxError(
        ResultCode.DUPLICATE,
        `RecordLease.podUid: pod ${podUid} already holds a lease of contract ${recorded.contractId} (replica ${recorded.replica} on node ${recorded.nodeId} from ${recorded.startedAt})`,
      );
    const activeOfReplica = state.get(replicaKey(contract.id, replica));
    if (activeOfReplica) {
      const holder = (decodeRecord(activeOfReplica) as { podUid: string }).podUid;
      throw new TxError(
        ResultCode.ALREADY_EXISTS,
        `RecordLease.replica: replica ${replica} of ${contract.id} is held by pod ${holder}; end that lease first`,
      );
    }
    const node = this.directory.requireNode(state, nodeId, "RecordLease.nodeId");
    if (!node.online)
      throw new TxError(ResultCode.WRONG_STATE, `RecordLease.nodeId: node ${nodeId} is offline`);
    this.checkPlacement(state, contract, node.nodeId, node.owner, node.region, node.pricePerScuHour, block);
    const lease: Lease = {
      podUid,
      contractId: contract.id,
      replica,
      nodeId,
      contributor: node.owner,
      pricePerScuHour: node.pricePerScuHour,
      scu: contract.scuPerReplica,
      startedAt,
      endedAt: 0,
      outcome: "",
      recordedHeight: block.height,
    };
    state.set(leaseKey(podUid), encodeLease(lease));
    state.set(replicaKey(contract.id, replica), encodeRecord({ podUid }));
    this.recordServed(state, contract.id, nodeId, replica);
    this.nodes.leaseStarted(state, nodeId);
    contract.activeLeases += 1;
    contract.activePriceSum += lease.pricePerScuHour;
    contract.leasesTotal += 1;
    const moved = this.market.refresh(state, contract);
    this.market.save(state, contract);
    return { lease, contract, ...(moved ? { moved } : {}) };
  }

  /** Counts a lease of `replica` on the node, for breaches and ratings to check against. */
  private recordServed(state: StateWriter, contractId: string, nodeId: string, replica: number): void {
    const served = readServed(state, contractId, nodeId) ?? { leases: 0, replicas: [] };
    const replicas = served.replicas.includes(replica)
      ? served.replicas
      : [...served.replicas, replica].sort((a, b) => a - b);
    state.set(servedKey(contractId, nodeId), SERVED_RECORD.encode({ leases: served.leases + 1, replicas }));
  }

  private checkTime(state: StateReader, raw: bigint, now: number, field: string): number {
    const params = this.market.params(state);
    const earliest = now - params.leaseBackdateSeconds;
    const latest = now + params.clockSkewSeconds;
    if (raw < BigInt(Math.max(0, earliest)) || raw > BigInt(latest)) {
      throw invalidField(field, `${raw} is outside ${earliest}..${latest} (block time ${now} s)`);
    }
    return Number(raw);
  }

  private checkPlacement(
    state: StateReader,
    contract: Contract,
    nodeId: string,
    owner: string,
    region: string,
    price: bigint,
    block: BlockInfo,
  ): void {
    const reject = (why: string): never => {
      throw new TxError(ResultCode.PLACEMENT_REJECTED, `RecordLease.nodeId: ${why}`);
    };
    if (price > contract.maxPricePerScuHour)
      reject(
        `node ${nodeId} asks ${price} per SCU-hour, above the contract's max ${contract.maxPricePerScuHour}`,
      );
    if (contract.regions.length > 0 && !contract.regions.includes(region))
      reject(`node ${nodeId} is in region ${region}, not one of ${contract.regions.join(", ")}`);
    if (contract.minPoc > 0n) {
      const node = this.directory.requireNode(state, nodeId, "RecordLease.nodeId");
      const total = this.directory.pocTotal(state, node, block);
      if (total < contract.minPoc)
        reject(`node ${nodeId} has PoC ${total}, below the contract's minimum ${contract.minPoc}`);
    }
    if (contract.spread) {
      const crowded = readActiveLeases(state, contract.id).find((l) => l.contributor === owner);
      if (crowded)
        reject(
          `contributor ${owner} already runs replica ${crowded.replica} of ${contract.id} and the contract asks for spread`,
        );
    }
  }

  endLease(state: StateWriter, sender: string, msg: EndLease, block: BlockInfo): LeaseChange {
    const contract = this.market.requireContract(state, msg.contractId, "EndLease.contractId");
    this.market.requireManager(contract, sender, "EndLease");
    this.market.requireNotClosed(contract, "EndLease.contractId");
    const podUid = checkPodUid(msg.podUid, "EndLease.podUid");
    if (!LEASE_OUTCOMES.includes(msg.outcome as LeaseOutcome)) {
      throw invalidField(
        "EndLease.outcome",
        `${JSON.stringify(msg.outcome)} is not one of ${LEASE_OUTCOMES.join(", ")}`,
      );
    }
    const lease = readLease(state, podUid);
    if (!lease || lease.contractId !== contract.id)
      throw new TxError(
        ResultCode.NO_LEASE,
        `EndLease.podUid: pod ${podUid} holds no lease of contract ${contract.id}`,
      );
    if (lease.endedAt !== 0)
      throw new TxError(
        ResultCode.WRONG_STATE,
        `EndLease.podUid: the lease of pod ${podUid} already ended at ${lease.endedAt}`,
      );
    const endedAt = this.checkTime(state, msg.endedAt, secondsOf(block), "EndLease.endedAt");
    if (endedAt < lease.startedAt)
      throw invalidField("EndLease.endedAt", `${endedAt} is before the lease started (${lease.startedAt})`);
    const billedTo = this.market.billedTo(state, podUid);
    if (endedAt < billedTo)
      throw invalidField(
        "EndLease.endedAt",
        `${endedAt} is before ${billedTo}, up to which the pod is already billed`,
      );
    this.market.endLeaseRecord(state, contract, lease, endedAt, msg.outcome as LeaseOutcome);
    const moved = this.market.refresh(state, contract);
    this.market.save(state, contract);
    return { lease, contract, ...(moved ? { moved } : {}) };
  }
}
