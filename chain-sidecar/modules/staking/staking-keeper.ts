// DPoS staking: validators, deposits, loans, votes, unbonding, slashing and jailing. Owns the `staking/` prefix.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import { BankKeeper } from "../bank/bank-keeper.js";
import { readParams } from "../params/params-keeper.js";
import { stakingParams, type StakingParams } from "./staking-params.js";
import {
  ACTIVE_PREFIX,
  LOAN_PREFIX,
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
} from "./staking-records.js";

export const MAX_MONIKER_LENGTH = 64;

export function readValidator(state: StateReader, operator: string): Validator | undefined {
  const bytes = state.get(validatorKey(operator));
  return bytes ? decodeValidator(bytes) : undefined;
}

export function readAllValidators(state: StateReader): Validator[] {
  return state.entries(VALIDATOR_PREFIX).map(([, bytes]) => decodeValidator(bytes));
}

export function readActiveSet(state: StateReader): Map<string, bigint> {
  const active = new Map<string, bigint>();
  for (const [key, bytes] of state.entries(ACTIVE_PREFIX)) {
    active.set(key.slice(ACTIVE_PREFIX.length), BigInt((decodeRecord(bytes) as { power: string }).power));
  }
  return active;
}

export function readLoan(state: StateReader, lender: string, validator: string): bigint {
  const bytes = state.get(loanKey(lender, validator));
  return bytes ? BigInt((decodeRecord(bytes) as { amount: string }).amount) : 0n;
}

export function readLoansOf(state: StateReader, lender: string): { validator: string; amount: bigint }[] {
  const prefix = `${LOAN_PREFIX}${lender}/`;
  return state.entries(prefix).map(([key, bytes]) => ({
    validator: key.slice(prefix.length),
    amount: BigInt((decodeRecord(bytes) as { amount: string }).amount),
  }));
}

export function readVotes(state: StateReader, voter: string): string[] {
  const bytes = state.get(voteKey(voter));
  return bytes ? (decodeRecord(bytes) as { validators: string[] }).validators : [];
}

export function readUnbondings(state: StateReader): UnbondingEntry[] {
  return state.entries(UNBONDING_PREFIX).map(([, bytes]) => decodeUnbonding(bytes));
}

export class StakingKeeper {
  readonly params: StakingParams;
  private readonly bank: BankKeeper;

  constructor(private readonly state: StateWriter) {
    this.params = readParams(state, stakingParams);
    this.bank = new BankKeeper(state);
  }

  validator(operator: string): Validator | undefined {
    return readValidator(this.state, operator);
  }

  requireValidator(operator: string, field: string): Validator {
    const validator = this.validator(operator);
    if (!validator)
      throw new TxError(ResultCode.NOT_FOUND, `${field}: ${operator} is not a registered validator`);
    return validator;
  }

  saveValidator(validator: Validator): void {
    this.state.set(validatorKey(validator.operator), encodeValidator(validator));
  }

  operatorOfConsensusAddress(consensusAddress: string): string | undefined {
    const bytes = this.state.get(consensusKey(consensusAddress));
    return bytes ? (decodeRecord(bytes) as { operator: string }).operator : undefined;
  }

  /** Creates a validator whose deposit is already held by staking (taken from a balance, or minted at genesis). */
  private createValidator(
    operator: string,
    pubKey: Uint8Array,
    deposit: bigint,
    moniker: string,
    field: string,
  ): Validator {
    if (this.validator(operator)) {
      throw new TxError(ResultCode.ALREADY_EXISTS, `${field}: ${operator} is already a validator`);
    }
    if (pubKey.length !== 32)
      throw invalidField(`${field}.consensusPubKey`, `expected 32 bytes, got ${pubKey.length}`);
    if (pubKey.every((b) => b === 0))
      throw invalidField(`${field}.consensusPubKey`, "all-zero key is not an ed25519 key");
    const consensusAddress = consensusAddressOf(pubKey);
    const holder = this.operatorOfConsensusAddress(consensusAddress);
    if (holder) {
      throw new TxError(
        ResultCode.ALREADY_EXISTS,
        `${field}.consensusPubKey: already used by validator ${holder}`,
      );
    }
    if (deposit < this.params.minDeposit) {
      throw invalidField(`${field}.deposit`, `${deposit} is below minDeposit ${this.params.minDeposit}`);
    }
    if (moniker.length > MAX_MONIKER_LENGTH || /\p{Cc}/u.test(moniker)) {
      throw invalidField(
        `${field}.moniker`,
        `at most ${MAX_MONIKER_LENGTH} characters, no control characters`,
      );
    }
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
    this.saveValidator(validator);
    this.state.set(consensusKey(consensusAddress), encodeRecord({ operator }));
    return validator;
  }

