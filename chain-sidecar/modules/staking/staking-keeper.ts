// DPoS staking: validators, deposits, loans, votes, unbonding, slashing and jailing. Owns the `staking/` prefix.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import { dueEpochBoundary } from "../epoch-boundary.js";
import { readParams } from "../params/params-keeper.js";
import type { StakingBank } from "./expected-keepers.js";
import { checkConsensusPubKey, checkMoniker } from "./staking-checks.js";
import { stakingParams, type StakingParams } from "./staking-params.js";
import {
  EPOCH_KEY,
  UNBONDING_PREFIX,
  VALIDATOR_PREFIX,
  VOTE_PREFIX,
  activeKey,
  consensusAddressOf,
  consensusKey,
  decodeUnbonding,
  decodeValidator,
  encodeUnbonding,
  encodeValidator,
  livenessKey,
  loanKey,
  unbondingKey,
  validatorKey,
  voteKey,
  type JailReason,
  type UnbondingEntry,
  type Validator,
  readActiveSet,
  readLoan,
  readLoansOf,
  readValidator,
  readVotes,
} from "./staking-records.js";

export function readAllValidators(state: StateReader): Validator[] {
  return state.entries(VALIDATOR_PREFIX).map(([, bytes]) => decodeValidator(bytes));
}

export function readUnbondings(state: StateReader): UnbondingEntry[] {
  return state.entries(UNBONDING_PREFIX).map(([, bytes]) => decodeUnbonding(bytes));
}

/** The one staking keeper of the app; every method takes the state it works on. */
/** Who asks to validate, with which consensus key and own deposit. */
export interface Candidate {
  operator: string;
  pubKey: Uint8Array;
  deposit: bigint;
  moniker: string;
}

export class StakingKeeper {
  constructor(private readonly bank: StakingBank) {}

  params(state: StateReader): StakingParams {
    return readParams(state, stakingParams);
  }

  /** The operator's own deposit, 0 when it runs no validator. */
  depositOf(state: StateReader, operator: string): bigint {
    return readValidator(state, operator)?.deposit ?? 0n;
  }

  /** What `lender` has lent to validators other than its own. */
  lentBy(state: StateReader, lender: string): bigint {
    return readLoansOf(state, lender).reduce((sum, loan) => sum + loan.amount, 0n);
  }

  votesOf(state: StateReader, voter: string): readonly string[] {
    return readVotes(state, voter);
  }

  validator(state: StateReader, operator: string): Validator | undefined {
    return readValidator(state, operator);
  }

  requireValidator(state: StateReader, operator: string, field: string): Validator {
    const validator = this.validator(state, operator);
    if (!validator)
      throw new TxError(ResultCode.NOT_FOUND, `${field}: ${operator} is not a registered validator`);
    return validator;
  }

  saveValidator(state: StateWriter, validator: Validator): void {
    state.set(validatorKey(validator.operator), encodeValidator(validator));
  }

  operatorOfConsensusAddress(state: StateReader, consensusAddress: string): string | undefined {
    const bytes = state.get(consensusKey(consensusAddress));
    return bytes ? (decodeRecord(bytes) as { operator: string }).operator : undefined;
  }

  /** Creates a validator whose deposit is already held by staking (taken from a balance, or minted at genesis). */
  private createValidator(state: StateWriter, candidate: Candidate, field: string): Validator {
    const { operator, pubKey, deposit, moniker } = candidate;
    const params = this.params(state);
    if (this.validator(state, operator)) {
      throw new TxError(ResultCode.ALREADY_EXISTS, `${field}: ${operator} is already a validator`);
    }
    checkConsensusPubKey(pubKey, `${field}.consensusPubKey`);
    const consensusAddress = consensusAddressOf(pubKey);
    const holder = this.operatorOfConsensusAddress(state, consensusAddress);
    if (holder) {
      throw new TxError(
        ResultCode.ALREADY_EXISTS,
        `${field}.consensusPubKey: already used by validator ${holder}`,
      );
    }
    if (deposit < params.minDeposit) {
      throw invalidField(`${field}.deposit`, `${deposit} is below minDeposit ${params.minDeposit}`);
    }
    checkMoniker(moniker, `${field}.moniker`);
    const validator: Validator = {
      operator,
      consensusPubKey: Buffer.from(pubKey).toString("base64"),
      consensusAddress,
      moniker,
      deposit,
      lent: 0n,
      votes: 0n,
      jailed: false,
      jailedUntil: 0,
      jailReason: "",
      lastSlashedHeight: 0,
    };
    this.saveValidator(state, validator);
    state.set(consensusKey(consensusAddress), encodeRecord({ operator }));
    return validator;
  }

  /** The candidate's operator is the sender, who pays the deposit. */
  register(state: StateWriter, candidate: Candidate): Validator {
    const validator = this.createValidator(state, candidate, "RegisterValidator");
    this.bank.debit(state, candidate.operator, candidate.deposit, "RegisterValidator.deposit");
    return validator;
  }

