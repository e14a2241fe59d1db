// Contracts and their escrow (leases: lease-keeper.ts; breaches and ratings: sla-keeper.ts). The market module owns
// the `market/` prefix.
//
// Escrow rules: the budget moves from the payer's balance into the contract; metering charges take from it and
// never more than it holds; a contract whose escrow cannot pay one more interval is paused (not closed) and
// resumes when a top-up covers it; closing (by the payer, or at expiry plus a grace period) refunds the rest.
// Leases are recorded and ended by the payer or the operator the payer named when opening.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import type { BlockInfo } from "../exec-context.js";
import type { DemandRecorder, EscrowBank, NodeLedger, SettlementReader } from "./expected-keepers.js";
import { readParams } from "../params/params-keeper.js";
import { optionalAddress } from "../identifiers.js";
import { checkContractTerms, inRange } from "./market-checks.js";
import { requiredPerInterval } from "./interval-cost.js";
import type { OpenContract, ResizeContract } from "./market-messages.js";
import { marketParams, type MarketParams } from "./market-params.js";
import {
  CONTRACT_PREFIX,
  EXPIRY_PREFIX,
  PAYER_PREFIX,
  REPLICA_PREFIX,
  SERVED_RECORD,
  contractIdFor,
  contractKey,
  decodeContract,
  decodeLease,
  encodeContract,
  encodeLease,
  expiryKey,
  leaseKey,
  payerIndexKey,
  replicaKey,
  servedKey,
  type CloseReason,
  type Contract,
  type ContractState,
  type Lease,
  type LeaseOutcome,
  type Served,
} from "./market-records.js";

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

/** What `nodeId` did for the contract; undefined when it never held one of its leases. */
export function readServed(state: StateReader, contractId: string, nodeId: string): Served | undefined {
  const bytes = state.get(servedKey(contractId, nodeId));
  return bytes ? SERVED_RECORD.decode(bytes) : undefined;
}

export function readActiveLeases(state: StateReader, contractId: string): Lease[] {
  return state.entries(`${REPLICA_PREFIX}${contractId}/`).flatMap(([, bytes]) => {
    const lease = readLease(state, (decodeRecord(bytes) as { podUid: string }).podUid);
    return lease ? [lease] : [];
  });
}

export function secondsOf(block: BlockInfo): number {
  return Math.floor(block.timeMs / 1000);
}

export interface StateChange {
  contract: Contract;
  /** The state the contract moved to, when it moved. */
  moved?: ContractState;
}

/** A contract just closed, and the leases that closing ended. */
export interface ClosedContract {
  contract: Contract;
  ended: Lease[];
}

/** The one contract keeper of the app; every method takes the state it works on. */
export class MarketKeeper {
  constructor(
    private readonly bank: EscrowBank,
    private readonly nodes: NodeLedger,
    private readonly demand: DemandRecorder,
    private readonly settlements: SettlementReader,
  ) {}

  params(state: StateReader): MarketParams {
    return readParams(state, marketParams);
  }

  contract(state: StateReader, id: string): Contract | undefined {
    return readContract(state, id);
  }

  lease(state: StateReader, podUid: string): Lease | undefined {
    return readLease(state, podUid);
  }

  /** How far metering has billed a pod (unix seconds; 0 when never). */
  billedTo(state: StateReader, podUid: string): number {
    return this.settlements.billedTo(state, podUid);
  }

  /** `id` has passed checkContractId (the message's check, or it came from a stored record). */
  requireContract(state: StateReader, id: string, field: string): Contract {
    const contract = this.contract(state, id);
    if (!contract) throw new TxError(ResultCode.NOT_FOUND, `${field}: contract ${id} does not exist`);
    return contract;
  }

  save(state: StateWriter, contract: Contract): void {
    state.set(contractKey(contract.id), encodeContract(contract));
  }

  requireNotClosed(contract: Contract, field: string): void {
    if (contract.state === "closed")
      throw new TxError(ResultCode.WRONG_STATE, `${field}: contract ${contract.id} is closed`);
  }

