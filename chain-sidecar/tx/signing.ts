// Signing and sender recovery for EIP-712 transactions: any Ethereum wallet's signTypedData works.
import { getBytes, hexlify, Signature, type TypedDataDomain } from "ethers";
import { domainSeparatorBytes, eip712Domain } from "./eip712-domain.js";
import { hasherFor } from "./eip712-hasher.js";
import { encodeTx, type DecodedTx } from "./envelope.js";
import { keccak256Bytes } from "./keccak.js";
import type { MessageSpec } from "./message-spec.js";
import { nativeSecp256k1, recoverPublicKey } from "./public-key-recovery.js";
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

// n/2 as 32 big-endian bytes: signatures are compared to it bytewise, which costs less than parsing them into bigints.
const SECP256K1_HALF_ORDER = Buffer.from(
  "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0",
  "hex",
);
const digestInput = Uint8Array.of(0x19, 0x01, ...new Uint8Array(64));

function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

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
export function signingDigestBytes(
  chainId: string,
  spec: MessageSpec<unknown>,
  message: unknown,
  nonce: number,
): Uint8Array {
  // 0x1901 ‖ domain separator ‖ struct hash, written into one reused buffer: one copy into the hasher, not three.
  digestInput.set(domainSeparatorBytes(chainId), 2);
  digestInput.set(hasherFor(spec).hashMessage(message, nonce), 34);
  return keccak256Bytes(digestInput);
}

/** The digest as 0x-prefixed hex, as ethers' signing keys take it. */
export function signingDigest(
  chainId: string,
  spec: MessageSpec<unknown>,
  message: unknown,
  nonce: number,
): string {
  return hexlify(signingDigestBytes(chainId, spec, message, nonce));
}

/**
 * r ‖ s ‖ v over the digest by libsecp256k1, when the signer holds its key in this process (an ethers Wallet) and the
 * binding loads: ~40× ethers' signTypedData, with the same low-s signature. Undefined otherwise.
 */
function signLocally(signer: TypedDataSigner, digest: () => Uint8Array): Uint8Array | undefined {
  const privateKey = (signer as { signingKey?: { privateKey?: unknown } }).signingKey?.privateKey;
  if (nativeSecp256k1 === undefined || typeof privateKey !== "string") return undefined;
  const { signature, recid } = nativeSecp256k1.ecdsaSign(digest(), Buffer.from(privateKey.slice(2), "hex"));
  return Uint8Array.of(...signature, 27 + recid);
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
  const { nonce: _nonce, ...normalised } = value;
  const signature =
    signLocally(signer, () => signingDigestBytes(chainId, anySpec, normalised, nonce)) ??
    getBytes(Signature.from(await signer.signTypedData(eip712Domain(chainId), spec.types, value)).serialized);
  return encodeTx({ chainId, spec: anySpec, nonce, message: normalised, signature });
}

/** Recovers the sender's lowercase address, or throws BAD_SIGNATURE saying why. */
export function recoverSender(tx: DecodedTx): string {
  const sig = tx.signature;
  const v = sig[64]!;
  if (v !== 27 && v !== 28)
    throw new TxError(ResultCode.BAD_SIGNATURE, `tx.signature: v must be 27 or 28, got ${v}`);
  const r = sig.subarray(0, 32);
  const s = sig.subarray(32, 64);
  if (Buffer.compare(s, SECP256K1_HALF_ORDER) > 0 || isZero(s) || isZero(r)) {
    throw new TxError(
      ResultCode.BAD_SIGNATURE,
      "tx.signature: s must be non-zero and in the lower half of the curve order",
    );
  }
  const digest = signingDigestBytes(tx.chainId, tx.spec, tx.message, tx.nonce);
  let publicKey: Uint8Array;
  try {
    publicKey = recoverPublicKey(digest, sig.subarray(0, 64), v === 27 ? 0 : 1);
  } catch {
    throw new TxError(ResultCode.BAD_SIGNATURE, "tx.signature: no public key recovers from this signature");
  }
  // The address is the last 20 bytes of keccak256 of the key without its 0x04 prefix.
  const hashed = keccak256Bytes(publicKey.subarray(1));
  return `0x${Buffer.from(hashed.buffer, hashed.byteOffset, hashed.byteLength).toString("hex", 12)}`;
}
