// Signed bank transfers made before a measured window, with libsecp256k1 so the load costs little to prepare.
import { getBytes, type Wallet } from "ethers";
import { TransferMsg } from "../../../chain-sidecar/modules/bank/bank-messages.js";
import { encodeTx } from "../../../chain-sidecar/tx/envelope.js";
import type { MessageSpec } from "../../../chain-sidecar/tx/message-spec.js";
import { nativeSecp256k1 } from "../../../chain-sidecar/tx/public-key-recovery.js";
import { signTx, signedValue, signingDigestBytes } from "../../../chain-sidecar/tx/signing.js";

const transferSpec = TransferMsg as MessageSpec<unknown>;

/** The bytes signTx would produce (RFC 6979 signatures are deterministic in both libraries), at native speed. */
export function signTransferNative(
  privateKey: Uint8Array,
  chainId: string,
  to: string,
  amount: bigint,
  nonce: number,
): Uint8Array {
  if (nativeSecp256k1 === undefined) throw new Error("the native secp256k1 binding does not load here");
  const message = { to, amount };
  const { signature, recid } = nativeSecp256k1.ecdsaSign(
    signingDigestBytes(chainId, transferSpec, message, nonce),
    privateKey,
  );
  const { nonce: _nonce, ...normalised } = signedValue(transferSpec, message, nonce);
  const full = new Uint8Array(65);
  full.set(signature);
  full[64] = 27 + recid;
  return encodeTx({ chainId, spec: transferSpec, nonce, message: normalised, signature: full });
}

/** Throws unless native signing gives exactly signTx's bytes, so a benchmark never measures a different load. */
export async function assertSameAsSignTx(wallet: Wallet, chainId: string, to: string): Promise<void> {
  const ours = signTransferNative(getBytes(wallet.privateKey), chainId, to, 1n, 7);
  const reference = await signTx(wallet, chainId, TransferMsg, { to, amount: 1n }, 7);
  if (Buffer.compare(ours, reference) !== 0) throw new Error("native transfer signing differs from signTx");
}

export interface PresignedLoad {
  /** In sending order: round-robin over senders, so each sender's nonces come in order. */
  txs: Uint8Array[];
  signSeconds: number;
}

/** `perSender` transfers from each wallet (nonces from `firstNonce`), interleaved across senders. */
export function presignTransfers(
  wallets: readonly Wallet[],
  chainId: string,
  perSender: number,
  recipient: (sender: number, nonce: number) => string,
  firstNonce = 0,
): PresignedLoad {
  const started = performance.now();
  const keys = wallets.map((w) => getBytes(w.privateKey));
  const txs: Uint8Array[] = [];
  for (let n = firstNonce; n < firstNonce + perSender; n++) {
    for (let s = 0; s < wallets.length; s++) {
      txs.push(signTransferNative(keys[s]!, chainId, recipient(s, n), 1n, n));
    }
  }
  return { txs, signSeconds: (performance.now() - started) / 1000 };
}
