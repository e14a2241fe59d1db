// Balances, nonces, total supply and the validators' fee pool. Only genesis or an explicit mint creates supply.
import { decodeRecord, encodeRecord, utf8Bytes } from "../../state/canonical-json.js";
import { rememberingCodec } from "../../state/remembering-codec.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { readValue, writeValue } from "../../state/state-overlay.js";
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

/**
 * The account's canonical JSON (keys in sorted order), written directly: every transaction saves accounts, and the
 * generic encoder's key sort and walk cost more than the rest of a transfer. A property test pins it to encodeRecord.
 */
export function encodeAccount(account: Account): Uint8Array {
  if (!Number.isSafeInteger(account.nonce))
    throw new Error(`account nonce ${account.nonce} is not a safe integer`);
  return utf8Bytes(
    `{"address":${JSON.stringify(account.address)},"balance":"${account.balance}","nonce":${account.nonce}}`,
  );
}

// Readers share a remembered account (it is read-only; `readAccount` hands out a copy).
const accountCodec = rememberingCodec<Readonly<Account>>({ encode: encodeAccount, decode: decodeAccount });
const amountCodec = rememberingCodec<bigint>({
  encode: (amount) => encodeRecord({ amount: amount.toString() }),
  decode: (bytes) => BigInt((decodeRecord(bytes) as { amount: string }).amount),
});

export function readAccount(state: StateReader, address: string): Account {
  const account = readValue(state, accountKey(address), accountCodec);
  return account === undefined ? { address, balance: 0n, nonce: 0 } : { ...account };
}

function readAmount(state: StateReader, key: string): bigint {
  return readValue(state, key, amountCodec) ?? 0n;
}

export function readSupply(state: StateReader): bigint {
  return readAmount(state, SUPPLY_KEY);
}

export function readFeePool(state: StateReader): bigint {
  return readAmount(state, FEE_POOL_KEY);
}

/** The one bank keeper of the app: stateless, so every method takes the state it reads or writes. */
export class BankKeeper {
  account(state: StateReader, address: string): Account {
    return readAccount(state, address);
  }

  balance(state: StateReader, address: string): bigint {
    return this.account(state, address).balance;
  }

  private save(state: StateWriter, account: Account): void {
    writeValue(state, accountKey(account.address), accountCodec, { ...account });
  }

  private saveAmount(state: StateWriter, key: string, amount: bigint): void {
    writeValue(state, key, amountCodec, amount);
  }

  credit(state: StateWriter, address: string, amount: bigint): void {
    if (amount < 0n) throw new Error(`credit of a negative amount ${amount}`);
    const account = this.account(state, address);
    account.balance += amount;
    this.save(state, account);
  }

  /** Takes `amount` from `address`; `field` names what asked for it in the error. */
  debit(state: StateWriter, address: string, amount: bigint, field: string): void {
    if (amount < 0n) throw new Error(`debit of a negative amount ${amount}`);
    const account = this.account(state, address);
    if (account.balance < amount) {
      throw new TxError(
        ResultCode.INSUFFICIENT_FUNDS,
        `${field}: ${address} has ${account.balance}, needs ${amount}`,
      );
    }
    account.balance -= amount;
    this.save(state, account);
  }

  transfer(state: StateWriter, from: string, to: string, amount: bigint, field: string): void {
    this.debit(state, from, amount, field);
    this.credit(state, to, amount);
  }

  /** The ante step of every transaction: the nonce must be the next one and the fee is paid into the fee pool. */
  chargeTx(state: StateWriter, sender: string, nonce: number, fee: bigint): void {
    const account = this.account(state, sender);
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
    this.save(state, account);
    if (fee > 0n) this.addToFeePool(state, fee);
  }

  supply(state: StateReader): bigint {
    return readSupply(state);
  }

  /** Creates new tokens: the only way total supply grows. */
  mint(state: StateWriter, address: string, amount: bigint): void {
    if (amount < 0n) throw new Error(`mint of a negative amount ${amount}`);
    this.credit(state, address, amount);
    this.saveAmount(state, SUPPLY_KEY, this.supply(state) + amount);
  }

  /** Records tokens created outside any balance (e.g. genesis validator deposits held by staking). */
  mintInto(state: StateWriter, amount: bigint): void {
    if (amount < 0n) throw new Error(`mint of a negative amount ${amount}`);
    this.saveAmount(state, SUPPLY_KEY, this.supply(state) + amount);
  }

  feePool(state: StateReader): bigint {
    return readFeePool(state);
  }

  /** Moves tokens already taken from a holder (a fee, a slashed deposit) into the fee pool. */
  addToFeePool(state: StateWriter, amount: bigint): void {
    if (amount < 0n) throw new Error(`fee pool deposit of a negative amount ${amount}`);
    this.saveAmount(state, FEE_POOL_KEY, this.feePool(state) + amount);
  }

  payFromFeePool(state: StateWriter, to: string, amount: bigint): void {
    const pool = this.feePool(state);
    if (amount < 0n || amount > pool) throw new Error(`fee pool holds ${pool}, cannot pay ${amount}`);
    this.saveAmount(state, FEE_POOL_KEY, pool - amount);
    this.credit(state, to, amount);
  }
}
