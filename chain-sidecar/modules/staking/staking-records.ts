// Staking's stored records and the keys under its prefix `staking/`.
import { createHash } from "node:crypto";
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";

export const VALIDATOR_PREFIX = "staking/validator/";
export const CONSENSUS_PREFIX = "staking/consensus/";
export const LOAN_PREFIX = "staking/loan/";
export const VOTE_PREFIX = "staking/vote/";
export const UNBONDING_PREFIX = "staking/unbonding/";
export const ACTIVE_PREFIX = "staking/active/";
export const LIVENESS_PREFIX = "staking/liveness/";

export type JailReason = "" | "double_sign" | "downtime";

export interface Validator {
  operator: string;
  /** ed25519 public key, base64 as in CometBFT's priv_validator_key.json. */
  consensusPubKey: string;
  /** First 20 bytes of sha256(pubkey), upper-case hex, as CometBFT names validators. */
  consensusAddress: string;
  moniker: string;
  deposit: bigint;
  lent: bigint;
  /** Vote weight counted at the last epoch. */
  votes: bigint;
  jailed: boolean;
  jailedUntil: number;
  jailReason: JailReason;
  /** Height of the last duplicate vote already punished; older evidence is ignored. */
  lastSlashedHeight: number;
}

export interface UnbondingEntry {
  owner: string;
  validator: string;
  amount: bigint;
  completesAt: number;
}

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

export function encodeValidator(v: Validator): Uint8Array {
  return encodeRecord({
    operator: v.operator,
    consensusPubKey: v.consensusPubKey,
    consensusAddress: v.consensusAddress,
    moniker: v.moniker,
    deposit: v.deposit.toString(),
    lent: v.lent.toString(),
    votes: v.votes.toString(),
    jailed: v.jailed,
    jailedUntil: v.jailedUntil,
    jailReason: v.jailReason,
    lastSlashedHeight: v.lastSlashedHeight,
  });
}

export function decodeValidator(bytes: Uint8Array): Validator {
  const r = decodeRecord(bytes) as Record<string, string | number | boolean>;
  return {
    operator: r.operator as string,
    consensusPubKey: r.consensusPubKey as string,
    consensusAddress: r.consensusAddress as string,
    moniker: r.moniker as string,
    deposit: BigInt(r.deposit as string),
    lent: BigInt(r.lent as string),
    votes: BigInt(r.votes as string),
    jailed: r.jailed as boolean,
    jailedUntil: r.jailedUntil as number,
    jailReason: r.jailReason as JailReason,
    lastSlashedHeight: r.lastSlashedHeight as number,
  };
}

export function encodeUnbonding(e: UnbondingEntry): Uint8Array {
  return encodeRecord({
    owner: e.owner,
    validator: e.validator,
    amount: e.amount.toString(),
    completesAt: e.completesAt,
  });
}

export function decodeUnbonding(bytes: Uint8Array): UnbondingEntry {
  const r = decodeRecord(bytes) as { owner: string; validator: string; amount: string; completesAt: number };
  return { owner: r.owner, validator: r.validator, amount: BigInt(r.amount), completesAt: r.completesAt };
}

export function weightOf(v: Validator): bigint {
  return v.deposit + v.lent + v.votes;
}
