// Maps EIP-712 typed values to RLP items and back, so the wire format follows the signed types exactly.
import { getAddress, getBytes, hexlify, isHexString, toBeArray, type RlpStructuredData } from "ethers";
import { invalidField } from "./tx-error.js";

export type StructTypes = Readonly<
  Record<string, readonly { readonly name: string; readonly type: string }[]>
>;

/** An RLP item as a decoder gives it: bytes (or ethers' 0x hex for a byte string) and lists. */
export type RlpItem = Uint8Array | string | readonly RlpItem[];

/** A decoded typed value: addresses as lowercase 0x hex, uints as bigint, bytes as 0x hex. */
export type TypedValue = string | bigint | boolean | TypedValue[] | { [field: string]: TypedValue };

const uintPattern = /^uint(\d+)$/;
const fixedBytesPattern = /^bytes(\d+)$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/** Throws at definition time if a type is outside the subset the wire format supports. */
export function assertSupportedType(type: string, structs: StructTypes, where: string): void {
  if (type.endsWith("[]")) {
    assertSupportedType(type.slice(0, -2), structs, where);
    return;
  }
  if (type === "address" || type === "bool" || type === "string" || type === "bytes") return;
  const uint = uintPattern.exec(type);
  if (uint) {
    const bits = Number(uint[1]);
    if (bits >= 8 && bits <= 256 && bits % 8 === 0) return;
  }
  const fixed = fixedBytesPattern.exec(type);
  if (fixed) {
    const size = Number(fixed[1]);
    if (size >= 1 && size <= 32) return;
  }
  const struct = structs[type];
  if (struct) {
    for (const field of struct) assertSupportedType(field.type, structs, `${where}.${field.name}`);
    return;
  }
  throw new Error(`${where}: type ${type} is not supported on the wire`);
}

function asBytes(item: RlpItem, path: string): Uint8Array {
  if (item instanceof Uint8Array) return item;
  if (typeof item !== "string") throw invalidField(path, "expected a byte string, got a list");
  return getBytes(item);
}

function asList(item: RlpItem, path: string): readonly RlpItem[] {
  if (item instanceof Uint8Array || typeof item === "string") {
    throw invalidField(path, "expected a list, got a byte string");
  }
  return item;
}

function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** Decodes one RLP item as a value of `type`; errors name the field path. */
export function decodeTyped(type: string, item: RlpItem, structs: StructTypes, path: string): TypedValue {
  if (type.endsWith("[]")) {
    const element = type.slice(0, -2);
    return asList(item, path).map((entry, i) => decodeTyped(element, entry, structs, `${path}[${i}]`));
  }
  const struct = structs[type];
  if (struct) {
    const items = asList(item, path);
    if (items.length !== struct.length) {
      throw invalidField(
        path,
        `expected ${struct.length} fields (${struct.map((f) => f.name).join(", ")}), got ${items.length}`,
      );
    }
    const value: Record<string, TypedValue> = {};
    struct.forEach((field, i) => {
      value[field.name] = decodeTyped(field.type, items[i]!, structs, `${path}.${field.name}`);
    });
    return value;
  }
  const bytes = asBytes(item, path);
  if (type === "address") {
    if (bytes.length !== 20)
      throw invalidField(path, `expected a 20-byte address, got ${bytes.length} bytes`);
    return hex(bytes);
  }
  if (type === "bool") {
    if (bytes.length === 0) return false;
    if (bytes.length === 1 && bytes[0] === 1) return true;
    throw invalidField(path, "expected a boolean (empty or 0x01)");
  }
  if (type === "string") {
    try {
      return utf8.decode(bytes);
    } catch {
      throw invalidField(path, "expected UTF-8 text");
    }
  }
  if (type === "bytes") return hex(bytes);
  const uint = uintPattern.exec(type);
  if (uint) {
    const bits = Number(uint[1]);
    if (bytes.length > bits / 8) throw invalidField(path, `out of range for ${type}`);
    if (bytes.length > 0 && bytes[0] === 0) throw invalidField(path, "integer has leading zero bytes");
    return bytes.length === 0 ? 0n : BigInt(hex(bytes));
  }
  const fixed = fixedBytesPattern.exec(type);
  if (fixed) {
    const size = Number(fixed[1]);
    if (bytes.length !== size) throw invalidField(path, `expected ${size} bytes, got ${bytes.length}`);
    return hex(bytes);
  }
  throw invalidField(path, `type ${type} is not supported`);
}

