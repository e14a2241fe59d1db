// Staking's stored records, the keys under its prefix `staking/`, and reads of single records.
import { createHash } from "node:crypto";
import { decodeRecord } from "../../state/canonical-json.js";
import type { StateReader } from "../../state/state-access.js";
import {
  amount,
  defineRecord,
  flag,
  integer,
  oneOf,
  text,
  type RecordType,
} from "../../state/record-codec.js";

export const VALIDATOR_PREFIX = "staking/validator/";
export const CONSENSUS_PREFIX = "staking/consensus/";
export const LOAN_PREFIX = "staking/loan/";
export const VOTE_PREFIX = "staking/vote/";
export const UNBONDING_PREFIX = "staking/unbonding/";
export const ACTIVE_PREFIX = "staking/active/";
export const LIVENESS_PREFIX = "staking/liveness/";
/** The boundary height of the last epoch run: `{ height }`. */
export const EPOCH_KEY = "staking/epoch";

export const JAIL_REASONS = ["", "double_sign", "downtime"] as const;
export type JailReason = (typeof JAIL_REASONS)[number];

export const VALIDATOR_RECORD = defineRecord({
  operator: text,
  /** ed25519 public key, base64 as in CometBFT's priv_validator_key.json. */
  consensusPubKey: text,
  /** First 20 bytes of sha256(pubkey), upper-case hex, as CometBFT names validators. */
  consensusAddress: text,
  moniker: text,
  deposit: amount,
  lent: amount,
  /** Vote weight counted at the last epoch. */
  votes: amount,
  jailed: flag,
  jailedUntil: integer,
  jailReason: oneOf(JAIL_REASONS),
  /** Height of the last duplicate vote already punished; older evidence is ignored. */
  lastSlashedHeight: integer,
});
export type Validator = RecordType<typeof VALIDATOR_RECORD>;

export const UNBONDING_RECORD = defineRecord({
  owner: text,
  validator: text,
  amount: amount,
  completesAt: integer,
});
export type UnbondingEntry = RecordType<typeof UNBONDING_RECORD>;

export function validatorKey(operator: string): string {
  return `${VALIDATOR_PREFIX}${operator}`;
}

export function consensusKey(consensusAddress: string): string {
  return `${CONSENSUS_PREFIX}${consensusAddress}`;
}

export function loanKey(lender: string, validator: string): string {
  return `${LOAN_PREFIX}${lender}/${validator}`;
}

export function voteKey(voter: string): string {
  return `${VOTE_PREFIX}${voter}`;
}

export function activeKey(operator: string): string {
  return `${ACTIVE_PREFIX}${operator}`;
}

export function livenessKey(operator: string): string {
  return `${LIVENESS_PREFIX}${operator}`;
}

/** Heights are zero-padded so that keys sort by completion height. */
export function unbondingKey(completesAt: number, owner: string, validator: string): string {
  return `${UNBONDING_PREFIX}${String(completesAt).padStart(16, "0")}/${owner}/${validator}`;
}

export function consensusAddressOf(pubKey: Uint8Array): string {
  return createHash("sha256").update(pubKey).digest().subarray(0, 20).toString("hex").toUpperCase();
}

export const encodeValidator = VALIDATOR_RECORD.encode;
export const decodeValidator = VALIDATOR_RECORD.decode;
export const encodeUnbonding = UNBONDING_RECORD.encode;
export const decodeUnbonding = UNBONDING_RECORD.decode;

export function weightOf(v: Validator): bigint {
  return v.deposit + v.lent + v.votes;
}

export function readValidator(state: StateReader, operator: string): Validator | undefined {
  const bytes = state.get(validatorKey(operator));
  return bytes ? decodeValidator(bytes) : undefined;
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
