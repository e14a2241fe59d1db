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
import { BankKeeper } from "../bank/bank-keeper.js";
import type { BlockInfo } from "../exec-context.js";
import type { SettlementReader } from "./expected-keepers.js";
import { readParams } from "../params/params-keeper.js";
import { checkClientRef, checkClusterId, checkRegion, optionalAddress } from "../poc/identifiers.js";
import { PocKeeper } from "../poc/poc-keeper.js";
import { requiredPerInterval } from "./interval-cost.js";
import type { OpenContract, ResizeContract } from "./market-messages.js";
import { marketParams, type MarketParams } from "./market-params.js";
import {
  CONTRACT_PREFIX,
  EXPIRY_PREFIX,
  PAYER_PREFIX,
  REPLICA_PREFIX,
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

export function secondsOf(block: BlockInfo): number {
  return Math.floor(block.timeMs / 1000);
}

export function inRange(value: bigint, min: number, max: number, field: string): number {
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
  readonly poc: PocKeeper;

  constructor(
    private readonly state: StateWriter,
    private readonly settlements: SettlementReader,
  ) {
    this.params = readParams(state, marketParams);
    this.bank = new BankKeeper();
    this.poc = new PocKeeper(state);
  }

  contract(id: string): Contract | undefined {
    return readContract(this.state, id);
  }

  /** How far metering has billed a pod (unix seconds; 0 when never). */
  billedTo(podUid: string): number {
    return this.settlements.billedTo(this.state, podUid);
  }

  requireContract(id: string, field: string): Contract {
    const contract = this.contract(checkContractId(id, field));
    if (!contract) throw new TxError(ResultCode.NOT_FOUND, `${field}: contract ${id} does not exist`);
    return contract;
  }

  save(contract: Contract): void {
    this.state.set(contractKey(contract.id), encodeContract(contract));
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
    this.bank.debit(this.state, sender, msg.budget, "OpenContract.budget");
    this.save(contract);
    this.state.set(payerIndexKey(sender, id), encodeRecord({ id }));
    this.state.set(expiryKey(contract.endsAt, id), encodeRecord({ id }));
    this.poc.recordDemand(block.height, BigInt(scuPerReplica) * BigInt(replicas));
    return contract;
  }

  /** Moves open ↔ paused by whether the escrow pays one more interval; returns the new state if it changed. */
  refresh(contract: Contract): ContractState | undefined {
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
    this.bank.debit(this.state, sender, amount, "TopUpContract.amount");
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
      const billedTo = this.billedTo(lease.podUid);
      const endedAt = Math.max(lease.startedAt, billedTo, Math.min(now, contract.endsAt));
      this.endLeaseRecord(contract, lease, endedAt, "contract_closed");
    }
    const refund = contract.escrow;
    if (refund > 0n) this.bank.credit(this.state, contract.payer, refund);
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

  endLeaseRecord(contract: Contract, lease: Lease, endedAt: number, outcome: LeaseOutcome): void {
    lease.endedAt = endedAt;
    lease.outcome = outcome;
    this.state.set(leaseKey(lease.podUid), encodeLease(lease));
    this.state.delete(replicaKey(contract.id, lease.replica));
    contract.activeLeases -= 1;
    contract.activePriceSum -= lease.pricePerScuHour;
    if (outcome === "migrated") contract.migrations += 1;
    this.poc.leaseEnded(lease.nodeId, outcome === "completed" || outcome === "contract_closed");
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
