// Reads every holding out of committed state, to check conservation of supply and non-negativity in tests.
import {
  ACCOUNT_PREFIX,
  decodeAccount,
  readFeePool,
  readSupply,
} from "../../../chain-sidecar/modules/bank/bank-keeper.js";
import { readAllValidators, readUnbondings } from "../../../chain-sidecar/modules/staking/staking-keeper.js";
import { LOAN_PREFIX } from "../../../chain-sidecar/modules/staking/staking-records.js";
import { decodeRecord } from "../../../chain-sidecar/state/canonical-json.js";
import type { StateReader } from "../../../chain-sidecar/state/state-access.js";

export interface Audit {
  supply: bigint;
  held: bigint;
  negatives: string[];
  lentMismatches: string[];
}

export function auditState(state: StateReader): Audit {
  const negatives: string[] = [];
  let held = 0n;
  for (const [key, bytes] of state.entries(ACCOUNT_PREFIX)) {
    const account = decodeAccount(bytes);
    if (account.balance < 0n) negatives.push(key);
    held += account.balance;
  }
  const pool = readFeePool(state);
  if (pool < 0n) negatives.push("feePool");
  held += pool;
  const loansByValidator = new Map<string, bigint>();
  for (const [key, bytes] of state.entries(LOAN_PREFIX)) {
    const amount = BigInt((decodeRecord(bytes) as { amount: string }).amount);
    if (amount <= 0n) negatives.push(key);
    const validator = key.split("/").at(-1)!;
    loansByValidator.set(validator, (loansByValidator.get(validator) ?? 0n) + amount);
  }
  const lentMismatches: string[] = [];
  for (const v of readAllValidators(state)) {
    if (v.deposit < 0n || v.lent < 0n || v.votes < 0n) negatives.push(`validator ${v.operator}`);
    if ((loansByValidator.get(v.operator) ?? 0n) !== v.lent) lentMismatches.push(v.operator);
    held += v.deposit + v.lent;
  }
  for (const entry of readUnbondings(state)) {
    if (entry.amount <= 0n) negatives.push(`unbonding ${entry.owner}`);
    held += entry.amount;
  }
  return { supply: readSupply(state), held, negatives, lentMismatches };
}
