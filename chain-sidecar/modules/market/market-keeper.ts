// Contracts, escrow, leases, breaches and ratings. Owns the `market/` prefix.
//
// Escrow rules: the budget moves from the payer's balance into the contract; metering charges take from it and
// never more than it holds; a contract whose escrow cannot pay one more interval is paused (not closed) and
// resumes when a top-up covers it; closing (by the payer, or at expiry plus a grace period) refunds the rest.
// Leases are recorded and ended by the payer or the operator the payer named when opening.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import { BankKeeper } from "../bank/bank-keeper.js";
import type { BlockInfo } from "../exec-context.js";
import { readPodSettlement } from "../metering/metering-records.js";
import { readParams } from "../params/params-keeper.js";
import {
  checkClientRef,
  checkClusterId,
  checkNodeId,
  checkPodUid,
  checkRegion,
  optionalAddress,
} from "../poc/identifiers.js";
import { PocKeeper, nodeStanding } from "../poc/poc-keeper.js";
import { requiredPerInterval } from "./interval-cost.js";
import type {
  EndLease,
  OpenContract,
  ResizeContract,
  RateContributor,
  RecordBreach,
  RecordLease,
} from "./market-messages.js";
import { marketParams, type MarketParams } from "./market-params.js";
import {
  BREACH_KINDS,
  CONTRACT_PREFIX,
  EXPIRY_PREFIX,
  LEASE_OUTCOMES,
  PAYER_PREFIX,
  REPLICA_PREFIX,
  breachKey,
  contractIdFor,
  contractKey,
  decodeContract,
  decodeLease,
  encodeContract,
  encodeLease,
  expiryKey,
  leaseKey,
  payerIndexKey,
  ratingKey,
  replicaKey,
  servedKey,
  type CloseReason,
  type Contract,
  type ContractState,
  type Lease,
  type LeaseOutcome,
} from "./market-records.js";

const CONTRACT_ID = /^[0-9a-f]{20}$/;

export function checkContractId(id: string, field: string): string {
  if (!CONTRACT_ID.test(id))
    throw invalidField(field, `${JSON.stringify(id)} is not a contract id (20 lowercase hex digits)`);
  return id;
}

export function readContract(state: StateReader, id: string): Contract | undefined {
  const bytes = state.get(contractKey(id));
  return bytes ? decodeContract(bytes) : undefined;
}

export function readAllContracts(state: StateReader): Contract[] {
  return state.entries(CONTRACT_PREFIX).map(([, bytes]) => decodeContract(bytes));
}

export function readContractsOfPayer(state: StateReader, payer: string): Contract[] {
  const prefix = `${PAYER_PREFIX}${payer}/`;
  return state.entries(prefix).flatMap(([key]) => {
    const contract = readContract(state, key.slice(prefix.length));
    return contract ? [contract] : [];
  });
}

export function readLease(state: StateReader, podUid: string): Lease | undefined {
  const bytes = state.get(leaseKey(podUid));
  return bytes ? decodeLease(bytes) : undefined;
}

export function readActiveLeases(state: StateReader, contractId: string): Lease[] {
  return state.entries(`${REPLICA_PREFIX}${contractId}/`).flatMap(([, bytes]) => {
    const lease = readLease(state, (decodeRecord(bytes) as { podUid: string }).podUid);
    return lease ? [lease] : [];
  });
}

function secondsOf(block: BlockInfo): number {
  return Math.floor(block.timeMs / 1000);
}

function inRange(value: bigint, min: number, max: number, field: string): number {
  if (value < BigInt(min) || value > BigInt(max))
    throw invalidField(field, `${value} is outside ${min}..${max}`);
  return Number(value);
}

export interface StateChange {
  contract: Contract;
  /** The state the contract moved to, when it moved. */
  moved?: ContractState;
}

export class MarketKeeper {
  readonly params: MarketParams;
  private readonly bank: BankKeeper;
  private readonly poc: PocKeeper;

  constructor(private readonly state: StateWriter) {
    this.params = readParams(state, marketParams);
    this.bank = new BankKeeper(state);
    this.poc = new PocKeeper(state);
  }

  contract(id: string): Contract | undefined {
    return readContract(this.state, id);
  }

  requireContract(id: string, field: string): Contract {
    const contract = this.contract(checkContractId(id, field));
    if (!contract) throw new TxError(ResultCode.NOT_FOUND, `${field}: contract ${id} does not exist`);
    return contract;
  }

