// Balances, nonces, total supply and the validators' fee pool. Only genesis or an explicit mint creates supply.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError } from "../../tx/tx-error.js";

export const ACCOUNT_PREFIX = "bank/account/";
export const SUPPLY_KEY = "bank/supply";
export const FEE_POOL_KEY = "bank/feePool";

export interface Account {
  address: string;
  balance: bigint;
  nonce: number;
}

export function accountKey(address: string): string {
  return `${ACCOUNT_PREFIX}${address}`;
}

export function decodeAccount(bytes: Uint8Array): Account {
  const record = decodeRecord(bytes) as { address: string; balance: string; nonce: number };
  return { address: record.address, balance: BigInt(record.balance), nonce: record.nonce };
}

const utf8 = new TextEncoder();

/**
 * The account's canonical JSON (keys in sorted order), written directly: every transaction saves accounts, and the
 * generic encoder's key sort and walk cost more than the rest of a transfer. A property test pins it to encodeRecord.
 */
export function encodeAccount(account: Account): Uint8Array {
  if (!Number.isSafeInteger(account.nonce))
    throw new Error(`account nonce ${account.nonce} is not a safe integer`);
  return utf8.encode(
    `{"address":${JSON.stringify(account.address)},"balance":"${account.balance}","nonce":${account.nonce}}`,
  );
}

export function readAccount(state: StateReader, address: string): Account {
  const bytes = state.get(accountKey(address));
  return bytes ? decodeAccount(bytes) : { address, balance: 0n, nonce: 0 };
}

function readAmount(state: StateReader, key: string): bigint {
  const bytes = state.get(key);
  return bytes ? BigInt((decodeRecord(bytes) as { amount: string }).amount) : 0n;
}

export function readSupply(state: StateReader): bigint {
  return readAmount(state, SUPPLY_KEY);
}

export function readFeePool(state: StateReader): bigint {
  return readAmount(state, FEE_POOL_KEY);
}

export class BankKeeper {
  constructor(private readonly state: StateWriter) {}

  account(address: string): Account {
    return readAccount(this.state, address);
  }

  balance(address: string): bigint {
    return this.account(address).balance;
  }

  private save(account: Account): void {
    this.state.set(accountKey(account.address), encodeAccount(account));
  }

  private saveAmount(key: string, amount: bigint): void {
    this.state.set(key, encodeRecord({ amount: amount.toString() }));
  }

  credit(address: string, amount: bigint): void {
    if (amount < 0n) throw new Error(`credit of a negative amount ${amount}`);
    const account = this.account(address);
    account.balance += amount;
    this.save(account);
  }

  /** Takes `amount` from `address`; `field` names what asked for it in the error. */
  debit(address: string, amount: bigint, field: string): void {
    if (amount < 0n) throw new Error(`debit of a negative amount ${amount}`);
    const account = this.account(address);
    if (account.balance < amount) {
      throw new TxError(
        ResultCode.INSUFFICIENT_FUNDS,
        `${field}: ${address} has ${account.balance}, needs ${amount}`,
      );
    }
    account.balance -= amount;
    this.save(account);
  }

  transfer(from: string, to: string, amount: bigint, field: string): void {
    this.debit(from, amount, field);
    this.credit(to, amount);
  }

  /** The ante step of every transaction: the nonce must be the next one and the fee is paid into the fee pool. */
  chargeTx(sender: string, nonce: number, fee: bigint): void {
    const account = this.account(sender);
    if (nonce < account.nonce) {
      throw new TxError(
        ResultCode.STALE_NONCE,
        `tx.nonce: ${nonce} is already used; the next nonce of ${sender} is ${account.nonce}`,
      );
    }
    if (nonce > account.nonce) {
      throw new TxError(
        ResultCode.FUTURE_NONCE,
        `tx.nonce: ${nonce} is ahead; the next nonce of ${sender} is ${account.nonce}`,
      );
    }
    if (account.balance < fee) {
      throw new TxError(
        ResultCode.INSUFFICIENT_FUNDS,
        `fee: ${sender} has ${account.balance}, the fee is ${fee}`,
      );
    }
    account.balance -= fee;
    account.nonce += 1;
    this.save(account);
    if (fee > 0n) this.addToFeePool(fee);
  }

  supply(): bigint {
    return readSupply(this.state);
  }

  /** Creates new tokens: the only way total supply grows. */
  mint(address: string, amount: bigint): void {
    if (amount < 0n) throw new Error(`mint of a negative amount ${amount}`);
    this.credit(address, amount);
    this.saveAmount(SUPPLY_KEY, this.supply() + amount);
  }

  /** Records tokens created outside any balance (e.g. genesis validator deposits held by staking). */
  mintInto(amount: bigint): void {
    if (amount < 0n) throw new Error(`mint of a negative amount ${amount}`);
    this.saveAmount(SUPPLY_KEY, this.supply() + amount);
  }

  feePool(): bigint {
    return readFeePool(this.state);
  }

  /** Moves tokens already taken from a holder (a fee, a slashed deposit) into the fee pool. */
  addToFeePool(amount: bigint): void {
    if (amount < 0n) throw new Error(`fee pool deposit of a negative amount ${amount}`);
    this.saveAmount(FEE_POOL_KEY, this.feePool() + amount);
  }

  payFromFeePool(to: string, amount: bigint): void {
    const pool = this.feePool();
    if (amount < 0n || amount > pool) throw new Error(`fee pool holds ${pool}, cannot pay ${amount}`);
    this.saveAmount(FEE_POOL_KEY, pool - amount);
    this.credit(to, amount);
  }
}
