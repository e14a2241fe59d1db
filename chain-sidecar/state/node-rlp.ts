// RLP of trie nodes. Written here because @ethereumjs/rlp copies every item twice when decoding and concatenates a new
// array per nested item when encoding; that garbage was most of a block's trie update at large states. Encoding
// measures lengths first, then writes once; decoding gives views into the encoded node (nodes are never mutated).

/** A byte string, or a list of items. */
export type RlpInput = Uint8Array | readonly RlpInput[];

/** Bytes of the big-endian length `n` (no leading zeros). */
function lengthBytes(n: number): number {
  let bytes = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes++;
  return bytes;
}

/** The payload length of every list in `item`, depth first, so the write pass need not compute them again. */
function measure(item: RlpInput, payloads: number[]): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) return 1;
    return item.length + (item.length < 56 ? 1 : 1 + lengthBytes(item.length));
  }
  const slot = payloads.length;
  payloads.push(0);
  let payload = 0;
  for (const child of item) payload += measure(child, payloads);
  payloads[slot] = payload;
  return payload + (payload < 56 ? 1 : 1 + lengthBytes(payload));
}

function writeHeader(out: Uint8Array, at: number, length: number, shortBase: number): number {
  if (length < 56) {
    out[at] = shortBase + length;
    return at + 1;
  }
  const size = lengthBytes(length);
  out[at] = shortBase + 55 + size;
  for (let i = size, rest = length; i > 0; i--, rest = Math.floor(rest / 256)) out[at + i] = rest % 256;
  return at + 1 + size;
}

/** Writes `value` at `at` and returns where it ends; `lists` hands out the measured payload lengths in order. */
function write(
  out: Uint8Array,
  value: RlpInput,
  at: number,
  lists: { payloads: number[]; next: number },
): number {
  if (value instanceof Uint8Array) {
    if (value.length === 1 && value[0]! < 0x80) {
      out[at] = value[0]!;
      return at + 1;
    }
    const start = writeHeader(out, at, value.length, 0x80);
    out.set(value, start);
    return start + value.length;
  }
  let offset = writeHeader(out, at, lists.payloads[lists.next++]!, 0xc0);
  for (const child of value) offset = write(out, child, offset, lists);
  return offset;
}

export function encodeRlp(item: RlpInput): Uint8Array {
  const payloads: number[] = [];
  const out = new Uint8Array(measure(item, payloads));
  write(out, item, 0, { payloads, next: 0 });
  return out;
}

/** A decoded item: views into the encoded bytes, and lists of items. */
export type RlpItem = Uint8Array | RlpItem[];

/** Decodes one canonical RLP item filling `bytes`; byte strings are views into `bytes`, not copies. */
export function decodeRlp(bytes: Uint8Array): RlpItem {
  const cursor = { at: 0 };
  const item = decodeItem(bytes, cursor, bytes.length);
  if (cursor.at !== bytes.length) throw new Error(`RLP has ${bytes.length - cursor.at} bytes after its item`);
  return item;
}

function decodeItem(bytes: Uint8Array, cursor: { at: number }, limit: number): RlpItem {
  const start = cursor.at;
  if (start >= limit) throw new Error(`RLP item at byte ${start} runs past its end`);
  const prefix = bytes[start]!;
  if (prefix < 0x80) {
    cursor.at = start + 1;
    return bytes.subarray(start, start + 1);
  }
  const isList = prefix >= 0xc0;
  const short = prefix - (isList ? 0xc0 : 0x80);
  let length = short;
  let payload = start + 1;
  if (short >= 56) {
    const size = short - 55;
    if (payload + size > limit) throw new Error(`RLP length at byte ${start} runs past its end`);
    if (bytes[payload] === 0) throw new Error(`RLP length at byte ${start} has a leading zero`);
    length = 0;
    for (let i = 0; i < size; i++) length = length * 256 + bytes[payload + i]!;
    if (length < 56) throw new Error(`RLP length ${length} at byte ${start} should use the short form`);
    payload += size;
  }
  const end = payload + length;
  if (end > limit) throw new Error(`RLP ${isList ? "list" : "string"} at byte ${start} runs past its end`);
  cursor.at = end;
  if (!isList) {
    if (length === 1 && bytes[payload]! < 0x80) {
      throw new Error(`RLP byte at ${start} below 0x80 should not have a prefix`);
    }
    return bytes.subarray(payload, end);
  }
  const list: RlpItem[] = [];
  cursor.at = payload;
  while (cursor.at < end) list.push(decodeItem(bytes, cursor, end));
  return list;
}
