// RLP encoding of a trie node into one buffer: lengths first, then one pass of writes. Written here because
// @ethereumjs/rlp concatenates a new array per nested item, which made encoding and its garbage a third of a block's
// trie update.

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