  /** The payer, or the operator the payer authorised at opening. */
  requireManager(contract: Contract, sender: string, what: string): void {
    if (sender !== contract.payer && (contract.operator === "" || sender !== contract.operator)) {
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `${what}: ${sender} is neither the payer nor the authorised operator of contract ${contract.id}`,
      );
    }
  }

  /** `msg` has passed checkOpenContract; `message` names the message it came in, for errors (OpenContract, OpenOrder). */
  open(
    state: StateWriter,
    sender: string,
    msg: OpenContract,
    block: BlockInfo,
    message = "OpenContract",
  ): Contract {
    const p = this.params(state);
    const { clusterId, clientRef } = msg;
    const id = contractIdFor(sender, clusterId, clientRef);
    const existing = this.contract(state, id);
    if (existing)
      throw new TxError(
        ResultCode.DUPLICATE,
        `${message}.clientRef: ${sender} already opened contract ${id} for ${clusterId === "" ? "" : `cluster ${clusterId}, `}reference ${clientRef} (${existing.state})`,
      );
    const { scuPerReplica, replicas, durationSeconds, recoverWithinSeconds, regions, billing } =
      checkContractTerms(msg, p, message);
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
      regions,
      minPoc: msg.minPoc,
      spread: msg.spread,
      billing,
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
        `${message}.budget`,
        `${msg.budget} does not cover one ${p.meteringIntervalSeconds} s interval of all replicas at the max price (${needed})`,
      );
    }
    this.bank.debit(state, sender, msg.budget, `${message}.budget`);
    this.save(state, contract);
    state.set(payerIndexKey(sender, id), encodeRecord({ id }));
    state.set(expiryKey(contract.endsAt, id), encodeRecord({ id }));
    this.demand.recordDemand(state, block.height, BigInt(scuPerReplica) * BigInt(replicas));
    return contract;
  }

  /** Moves open ↔ paused by whether the escrow pays one more interval; returns the new state if it changed. */
  refresh(state: StateReader, contract: Contract): ContractState | undefined {
    if (contract.state === "closed") return undefined;
    const covered =
      contract.escrow >= requiredPerInterval(contract, this.params(state).meteringIntervalSeconds);
    const next: ContractState = covered ? "open" : "paused";
    if (next === contract.state) return undefined;
    contract.state = next;
    return next;
  }

  topUp(state: StateWriter, sender: string, id: string, amount: bigint): StateChange {
    const contract = this.requireContract(state, id, "TopUpContract.contractId");
    if (sender !== contract.payer)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `TopUpContract: only the payer ${contract.payer} may top up ${id}`,
      );
    this.requireNotClosed(contract, "TopUpContract.contractId");
    if (amount === 0n) throw invalidField("TopUpContract.amount", "must be greater than zero");
    this.bank.debit(state, sender, amount, "TopUpContract.amount");
    contract.deposited += amount;
    contract.escrow += amount;
    const moved = this.refresh(state, contract);
    this.save(state, contract);
    return { contract, ...(moved ? { moved } : {}) };
  }

  /** Grows or shrinks the replica slots; growing needs the escrow to cover one interval of the new size. */
  resize(
    state: StateWriter,
    sender: string,
    msg: ResizeContract,
    block: BlockInfo,
  ): StateChange & { from: number } {
    const params = this.params(state);
    const contract = this.requireContract(state, msg.contractId, "ResizeContract.contractId");
    this.requireManager(contract, sender, "ResizeContract");
    this.requireNotClosed(contract, "ResizeContract.contractId");
    const replicas = inRange(msg.replicas, 1, params.maxReplicas, "ResizeContract.replicas");
    const from = contract.replicas;
    if (replicas > from) {
      const needed = requiredPerInterval({ ...contract, replicas }, params.meteringIntervalSeconds);
      if (contract.escrow < needed)
        throw new TxError(
          ResultCode.INSUFFICIENT_FUNDS,
          `ResizeContract.replicas: escrow ${contract.escrow} of contract ${contract.id} does not cover one ` +
            `${params.meteringIntervalSeconds} s interval of ${replicas} replicas at the max price (${needed}); top up first`,
        );
      this.demand.recordDemand(state, block.height, BigInt(contract.scuPerReplica) * BigInt(replicas - from));
    }
    contract.replicas = replicas;
    // Fewer unplaced replicas may let a paused contract pay its next interval again.
    const moved = this.refresh(state, contract);
    this.save(state, contract);
    return { contract, from, ...(moved ? { moved } : {}) };
  }

  close(state: StateWriter, sender: string, id: string, block: BlockInfo): ClosedContract {
    const contract = this.requireContract(state, id, "CloseContract.contractId");
    if (sender !== contract.payer)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `CloseContract: only the payer ${contract.payer} may close ${id}`,
      );
    this.requireNotClosed(contract, "CloseContract.contractId");
    return this.finish(state, contract, "payer", block);
  }

  /** Ends every active lease at block time (never before what is billed, nor after the contract's end). */
  private endActiveLeases(
    state: StateWriter,
    contract: Contract,
    outcome: LeaseOutcome,
    block: BlockInfo,
  ): Lease[] {
    const now = secondsOf(block);
    const leases = readActiveLeases(state, contract.id);
    for (const lease of leases) {
      const billedTo = this.billedTo(state, lease.podUid);
      const endedAt = Math.max(lease.startedAt, billedTo, Math.min(now, contract.endsAt));
      this.endLeaseRecord(state, contract, lease, endedAt, outcome);
    }
    return leases;
  }

  /** Ends the active leases, refunds the escrow to the payer and closes the contract for good. */
  private finish(
    state: StateWriter,
    contract: Contract,
    reason: CloseReason,
    block: BlockInfo,
  ): ClosedContract {
    const now = secondsOf(block);
    const ended = this.endActiveLeases(state, contract, "contract_closed", block);
    const refund = contract.escrow;
    if (refund > 0n) this.bank.credit(state, contract.payer, refund);
    contract.refunded += refund;
    contract.escrow = 0n;
    contract.state = "closed";
    contract.closeReason = reason;
    contract.closedAt = now;
    this.save(state, contract);
    state.delete(expiryKey(contract.endsAt, contract.id));
    this.settlements.contractClosed(state, contract.id, now);
    return { contract, ended };
  }

  /**
   * Gives an open contract to another operator ("" for none) and ends its active leases as failed, so the one it
   * was taken from can no longer record leases or bill under it (federation failover); a closed one is left alone.
   */
  handOver(state: StateWriter, id: string, operator: string, block: BlockInfo): Lease[] {
    const contract = this.requireContract(state, id, "contractId");
    if (contract.state === "closed") return [];
    const ended = this.endActiveLeases(state, contract, "failed", block);
    contract.operator = operator;
    this.refresh(state, contract);
    this.save(state, contract);
    return ended;
  }

  /** Closes every contract whose end plus the grace period has passed. */
  closeExpired(state: StateWriter, block: BlockInfo): ClosedContract[] {
    const cutoff = secondsOf(block) - this.params(state).settlementGraceSeconds;
    if (cutoff < 0) return [];
    const due = state.entries(EXPIRY_PREFIX, { to: expiryKey(cutoff + 1, "") });
    return due.flatMap(([key, bytes]) => {
      const contract = this.contract(state, (decodeRecord(bytes) as { id: string }).id);
      if (!contract || contract.state === "closed") {
        state.delete(key);
        return [];
      }
      return [this.finish(state, contract, "expired", block)];
    });
  }

  endLeaseRecord(
    state: StateWriter,
    contract: Contract,
    lease: Lease,
    endedAt: number,
    outcome: LeaseOutcome,
  ): void {
    lease.endedAt = endedAt;
    lease.outcome = outcome;
    state.set(leaseKey(lease.podUid), encodeLease(lease));
    state.delete(replicaKey(contract.id, lease.replica));
    contract.activeLeases -= 1;
    contract.activePriceSum -= lease.pricePerScuHour;
    if (outcome === "migrated") contract.migrations += 1;
    this.nodes.leaseEnded(state, lease.nodeId, outcome === "completed" || outcome === "contract_closed");
  }

  /**
   * Takes up to `amount` from the contract's escrow for metered work; what the escrow cannot cover is recorded
   * as unpaid. The caller pays the charged amount out. Pauses the contract when one more interval is not covered.
   */
  charge(
    state: StateReader,
    contract: Contract,
    amount: bigint,
  ): { charged: bigint; unpaid: bigint; moved?: ContractState } {
    if (contract.state === "closed") throw new Error(`charge to closed contract ${contract.id}`);
    const charged = amount < contract.escrow ? amount : contract.escrow;
    contract.escrow -= charged;
    contract.spent += charged;
    contract.unpaid += amount - charged;
    const moved = this.refresh(state, contract);
    return { charged, unpaid: amount - charged, ...(moved ? { moved } : {}) };
  }
}