  save(contract: Contract): void {
    this.state.set(contractKey(contract.id), encodeContract(contract));
  }

  private requireNotClosed(contract: Contract, field: string): void {
    if (contract.state === "closed")
      throw new TxError(ResultCode.WRONG_STATE, `${field}: contract ${contract.id} is closed`);
  }

  /** The payer, or the operator the payer authorised at opening. */
  private requireManager(contract: Contract, sender: string, what: string): void {
    if (sender !== contract.payer && (contract.operator === "" || sender !== contract.operator)) {
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `${what}: ${sender} is neither the payer nor the authorised operator of contract ${contract.id}`,
      );
    }
  }

  open(sender: string, msg: OpenContract, block: BlockInfo): Contract {
    const p = this.params;
    const clusterId = checkClusterId(msg.clusterId, "OpenContract.clusterId");
    const clientRef = checkClientRef(msg.clientRef, "OpenContract.clientRef");
    const id = contractIdFor(sender, clusterId, clientRef);
    const existing = this.contract(id);
    if (existing)
      throw new TxError(
        ResultCode.DUPLICATE,
        `OpenContract.clientRef: ${sender} already opened contract ${id} for ${clusterId === "" ? "" : `cluster ${clusterId}, `}reference ${clientRef} (${existing.state})`,
      );
    const scuPerReplica = inRange(msg.scuPerReplica, 1, p.maxScuPerReplica, "OpenContract.scuPerReplica");
    const replicas = inRange(msg.replicas, 1, p.maxReplicas, "OpenContract.replicas");
    if (msg.maxPricePerScuHour === 0n)
      throw invalidField("OpenContract.maxPricePerScuHour", "must be greater than zero");
    const durationSeconds = inRange(
      msg.durationSeconds,
      1,
      p.maxDurationSeconds,
      "OpenContract.durationSeconds",
    );
    const recoverWithinSeconds = inRange(
      msg.recoverWithinSeconds,
      1,
      2 ** 32 - 1,
      "OpenContract.recoverWithinSeconds",
    );
    if (msg.regions.length > p.maxRegions)
      throw invalidField(
        "OpenContract.regions",
        `at most ${p.maxRegions} regions, got ${msg.regions.length}`,
      );
    const regions = new Set<string>();
    msg.regions.forEach((region, i) => {
      checkRegion(region, `OpenContract.regions[${i}]`);
      if (regions.has(region)) throw invalidField(`OpenContract.regions[${i}]`, `${region} is listed twice`);
      regions.add(region);
    });
    const openedAt = secondsOf(block);
    const contract: Contract = {
      id,
      payer: sender,
      clusterId,
      clientRef,
      operator: optionalAddress(msg.operator),
      scuPerReplica,
      replicas,
      maxPricePerScuHour: msg.maxPricePerScuHour,
      durationSeconds,
      recoverWithinSeconds,
      maxMigrations: Number(msg.maxMigrations),
      regions: [...regions].sort(),
      minPoc: msg.minPoc,
      spread: msg.spread,
      state: "open",
      closeReason: "",
      openedAt,
      endsAt: openedAt + durationSeconds,
      openedHeight: block.height,
      closedAt: 0,
      deposited: msg.budget,
      escrow: msg.budget,
      spent: 0n,
      refunded: 0n,
      unpaid: 0n,
      activeLeases: 0,
      activePriceSum: 0n,
      leasesTotal: 0,
      migrations: 0,
      breaches: 0,
    };
    const needed = requiredPerInterval(contract, p.meteringIntervalSeconds);
    if (msg.budget < needed) {
      throw invalidField(
        "OpenContract.budget",
        `${msg.budget} does not cover one ${p.meteringIntervalSeconds} s interval of all replicas at the max price (${needed})`,
      );
    }
    this.bank.debit(sender, msg.budget, "OpenContract.budget");
    this.save(contract);
    this.state.set(payerIndexKey(sender, id), encodeRecord({ id }));
    this.state.set(expiryKey(contract.endsAt, id), encodeRecord({ id }));
    this.poc.recordDemand(block.height, BigInt(scuPerReplica) * BigInt(replicas));
    return contract;
  }

  /** Moves open ↔ paused by whether the escrow pays one more interval; returns the new state if it changed. */
  private refresh(contract: Contract): ContractState | undefined {
    if (contract.state === "closed") return undefined;
    const covered = contract.escrow >= requiredPerInterval(contract, this.params.meteringIntervalSeconds);
    const next: ContractState = covered ? "open" : "paused";
    if (next === contract.state) return undefined;
    contract.state = next;
    return next;
  }

  topUp(sender: string, id: string, amount: bigint): StateChange {
    const contract = this.requireContract(id, "TopUpContract.contractId");
    if (sender !== contract.payer)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `TopUpContract: only the payer ${contract.payer} may top up ${id}`,
      );
    this.requireNotClosed(contract, "TopUpContract.contractId");
    if (amount === 0n) throw invalidField("TopUpContract.amount", "must be greater than zero");
    this.bank.debit(sender, amount, "TopUpContract.amount");
    contract.deposited += amount;
    contract.escrow += amount;
    const moved = this.refresh(contract);
    this.save(contract);
    return { contract, ...(moved ? { moved } : {}) };
  }

  /** Grows or shrinks the replica slots; growing needs the escrow to cover one interval of the new size. */
  resize(sender: string, msg: ResizeContract, block: BlockInfo): StateChange & { from: number } {
    const contract = this.requireContract(msg.contractId, "ResizeContract.contractId");
    this.requireManager(contract, sender, "ResizeContract");
    this.requireNotClosed(contract, "ResizeContract.contractId");
    const replicas = inRange(msg.replicas, 1, this.params.maxReplicas, "ResizeContract.replicas");
    const from = contract.replicas;
    if (replicas > from) {
      const needed = requiredPerInterval({ ...contract, replicas }, this.params.meteringIntervalSeconds);
      if (contract.escrow < needed)
        throw new TxError(
          ResultCode.INSUFFICIENT_FUNDS,
          `ResizeContract.replicas: escrow ${contract.escrow} of contract ${contract.id} does not cover one ` +
            `${this.params.meteringIntervalSeconds} s interval of ${replicas} replicas at the max price (${needed}); top up first`,
        );
      this.poc.recordDemand(block.height, BigInt(contract.scuPerReplica) * BigInt(replicas - from));
    }
    contract.replicas = replicas;
    // Fewer unplaced replicas may let a paused contract pay its next interval again.
    const moved = this.refresh(contract);
    this.save(contract);
    return { contract, from, ...(moved ? { moved } : {}) };
  }

  close(sender: string, id: string, block: BlockInfo): Contract {
    const contract = this.requireContract(id, "CloseContract.contractId");
    if (sender !== contract.payer)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `CloseContract: only the payer ${contract.payer} may close ${id}`,
      );
    this.requireNotClosed(contract, "CloseContract.contractId");
    return this.finish(contract, "payer", block);
  }

  /** Ends the active leases, refunds the escrow to the payer and closes the contract for good. */
  private finish(contract: Contract, reason: CloseReason, block: BlockInfo): Contract {
    const now = secondsOf(block);
    for (const lease of readActiveLeases(this.state, contract.id)) {
      const billedTo = readPodSettlement(this.state, lease.podUid)?.billedTo ?? 0;
      const endedAt = Math.max(lease.startedAt, billedTo, Math.min(now, contract.endsAt));
      this.endLeaseRecord(contract, lease, endedAt, "contract_closed");
    }
    const refund = contract.escrow;
    if (refund > 0n) this.bank.credit(contract.payer, refund);
    contract.refunded += refund;
    contract.escrow = 0n;
    contract.state = "closed";
    contract.closeReason = reason;
    contract.closedAt = now;
    this.save(contract);
    this.state.delete(expiryKey(contract.endsAt, contract.id));
    return contract;
  }

  /** Closes every contract whose end plus the grace period has passed. */
  closeExpired(block: BlockInfo): Contract[] {
    const cutoff = secondsOf(block) - this.params.settlementGraceSeconds;
    if (cutoff < 0) return [];
    const due = this.state.entries(EXPIRY_PREFIX, { to: expiryKey(cutoff + 1, "") });
    return due.flatMap(([key, bytes]) => {
      const contract = this.contract((decodeRecord(bytes) as { id: string }).id);
      if (!contract || contract.state === "closed") {
        this.state.delete(key);
        return [];
      }
      return [this.finish(contract, "expired", block)];
    });
  }

  recordLease(
    sender: string,
    msg: RecordLease,
    block: BlockInfo,
  ): { lease: Lease; contract: Contract; moved?: ContractState } {
    const contract = this.requireContract(msg.contractId, "RecordLease.contractId");
    this.requireManager(contract, sender, "RecordLease");
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
    const startedAt = this.checkTime(msg.startedAt, now, "RecordLease.startedAt");
    if (startedAt < contract.openedAt)
      throw invalidField(
        "RecordLease.startedAt",
        `${startedAt} is before the contract opened (${contract.openedAt})`,
      );
    const recorded = readLease(this.state, podUid);
    if (recorded)
      throw new TxError(
        ResultCode.DUPLICATE,
        `RecordLease.podUid: pod ${podUid} already holds a lease of contract ${recorded.contractId} (replica ${recorded.replica} on node ${recorded.nodeId} from ${recorded.startedAt})`,
      );
    const activeOfReplica = this.state.get(replicaKey(contract.id, replica));
    if (activeOfReplica) {
      const holder = (decodeRecord(activeOfReplica) as { podUid: string }).podUid;
      throw new TxError(
        ResultCode.ALREADY_EXISTS,
        `RecordLease.replica: replica ${replica} of ${contract.id} is held by pod ${holder}; end that lease first`,
      );
    }
    const node = this.poc.requireNode(nodeId, "RecordLease.nodeId");
    if (!node.online)
      throw new TxError(ResultCode.WRONG_STATE, `RecordLease.nodeId: node ${nodeId} is offline`);
    this.checkPlacement(contract, node.nodeId, node.owner, node.region, node.pricePerScuHour, block);
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
    this.state.set(leaseKey(podUid), encodeLease(lease));
    this.state.set(replicaKey(contract.id, replica), encodeRecord({ podUid }));
    const servedBytes = this.state.get(servedKey(contract.id, nodeId));
    const served = servedBytes ? (decodeRecord(servedBytes) as { leases: number }).leases : 0;
    this.state.set(servedKey(contract.id, nodeId), encodeRecord({ leases: served + 1 }));
    this.poc.leaseStarted(nodeId);
    contract.activeLeases += 1;
    contract.activePriceSum += lease.pricePerScuHour;
    contract.leasesTotal += 1;
    const moved = this.refresh(contract);
    this.save(contract);
    return { lease, contract, ...(moved ? { moved } : {}) };
  }

  private checkTime(raw: bigint, now: number, field: string): number {
    const earliest = now - this.params.leaseBackdateSeconds;
    const latest = now + this.params.clockSkewSeconds;
    if (raw < BigInt(Math.max(0, earliest)) || raw > BigInt(latest)) {
      throw invalidField(field, `${raw} is outside ${earliest}..${latest} (block time ${now} s)`);
    }
    return Number(raw);
  }

  private checkPlacement(
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
      const node = this.poc.requireNode(nodeId, "RecordLease.nodeId");
      const { total } = nodeStanding(this.state, node, block);
      if (total < contract.minPoc)
        reject(`node ${nodeId} has PoC ${total}, below the contract's minimum ${contract.minPoc}`);
    }
    if (contract.spread) {
      const crowded = readActiveLeases(this.state, contract.id).find((l) => l.contributor === owner);
      if (crowded)
        reject(
          `contributor ${owner} already runs replica ${crowded.replica} of ${contract.id} and the contract asks for spread`,
        );
    }
  }

  private endLeaseRecord(contract: Contract, lease: Lease, endedAt: number, outcome: LeaseOutcome): void {
    lease.endedAt = endedAt;
    lease.outcome = outcome;
    this.state.set(leaseKey(lease.podUid), encodeLease(lease));
    this.state.delete(replicaKey(contract.id, lease.replica));
    contract.activeLeases -= 1;
    contract.activePriceSum -= lease.pricePerScuHour;
    if (outcome === "migrated") contract.migrations += 1;
    this.poc.leaseEnded(lease.nodeId, outcome === "completed" || outcome === "contract_closed");
  }

  endLease(
    sender: string,
    msg: EndLease,
    block: BlockInfo,
  ): { lease: Lease; contract: Contract; moved?: ContractState } {
    const contract = this.requireContract(msg.contractId, "EndLease.contractId");
    this.requireManager(contract, sender, "EndLease");
    this.requireNotClosed(contract, "EndLease.contractId");
    const podUid = checkPodUid(msg.podUid, "EndLease.podUid");
    if (!LEASE_OUTCOMES.includes(msg.outcome as LeaseOutcome)) {
      throw invalidField(
        "EndLease.outcome",
        `${JSON.stringify(msg.outcome)} is not one of ${LEASE_OUTCOMES.join(", ")}`,
      );
    }
    const lease = readLease(this.state, podUid);
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
    const endedAt = this.checkTime(msg.endedAt, secondsOf(block), "EndLease.endedAt");
    if (endedAt < lease.startedAt)
      throw invalidField("EndLease.endedAt", `${endedAt} is before the lease started (${lease.startedAt})`);
    const billedTo = readPodSettlement(this.state, podUid)?.billedTo ?? 0;
    if (endedAt < billedTo)
      throw invalidField(
        "EndLease.endedAt",
        `${endedAt} is before ${billedTo}, up to which the pod is already billed`,
      );
    this.endLeaseRecord(contract, lease, endedAt, msg.outcome as LeaseOutcome);
    const moved = this.refresh(contract);
    this.save(contract);
    return { lease, contract, ...(moved ? { moved } : {}) };
  }

  recordBreach(sender: string, msg: RecordBreach): Contract {
    const contract = this.requireContract(msg.contractId, "RecordBreach.contractId");
    this.requireManager(contract, sender, "RecordBreach");
    if (!(BREACH_KINDS as readonly string[]).includes(msg.kind))
      throw invalidField(
        "RecordBreach.kind",
        `${JSON.stringify(msg.kind)} is not one of ${BREACH_KINDS.join(", ")}`,
      );
    const replica = inRange(msg.replica, 0, contract.replicas - 1, "RecordBreach.replica");
    const nodeId = checkNodeId(msg.nodeId, "RecordBreach.nodeId");
    const podUid = checkPodUid(msg.podUid, "RecordBreach.podUid");
    if (!this.state.get(servedKey(contract.id, nodeId)))
      throw new TxError(
        ResultCode.NO_LEASE,
        `RecordBreach.nodeId: node ${nodeId} never held a lease of ${contract.id}`,
      );
    const key = breachKey(contract.id, podUid, msg.kind);
    if (this.state.get(key))
      throw new TxError(
        ResultCode.DUPLICATE,
        `RecordBreach.podUid: the ${msg.kind} breach of pod ${podUid} is already recorded for contract ${contract.id}`,
      );
    contract.breaches += 1;
    this.state.set(key, encodeRecord({ replica, nodeId, kind: msg.kind, seconds: Number(msg.seconds) }));
    this.poc.addBreach(nodeId);
    this.save(contract);
    return contract;
  }

  rate(sender: string, msg: RateContributor): void {
    const contract = this.requireContract(msg.contractId, "RateContributor.contractId");
    if (sender !== contract.payer)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `RateContributor: only the payer ${contract.payer} may rate for ${contract.id}`,
      );
    const rating = inRange(msg.rating, 1, 5, "RateContributor.rating");
    const nodeId = checkNodeId(msg.nodeId, "RateContributor.nodeId");
    if (!this.state.get(servedKey(contract.id, nodeId)))
      throw new TxError(
        ResultCode.NO_LEASE,
        `RateContributor.nodeId: node ${nodeId} never held a lease of ${contract.id}`,
      );
    const rated = this.state.get(ratingKey(contract.id, nodeId));
    if (rated)
      throw new TxError(
        ResultCode.DUPLICATE,
        `RateContributor.nodeId: ${nodeId} is already rated ${(decodeRecord(rated) as { rating: number }).rating} for ${contract.id}`,
      );
    this.state.set(ratingKey(contract.id, nodeId), encodeRecord({ rating }));
    this.poc.addRating(nodeId, rating);
  }

  /**
   * Takes up to `amount` from the contract's escrow for metered work; what the escrow cannot cover is recorded
   * as unpaid. The caller pays the charged amount out. Pauses the contract when one more interval is not covered.
   */
  charge(contract: Contract, amount: bigint): { charged: bigint; unpaid: bigint; moved?: ContractState } {
    if (contract.state === "closed") throw new Error(`charge to closed contract ${contract.id}`);
    const charged = amount < contract.escrow ? amount : contract.escrow;
    contract.escrow -= charged;
    contract.spent += charged;
    contract.unpaid += amount - charged;
    const moved = this.refresh(contract);
    return { charged, unpaid: amount - charged, ...(moved ? { moved } : {}) };
  }
}
