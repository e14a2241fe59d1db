// The wire format of a transaction: a version byte, then RLP of [chainId, type, nonce, body, signature].
import { hash as digestOf } from "node:crypto";
import { encodeRlp, getBytes, hexlify, toBeArray, toUtf8Bytes } from "ethers";
import { decodeCanonicalRlp, RlpError } from "./canonical-rlp.js";
import type { MessageCatalog } from "./message-catalog.js";
import type { MessageSpec } from "./message-spec.js";
import { ResultCode } from "./result-codes.js";
import { TxError, invalidField } from "./tx-error.js";
import { decodeTyped, encodeTyped, type RlpItem } from "./typed-rlp.js";

export const TX_FORMAT_VERSION = 1;
export const SIGNATURE_BYTES = 65;

export interface DecodedTx {
  readonly bytes: Uint8Array;
  /** sha256 of the bytes in upper-case hex, as CometBFT names transactions. */
  readonly hash: string;
  readonly chainId: string;
  readonly spec: MessageSpec<unknown>;
  readonly nonce: number;
  readonly message: unknown;
  /** r ‖ s ‖ v (v is 27 or 28). */
  readonly signature: Uint8Array;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function txHash(bytes: Uint8Array): string {
  return digestOf("sha256", bytes, "hex").toUpperCase();
}

function undecodable(why: string): TxError {
  return new TxError(ResultCode.UNDECODABLE, `tx: ${why}`);
}

function decodeUint(item: RlpItem, field: string): number {
  if (!(item instanceof Uint8Array)) throw invalidField(field, "expected an integer, got a list");
  const bytes = item;
  if (bytes.length > 0 && bytes[0] === 0) throw invalidField(field, "integer has leading zero bytes");
  if (bytes.length > 8) throw invalidField(field, "out of range for uint64");
  // Six bytes or fewer are below 2^48, so they add up exactly in a double; longer ones go through bigint.
  if (bytes.length <= 6) {
    let value = 0;
    for (const byte of bytes) value = value * 256 + byte;
    return value;
  }
  const value = BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw invalidField(field, `${value} exceeds ${Number.MAX_SAFE_INTEGER}`);
  return Number(value);
}

/** Decodes and structurally checks a transaction; the signature is not verified here. */
export function decodeTx(bytes: Uint8Array, catalog: MessageCatalog, hash = txHash(bytes)): DecodedTx {
  if (bytes.length === 0) throw undecodable("empty");
  if (bytes[0] !== TX_FORMAT_VERSION) {
    throw undecodable(`unknown format version ${bytes[0]}; this node reads version ${TX_FORMAT_VERSION}`);
  }
  const payload = bytes.subarray(1);
  if (payload.length === 0) throw undecodable("payload is empty");
  let decoded: RlpItem;
  try {
    // Only the canonical encoding decodes: one transaction, one encoding, one hash.
    decoded = decodeCanonicalRlp(payload);
  } catch (error) {
    if (!(error instanceof RlpError)) throw error;
    throw undecodable(`payload is not in canonical RLP form (${error.message})`);
  }
  if (!Array.isArray(decoded) || decoded.length !== 5) {
    throw undecodable("expected a list of 5 items: chainId, type, nonce, body, signature");
  }
  const [chainItem, typeItem, nonceItem, body, signatureItem] = decoded as [
    RlpItem,
    RlpItem,
    RlpItem,
    RlpItem,
    RlpItem,
  ];
  if (!(chainItem instanceof Uint8Array)) throw undecodable("chainId must be a byte string");
  let chainId: string;
  try {
    chainId = utf8.decode(chainItem);
  } catch {
    throw undecodable("chainId is not UTF-8 text");
  }
  let typeId: number;
  try {
    typeId = decodeUint(typeItem, "tx.type");
  } catch (error) {
    throw undecodable((error as Error).message);
  }
  const spec = catalog.get(typeId);
  if (!spec) throw new TxError(ResultCode.UNKNOWN_TYPE, `tx.type: unknown message type ${typeId}`);
  const nonce = decodeUint(nonceItem, "tx.nonce");
  const message = decodeTyped(spec.primaryType, body, spec.structs, spec.primaryType);
  if (!(signatureItem instanceof Uint8Array)) {
    throw new TxError(ResultCode.BAD_SIGNATURE, "tx.signature: expected 65 bytes, got a list");
  }
  const signature = signatureItem;
  if (signature.length !== SIGNATURE_BYTES) {
    throw new TxError(
      ResultCode.BAD_SIGNATURE,
      `tx.signature: expected ${SIGNATURE_BYTES} bytes, got ${signature.length}`,
    );
  }
  return { bytes, hash, chainId, spec, nonce, message, signature };
}

/** Encodes a transaction from already-normalised parts. */
export function encodeTx(parts: {
  chainId: string;
  spec: MessageSpec<unknown>;
  nonce: number;
  message: unknown;
  signature: Uint8Array;
}): Uint8Array {
  if (parts.signature.length !== SIGNATURE_BYTES) {
    throw new TxError(ResultCode.BAD_SIGNATURE, `tx.signature: expected ${SIGNATURE_BYTES} bytes`);
  }
  if (!Number.isSafeInteger(parts.nonce) || parts.nonce < 0)
    throw invalidField("tx.nonce", "must be a safe non-negative integer");
  const body = encodeTyped(
    parts.spec.primaryType,
    parts.message,
    parts.spec.structs,
    parts.spec.primaryType,
  ).item;
  const rlp = encodeRlp([
    hexlify(toUtf8Bytes(parts.chainId)),
    hexlify(toBeArray(parts.spec.typeId)),
    hexlify(toBeArray(parts.nonce)),
    body,
    hexlify(parts.signature),
  ]);
  const payload = getBytes(rlp);
  const out = new Uint8Array(payload.length + 1);
  out[0] = TX_FORMAT_VERSION;
  out.set(payload, 1);
  return out;
}
