// CheckTx refusals written as tables: each row signs one message and expects the chain's code and the field its log names.
import { expect } from "chai";
import type { Wallet } from "ethers";
import type { MessageSpec } from "../../../chain-sidecar/tx/message-spec.js";
import { signTx } from "../../../chain-sidecar/tx/signing.js";
import { CHAIN_ID, type AppHarness } from "./app-harness.js";

/** What to sign with instead of what an honest client would: the account's on-chain nonce and the chain's id. */
export interface SigningOverrides {
  nonce?: number;
  chainId?: string;
}

/** Signs `message` as `wallet` (at its on-chain nonce unless overridden); CheckTx must answer `code`, naming `field`. */
export async function expectCheckTxRefusal<T>(
  harness: AppHarness,
  wallet: Wallet,
  spec: MessageSpec<T>,
  message: T,
  code: number,
  field: string,
  overrides: SigningOverrides = {},
): Promise<void> {
  const { nonce } = await harness.query<{ nonce: number }>(`/account/${wallet.address}`);
  const chainId = overrides.chainId ?? CHAIN_ID;
  const result = await harness.check(await signTx(wallet, chainId, spec, message, overrides.nonce ?? nonce));
  expect(result.code, result.log).to.equal(code);
  expect(result.log).to.contain(field);
}

/** A message, or how to build it once the suite's `before` hooks have made the chain it refers to. */
export type MessageOrBuilder<T> = T | (() => T);

/**
 * One refused message: test name, signer, message, expected code, text the log must contain, signing overrides.
 * A text starting with "." names a field of the message itself: ".amount" under TransferMsg is "Transfer.amount".
 */
export type RefusalRow<T> = readonly [
  name: string,
  signer: Wallet,
  message: MessageOrBuilder<T>,
  code: number,
  field: string,
  overrides?: SigningOverrides,
];

/** Registers one `it` per row, in order and named by the row, each sending a `spec` message to `harness()`. */
export function itRefuses<T>(
  harness: () => AppHarness,
  spec: MessageSpec<T>,
  rows: readonly RefusalRow<NoInfer<T>>[],
): void {
  for (const [name, signer, message, code, field, overrides] of rows) {
    const named = field.startsWith(".") ? spec.primaryType + field : field;
    it(name, () => expectCheckTxRefusal(harness(), signer, spec, built(message), code, named, overrides));
  }
}

/** The message itself, or what its builder makes now. */
export function built<T>(message: MessageOrBuilder<T>): T {
  return typeof message === "function" ? (message as () => T)() : message;
}