  /** A genesis validator's deposit is minted into staking. */
  registerAtGenesis(state: StateWriter, candidate: Candidate, field: string): Validator {
    const validator = this.createValidator(state, candidate, field);
    this.bank.mintInto(state, candidate.deposit);
    return validator;
  }

  lend(state: StateWriter, sender: string, operator: string, amount: bigint): void {
    const validator = this.requireValidator(state, operator, "Lend.validator");
    this.bank.debit(state, sender, amount, "Lend.amount");
    if (sender === operator) {
      validator.deposit += amount;
    } else {
      validator.lent += amount;
      this.setLoan(state, sender, operator, readLoan(state, sender, operator) + amount);
    }
    this.saveValidator(state, validator);
  }

  private setLoan(state: StateWriter, lender: string, validator: string, amount: bigint): void {
    if (amount === 0n) state.delete(loanKey(lender, validator));
    else state.set(loanKey(lender, validator), encodeRecord({ amount: amount.toString() }));
  }

  vote(state: StateWriter, sender: string, validators: readonly string[]): void {
    const params = this.params(state);
    if (validators.length > params.maxVotesPerAccount) {
      throw invalidField(
        "Vote.validators",
        `at most ${params.maxVotesPerAccount} validators, got ${validators.length}`,
      );
    }
    const seen = new Set<string>();
    validators.forEach((operator, i) => {
      if (seen.has(operator)) throw invalidField(`Vote.validators[${i}]`, `${operator} is listed twice`);
      seen.add(operator);
      this.requireValidator(state, operator, `Vote.validators[${i}]`);
    });
    if (validators.length === 0) state.delete(voteKey(sender));
    else state.set(voteKey(sender), encodeRecord({ validators: [...seen].sort() }));
  }

  /** Takes stake out now and returns it to the owner once the unbonding period has passed. */
  unbond(
    state: StateWriter,
    sender: string,
    operator: string,
    amount: bigint,
    height: number,
  ): UnbondingEntry {
    const params = this.params(state);
    const validator = this.requireValidator(state, operator, "Unbond.validator");
    if (sender === operator) {
      if (amount > validator.deposit) {
        throw new TxError(
          ResultCode.INSUFFICIENT_FUNDS,
          `Unbond.amount: the deposit is ${validator.deposit}, cannot unbond ${amount}`,
        );
      }
      const remaining = validator.deposit - amount;
      if (remaining > 0n && remaining < params.minDeposit) {
        throw invalidField(
          "Unbond.amount",
          `would leave a deposit of ${remaining}, below minDeposit ${params.minDeposit}; unbond all ${validator.deposit} to retire`,
        );
      }
      validator.deposit = remaining;
    } else {
      const loan = readLoan(state, sender, operator);
      if (loan === 0n)
        throw new TxError(ResultCode.NOT_FOUND, `Unbond.validator: ${sender} has no loan to ${operator}`);
      if (amount > loan) {
        throw new TxError(
          ResultCode.INSUFFICIENT_FUNDS,
          `Unbond.amount: the loan to ${operator} is ${loan}, cannot unbond ${amount}`,
        );
      }
      this.setLoan(state, sender, operator, loan - amount);
      validator.lent -= amount;
    }
    this.saveValidator(state, validator);
    const completesAt = height + params.unbondingBlocks;
    const key = unbondingKey(completesAt, sender, operator);
    const existing = state.get(key);
    const entry: UnbondingEntry = {
      owner: sender,
      validator: operator,
      amount: amount + (existing ? decodeUnbonding(existing).amount : 0n),
      completesAt,
    };
    state.set(key, encodeUnbonding(entry));
    return entry;
  }

  /** Whether an epoch is due at `height` (its boundary passed since the last one ran); records it as run if so. */
  takeDueEpoch(state: StateWriter, height: number): boolean {
    const bytes = state.get(EPOCH_KEY);
    const last = bytes ? (decodeRecord(bytes) as { height: number }).height : 0;
    const boundary = dueEpochBoundary(height, this.params(state).epochBlocks, last);
    if (boundary === undefined) return false;
    state.set(EPOCH_KEY, encodeRecord({ height: boundary }));
    return true;
  }

  /** Pays out every unbonding entry due at or before `height`. */
  completeUnbondings(state: StateWriter, height: number): UnbondingEntry[] {
    const due = state.entries(UNBONDING_PREFIX, { to: unbondingKey(height + 1, "", "") });
    const done: UnbondingEntry[] = [];
    for (const [key, bytes] of due) {
      const entry = decodeUnbonding(bytes);
      this.bank.credit(state, entry.owner, entry.amount);
      state.delete(key);
      done.push(entry);
    }
    return done;
  }

