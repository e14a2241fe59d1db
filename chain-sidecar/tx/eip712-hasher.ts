// EIP-712 struct hashing over decoded values, byte by byte. ethers' TypedDataEncoder spends ~130 µs a hash on hex
// strings and address checksums; this encoder follows the same rules on bytes and a property test pins it to ethers.
import { getBytes, keccak256, toUtf8Bytes } from "ethers";
import { keccak256Bytes as keccak } from "./keccak.js";
import type { MessageSpec } from "./message-spec.js";
import type { TypedValue } from "./typed-rlp.js";

const fixedBytesPattern = /^bytes(\d+)$/;

/** Writes `value` (below 2^256) as a big-endian 32-byte word at `at` (the caller's buffer starts zeroed). */
function writeWord(out: Buffer, at: number, value: bigint): void {
  if (value === 0n) return;
  const hex = value.toString(16);
  // Buffer.write stops at an odd digit: pad to whole bytes, right-aligned in the word.
  const digits = hex.length % 2 === 0 ? hex : `0${hex}`;
  out.write(digits, at + 32 - digits.length / 2, digits.length / 2, "hex");
}

function hexBytes(value: string): Uint8Array {
  return Buffer.from(value.slice(2), "hex");
}

export class Eip712Hasher {
  private readonly typeHashes = new Map<string, Uint8Array>();
  // One encoding buffer per struct nesting depth, reused: keccak copies its input, and hashing runs one at a time.
  // A fresh 96-byte Buffer each hash cost more than the hash.
  private readonly scratch: Buffer[] = [];
  private depth = 0;

  constructor(private readonly spec: MessageSpec<unknown>) {
    for (const name of Object.keys(spec.types)) {
      this.typeHashes.set(name, getBytes(keccak256(toUtf8Bytes(spec.encoder.encodeType(name)))));
    }
  }

  /** hashStruct(primaryType, message with nonce), as EIP-712 defines it. */
  hashMessage(message: unknown, nonce: number): Uint8Array {
    return this.hashStruct(this.spec.primaryType, message as Record<string, TypedValue>, BigInt(nonce));
  }

  /** `nonce`, when given, stands for the value's `nonce` field (the signed message has one; the decoded one not). */
  private hashStruct(type: string, value: Record<string, TypedValue>, nonce?: bigint): Uint8Array {
    const fields = this.spec.types[type]!;
    // One buffer holds typeHash ‖ each field's word, written in place.
    const size = 32 * (fields.length + 1);
    let buffer = this.scratch[this.depth];
    if (buffer === undefined || buffer.length < size) {
      buffer = Buffer.alloc(size);
      this.scratch[this.depth] = buffer;
    }
    const encoded = buffer.subarray(0, size).fill(0);
    encoded.set(this.typeHashes.get(type)!, 0);
    this.depth++;
    try {
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!;
        const fieldValue = nonce !== undefined && field.name === "nonce" ? nonce : value[field.name]!;
        this.encodeField(field.type, fieldValue, encoded, 32 * (i + 1));
      }
    } finally {
      this.depth--;
    }
    return keccak(encoded);
  }

  /** Writes the 32-byte encoding of one field at `at` in `out`. */
  private encodeField(type: string, value: TypedValue, out: Buffer, at: number): void {
    if (type.endsWith("[]")) {
      const element = type.slice(0, -2);
      const items = value as TypedValue[];
      const encoded = Buffer.alloc(32 * items.length);
      items.forEach((v, i) => this.encodeField(element, v, encoded, 32 * i));
      out.set(keccak(encoded), at);
    } else if (this.typeHashes.has(type)) {
      out.set(this.hashStruct(type, value as Record<string, TypedValue>), at);
    } else if (type === "string") {
      out.set(keccak(Buffer.from(value as string, "utf8")), at);
    } else if (type === "bytes") {
      out.set(keccak(hexBytes(value as string)), at);
    } else if (type === "bool") {
      if (value) out[at + 31] = 1;
    } else if (type === "address") {
      // A 20-byte address sits right-aligned in its word.
      out.write((value as string).slice(2), at + 12, 20, "hex");
    } else if (type.startsWith("uint")) {
      writeWord(out, at, value as bigint);
    } else if (fixedBytesPattern.test(type)) {
      out.set(hexBytes(value as string), at);
    } else {
      throw new Error(`EIP-712 type ${type} is not supported`);
    }
  }
}

const hashers = new WeakMap<MessageSpec<unknown>, Eip712Hasher>();

export function hasherFor(spec: MessageSpec<unknown>): Eip712Hasher {
  let hasher = hashers.get(spec);
  if (!hasher) {
    hasher = new Eip712Hasher(spec);
    hashers.set(spec, hasher);
  }
  return hasher;
}
