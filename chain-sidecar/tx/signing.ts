// Signing and sender recovery for EIP-712 transactions: any Ethereum wallet's signTypedData works.
import { concat, getBytes, hexlify, keccak256, SigningKey, Signature, type TypedDataDomain } from "ethers";
import { domainSeparator, eip712Domain } from "./eip712-domain.js";
import { hasherFor } from "./eip712-hasher.js";
import { encodeTx, type DecodedTx } from "./envelope.js";
import type { MessageSpec } from "./message-spec.js";
import { ResultCode } from "./result-codes.js";
import { TxError } from "./tx-error.js";
import { encodeTyped, type TypedValue } from "./typed-rlp.js";

/** What a signer must offer: ethers' Wallet and browser-wallet signers both do. */
export interface TypedDataSigner {
  getAddress(): Promise<string>;
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, { name: string; type: string }[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

const SECP256K1_HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** The value a signer signs: the message fields with the nonce appended. */
export function signedValue(
  spec: MessageSpec<unknown>,
  message: unknown,
  nonce: number,
): Record<string, TypedValue> {
  const normalised = encodeTyped(spec.primaryType, message, spec.structs, spec.primaryType).normalised;
  return { ...(normalised as Record<string, TypedValue>), nonce: BigInt(nonce) };
}

/** The 32-byte EIP-712 digest a signature covers, for a decoded (normalised) message. */
export function signingDigest(
  chainId: string,
  spec: MessageSpec<unknown>,
  message: unknown,
  nonce: number,
): string {
  return keccak256(concat(["0x1901", domainSeparator(chainId), hasherFor(spec).hashMessage(message, nonce)]));
}

export async function signTx<T>(
  signer: TypedDataSigner,
  chainId: string,
  spec: MessageSpec<T>,
  message: T,
  nonce: number,
): Promise<Uint8Array> {
  const anySpec = spec as MessageSpec<unknown>;
  const value = signedValue(anySpec, message, nonce);
  const signatureHex = await signer.signTypedData(eip712Domain(chainId), spec.types, value);
  const signature = getBytes(Signature.from(signatureHex).serialized);
  const { nonce: _nonce, ...normalised } = value;
  return encodeTx({ chainId, spec: anySpec, nonce, message: normalised, signature });
}

/** Recovers the sender's lowercase address, or throws BAD_SIGNATURE saying why. */
export function recoverSender(tx: DecodedTx): string {
  const sig = tx.signature;
  const v = sig[64]!;
  if (v !== 27 && v !== 28)
    throw new TxError(ResultCode.BAD_SIGNATURE, `tx.signature: v must be 27 or 28, got ${v}`);
  const r = hexlify(sig.subarray(0, 32));
  const s = hexlify(sig.subarray(32, 64));
  if (BigInt(s) > SECP256K1_HALF_ORDER || BigInt(s) === 0n || BigInt(r) === 0n) {
    throw new TxError(
      ResultCode.BAD_SIGNATURE,
      "tx.signature: s must be non-zero and in the lower half of the curve order",
    );
  }
  try {
    const digest = signingDigest(tx.chainId, tx.spec, tx.message, tx.nonce);
    // The address is the last 20 bytes of keccak256 of the recovered key (computeAddress would re-validate the point).
    const publicKey = SigningKey.recoverPublicKey(digest, { r, s, v });
    return `0x${keccak256(`0x${publicKey.slice(4)}`).slice(-40)}`;
  } catch {
    throw new TxError(ResultCode.BAD_SIGNATURE, "tx.signature: no public key recovers from this signature");
  }
}