  unjail(state: StateWriter, sender: string, height: number): Validator {
    const params = this.params(state);
    const validator = this.validator(state, sender);
    if (!validator) throw new TxError(ResultCode.UNAUTHORISED, `Unjail: ${sender} operates no validator`);
    if (!validator.jailed)
      throw new TxError(ResultCode.NOT_JAILED, `Unjail: validator ${sender} is not jailed`);
    if (height < validator.jailedUntil) {
      throw new TxError(
        ResultCode.TOO_EARLY,
        `Unjail: jailed until height ${validator.jailedUntil}, now ${height}`,
      );
    }
    if (validator.deposit < params.minDeposit) {
      throw invalidField(
        "deposit",
        `${validator.deposit} is below minDeposit ${params.minDeposit}; lend to your own validator to top it up first`,
      );
    }
    validator.jailed = false;
    validator.jailedUntil = 0;
    validator.jailReason = "";
    this.saveValidator(state, validator);
    return validator;
  }

  jail(state: StateWriter, validator: Validator, reason: JailReason, until: number): void {
    validator.jailed = true;
    validator.jailReason = reason;
    validator.jailedUntil = Math.max(validator.jailedUntil, until);
    this.saveValidator(state, validator);
    state.delete(livenessKey(validator.operator));
  }

  /** Slashes and jails for a duplicate vote at `infractionHeight`; returns the slashed amount, or null if ignored. */
  punishDoubleSign(
    state: StateWriter,
    consensusAddress: string,
    infractionHeight: number,
    height: number,
  ): { validator: Validator; slashed: bigint } | null {
    const params = this.params(state);
    const operator = this.operatorOfConsensusAddress(state, consensusAddress);
    if (!operator) return null;
    const validator = this.requireValidator(state, operator, "misbehavior");
    if (infractionHeight <= validator.lastSlashedHeight) return null;
    const slashed = (validator.deposit * BigInt(params.slashFractionDoubleSignBps)) / 10_000n;
    validator.deposit -= slashed;
    validator.lastSlashedHeight = infractionHeight;
    this.bank.addToFeePool(state, slashed);
    this.jail(state, validator, "double_sign", height + params.doubleSignJailBlocks);
    return { validator, slashed };
  }

  /** Counts a missed block in the validator's current window; returns the validator if this jails it. */
  recordMissedBlock(state: StateWriter, consensusAddress: string, height: number): Validator | null {
    const params = this.params(state);
    const operator = this.operatorOfConsensusAddress(state, consensusAddress);
    if (!operator) return null;
    const validator = this.requireValidator(state, operator, "lastCommit");
    if (validator.jailed) return null;
    const window = params.downtimeWindowBlocks;
    const windowStart = height - (height % window);
    const bytes = state.get(livenessKey(operator));
    const record = bytes ? (decodeRecord(bytes) as { windowStart: number; missed: number }) : undefined;
    const missed = (record?.windowStart === windowStart ? record.missed : 0) + 1;
    if (missed > params.maxMissedBlocks) {
      this.jail(state, validator, "downtime", height + params.downtimeJailBlocks);
      return validator;
    }
    state.set(livenessKey(operator), encodeRecord({ windowStart, missed }));
    return null;
  }

  /** Recomputes every validator's vote weight from voters' current balances, split evenly (remainder to the first). */
  recountVotes(state: StateWriter): void {
    const tally = new Map<string, bigint>();
    for (const [key, bytes] of state.entries(VOTE_PREFIX)) {
      const voter = key.slice(VOTE_PREFIX.length);
      const chosen = (decodeRecord(bytes) as { validators: string[] }).validators;
      const balance = this.bank.balance(state, voter);
      const share = balance / BigInt(chosen.length);
      const remainder = balance % BigInt(chosen.length);
      chosen.forEach((operator, i) => {
        tally.set(operator, (tally.get(operator) ?? 0n) + share + (i === 0 ? remainder : 0n));
      });
    }
    for (const validator of readAllValidators(state)) {
      const votes = tally.get(validator.operator) ?? 0n;
      if (votes !== validator.votes) {
        validator.votes = votes;
        this.saveValidator(state, validator);
      }
    }
  }

  activeSet(state: StateReader): Map<string, bigint> {
    return readActiveSet(state);
  }

  setActivePower(state: StateWriter, operator: string, power: bigint): void {
    if (power === 0n) state.delete(activeKey(operator));
    else state.set(activeKey(operator), encodeRecord({ power: power.toString() }));
  }

  /** Pays the fee pool to the validators of the ending epoch in proportion to their power; the remainder waits. */
  payFeePool(state: StateWriter): { operator: string; amount: bigint }[] {
    const pool = this.bank.feePool(state);
    const active = [...this.activeSet(state).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const totalPower = active.reduce((sum, [, power]) => sum + power, 0n);
    if (pool === 0n || totalPower === 0n) return [];
    const paid: { operator: string; amount: bigint }[] = [];
    for (const [operator, power] of active) {
      const amount = (pool * power) / totalPower;
      if (amount > 0n) {
        this.bank.payFromFeePool(state, operator, amount);
        paid.push({ operator, amount });
      }
    }
    return paid;
  }
}