  register(sender: string, pubKey: Uint8Array, deposit: bigint, moniker: string): Validator {
    const validator = this.createValidator(sender, pubKey, deposit, moniker, "RegisterValidator");
    this.bank.debit(sender, deposit, "RegisterValidator.deposit");
    return validator;
  }

  registerAtGenesis(
    operator: string,
    pubKey: Uint8Array,
    deposit: bigint,
    moniker: string,
    field: string,
  ): Validator {
    const validator = this.createValidator(operator, pubKey, deposit, moniker, field);
    this.bank.mintInto(deposit);
    return validator;
  }

  lend(sender: string, operator: string, amount: bigint): void {
    if (amount === 0n) throw invalidField("Lend.amount", "must be greater than zero");
    const validator = this.requireValidator(operator, "Lend.validator");
    this.bank.debit(sender, amount, "Lend.amount");
    if (sender === operator) {
      validator.deposit += amount;
    } else {
      validator.lent += amount;
      this.setLoan(sender, operator, readLoan(this.state, sender, operator) + amount);
    }
    this.saveValidator(validator);
  }

  private setLoan(lender: string, validator: string, amount: bigint): void {
    if (amount === 0n) this.state.delete(loanKey(lender, validator));
    else this.state.set(loanKey(lender, validator), encodeRecord({ amount: amount.toString() }));
  }

  vote(sender: string, validators: readonly string[]): void {
    if (validators.length > this.params.maxVotesPerAccount) {
      throw invalidField(
        "Vote.validators",
        `at most ${this.params.maxVotesPerAccount} validators, got ${validators.length}`,
      );
    }
    const seen = new Set<string>();
    validators.forEach((operator, i) => {
      if (seen.has(operator)) throw invalidField(`Vote.validators[${i}]`, `${operator} is listed twice`);
      seen.add(operator);
      this.requireValidator(operator, `Vote.validators[${i}]`);
    });
    if (validators.length === 0) this.state.delete(voteKey(sender));
    else this.state.set(voteKey(sender), encodeRecord({ validators: [...seen].sort() }));
  }

  /** Takes stake out now and returns it to the owner once the unbonding period has passed. */
  unbond(sender: string, operator: string, amount: bigint, height: number): UnbondingEntry {
    if (amount === 0n) throw invalidField("Unbond.amount", "must be greater than zero");
    const validator = this.requireValidator(operator, "Unbond.validator");
    if (sender === operator) {
      if (amount > validator.deposit) {
        throw new TxError(
          ResultCode.INSUFFICIENT_FUNDS,
          `Unbond.amount: the deposit is ${validator.deposit}, cannot unbond ${amount}`,
        );
      }
      const remaining = validator.deposit - amount;
      if (remaining > 0n && remaining < this.params.minDeposit) {
        throw invalidField(
          "Unbond.amount",
          `would leave a deposit of ${remaining}, below minDeposit ${this.params.minDeposit}; unbond all ${validator.deposit} to retire`,
        );
      }
      validator.deposit = remaining;
    } else {
      const loan = readLoan(this.state, sender, operator);
      if (loan === 0n)
        throw new TxError(ResultCode.NOT_FOUND, `Unbond.validator: ${sender} has no loan to ${operator}`);
      if (amount > loan) {
        throw new TxError(
          ResultCode.INSUFFICIENT_FUNDS,
          `Unbond.amount: the loan to ${operator} is ${loan}, cannot unbond ${amount}`,
        );
      }
      this.setLoan(sender, operator, loan - amount);
      validator.lent -= amount;
    }
    this.saveValidator(validator);
    const completesAt = height + this.params.unbondingBlocks;
    const key = unbondingKey(completesAt, sender, operator);
    const existing = this.state.get(key);
    const entry: UnbondingEntry = {
      owner: sender,
      validator: operator,
      amount: amount + (existing ? decodeUnbonding(existing).amount : 0n),
      completesAt,
    };
    this.state.set(key, encodeUnbonding(entry));
    return entry;
  }

  /** Pays out every unbonding entry due at or before `height`. */
  completeUnbondings(height: number): UnbondingEntry[] {
    const due = this.state.entries(UNBONDING_PREFIX, { to: unbondingKey(height + 1, "", "") });
    const done: UnbondingEntry[] = [];
    for (const [key, bytes] of due) {
      const entry = decodeUnbonding(bytes);
      this.bank.credit(entry.owner, entry.amount);
      this.state.delete(key);
      done.push(entry);
    }
    return done;
  }