function toUint(value: unknown, bits: number, path: string): bigint {
  let n: bigint;
  if (typeof value === "bigint") n = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === "string" && /^\d+$/.test(value)) n = BigInt(value);
  else throw invalidField(path, "expected a non-negative integer");
  if (n < 0n || n >= 1n << BigInt(bits)) throw invalidField(path, `out of range for uint${bits}`);
  return n;
}

function toHexBytes(value: unknown, path: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string" && isHexString(value) && value.length % 2 === 0) return getBytes(value);
  throw invalidField(path, "expected 0x-prefixed hex bytes");
}

/** Encodes a value of `type` as an RLP item; also normalises it for EIP-712 hashing. */
export function encodeTyped(
  type: string,
  value: unknown,
  structs: StructTypes,
  path: string,
): { item: RlpStructuredData; normalised: TypedValue } {
  if (type.endsWith("[]")) {
    if (!Array.isArray(value)) throw invalidField(path, "expected a list");
    const element = type.slice(0, -2);
    const parts = value.map((entry, i) => encodeTyped(element, entry, structs, `${path}[${i}]`));
    return { item: parts.map((p) => p.item), normalised: parts.map((p) => p.normalised) };
  }
  const struct = structs[type];
  if (struct) {
    if (typeof value !== "object" || value === null) throw invalidField(path, `expected a ${type} object`);
    const record = value as Record<string, unknown>;
    const items: RlpStructuredData[] = [];
    const normalised: Record<string, TypedValue> = {};
    for (const field of struct) {
      if (!(field.name in record)) throw invalidField(`${path}.${field.name}`, "missing");
      const part = encodeTyped(field.type, record[field.name], structs, `${path}.${field.name}`);
      items.push(part.item);
      normalised[field.name] = part.normalised;
    }
    return { item: items, normalised };
  }
  if (type === "address") {
    if (typeof value !== "string") throw invalidField(path, "expected a 0x address");
    let checked: string;
    try {
      checked = getAddress(value);
    } catch {
      throw invalidField(path, `${JSON.stringify(value)} is not a valid address`);
    }
    return { item: checked.toLowerCase(), normalised: checked.toLowerCase() };
  }
  if (type === "bool") {
    if (typeof value !== "boolean") throw invalidField(path, "expected true or false");
    return { item: value ? "0x01" : "0x", normalised: value };
  }
  if (type === "string") {
    if (typeof value !== "string") throw invalidField(path, "expected text");
    return { item: hexlify(utf8Encoder.encode(value)), normalised: value };
  }
  if (type === "bytes") {
    const bytes = toHexBytes(value, path);
    return { item: hexlify(bytes), normalised: hexlify(bytes) };
  }
  const uint = uintPattern.exec(type);
  if (uint) {
    const n = toUint(value, Number(uint[1]), path);
    return { item: hexlify(toBeArray(n)), normalised: n };
  }
  const fixed = fixedBytesPattern.exec(type);
  if (fixed) {
    const bytes = toHexBytes(value, path);
    const size = Number(fixed[1]);
    if (bytes.length !== size) throw invalidField(path, `expected ${size} bytes, got ${bytes.length}`);
    return { item: hexlify(bytes), normalised: hexlify(bytes) };
  }
  throw invalidField(path, `type ${type} is not supported`);
}
