// Stored records are canonical JSON: keys sorted explicitly, integers only, so equal records are equal bytes on every node.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const decoder = new TextDecoder("utf-8", { fatal: true });

function canonical(value: JsonValue, path: string): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`${path}: only safe integers are stored, got ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonical(v, `${path}[${i}]`)).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k]!, `${path}.${k}`)}`).join(",")}}`;
}

export function canonicalJson(value: JsonValue): string {
  return canonical(value, "$");
}

/** The canonical JSON of a value found at `path` (for error messages) inside a larger document. */
export function canonicalJsonAt(value: JsonValue, path: string): string {
  return canonical(value, path);
}

/**
 * UTF-8 bytes of text already in canonical form, as a plain Uint8Array. Through Buffer.from, whose small results share
 * pooled memory: TextEncoder makes an ArrayBuffer per record, which costs several times the encoding in allocation and
 * collection, and blocks write many records.
 */
export function utf8Bytes(text: string): Uint8Array {
  const pooled = Buffer.from(text, "utf8");
  return new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.byteLength);
}

export function encodeRecord(value: JsonValue): Uint8Array {
  return utf8Bytes(canonicalJson(value));
}

export function decodeRecord(bytes: Uint8Array): JsonValue {
  return JSON.parse(decoder.decode(bytes)) as JsonValue;
}