  unjail(sender: string, height: number): Validator {
    const validator = this.validator(sender);
    if (!validator) throw new TxError(ResultCode.UNAUTHORISED, `Unjail: ${sender} operates no validator`);
    if (!validator.jailed)
      throw new TxError(ResultCode.NOT_JAILED, `Unjail: validator ${sender} is not jailed`);
    if (height < validator.jailedUntil) {
      throw new TxError(
        ResultCode.TOO_EARLY,
        `Unjail: jailed until height ${validator.jailedUntil}, now ${height}`,
      );
    }
    if (validator.deposit < this.params.minDeposit) {
      throw invalidField(
        "deposit",
        `${validator.deposit} is below minDeposit ${this.params.minDeposit}; lend to your own validator to top it up first`,
      );
    }
    validator.jailed = false;
    validator.jailedUntil = 0;
    validator.jailReason = "";
    this.saveValidator(validator);
    return validator;
  }

  jail(validator: Validator, reason: JailReason, until: number): void {
    validator.jailed = true;
    validator.jailReason = reason;
    validator.jailedUntil = Math.max(validator.jailedUntil, until);
    this.saveValidator(validator);
    this.state.delete(livenessKey(validator.operator));
  }

  /** Slashes and jails for a duplicate vote at `infractionHeight`; returns the slashed amount, or null if ignored. */
  punishDoubleSign(
    consensusAddress: string,
    infractionHeight: number,
    height: number,
  ): { validator: Validator; slashed: bigint } | null {
    const operator = this.operatorOfConsensusAddress(consensusAddress);
    if (!operator) return null;
    const validator = this.requireValidator(operator, "misbehavior");
    if (infractionHeight <= validator.lastSlashedHeight) return null;
    const slashed = (validator.deposit * BigInt(this.params.slashFractionDoubleSignBps)) / 10_000n;
    validator.deposit -= slashed;
    validator.lastSlashedHeight = infractionHeight;
    this.bank.addToFeePool(slashed);
    this.jail(validator, "double_sign", height + this.params.doubleSignJailBlocks);
    return { validator, slashed };
  }

  /** Counts a missed block in the validator's current window; returns the validator if this jails it. */
  recordMissedBlock(consensusAddress: string, height: number): Validator | null {
    const operator = this.operatorOfConsensusAddress(consensusAddress);
    if (!operator) return null;
    const validator = this.requireValidator(operator, "lastCommit");
    if (validator.jailed) return null;
    const window = this.params.downtimeWindowBlocks;
    const windowStart = height - (height % window);
    const bytes = this.state.get(livenessKey(operator));
    const record = bytes ? (decodeRecord(bytes) as { windowStart: number; missed: number }) : undefined;
    const missed = (record?.windowStart === windowStart ? record.missed : 0) + 1;
    if (missed > this.params.maxMissedBlocks) {
      this.jail(validator, "downtime", height + this.params.downtimeJailBlocks);
      return validator;
    }
    this.state.set(livenessKey(operator), encodeRecord({ windowStart, missed }));
    return null;
  }

  /** Recomputes every validator's vote weight from voters' current balances, split evenly (remainder to the first). */
  recountVotes(): void {
    const tally = new Map<string, bigint>();
    for (const [key, bytes] of this.state.entries(VOTE_PREFIX)) {
      const voter = key.slice(VOTE_PREFIX.length);
      const chosen = (decodeRecord(bytes) as { validators: string[] }).validators;
      const balance = this.bank.balance(voter);
      const share = balance / BigInt(chosen.length);
      const remainder = balance % BigInt(chosen.length);
      chosen.forEach((operator, i) => {
        tally.set(operator, (tally.get(operator) ?? 0n) + share + (i === 0 ? remainder : 0n));
      });
    }
    for (const validator of readAllValidators(this.state)) {
      const votes = tally.get(validator.operator) ?? 0n;
      if (votes !== validator.votes) {
        validator.votes = votes;
        this.saveValidator(validator);
      }
    }
  }

  activeSet(): Map<string, bigint> {
    return readActiveSet(this.state);
  }

  setActivePower(operator: string, power: bigint): void {
    if (power === 0n) this.state.delete(activeKey(operator));
    else this.state.set(activeKey(operator), encodeRecord({ power: power.toString() }));
  }

  /** Pays the fee pool to the validators of the ending epoch in proportion to their power; the remainder waits. */
  payFeePool(): { operator: string; amount: bigint }[] {
    const pool = this.bank.feePool();
    const active = [...this.activeSet().entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const totalPower = active.reduce((sum, [, power]) => sum + power, 0n);
    if (pool === 0n || totalPower === 0n) return [];
    const paid: { operator: string; amount: bigint }[] = [];
    for (const [operator, power] of active) {
      const amount = (pool * power) / totalPower;
      if (amount > 0n) {
        this.bank.payFromFeePool(operator, amount);
        paid.push({ operator, amount });
      }
    }
    return paid;
  }
}
