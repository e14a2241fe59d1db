// RLP decoding that accepts only the canonical encoding, in one pass over the input and without copying it: byte
// strings are views into the transaction's bytes. Written here because @ethereumjs/rlp copies every item and lets
// through forms a re-encode then has to catch (that check cost as much as the decode).
import type { RlpItem } from "./typed-rlp.js";

export class RlpError extends Error {}

interface Cursor {
  readonly bytes: Uint8Array;
  offset: number;
}

/** Lists nest no deeper than this: the message types nest a few levels, and recursion must not exhaust the stack. */
export const MAX_RLP_DEPTH = 32;

/** A big-endian length of `size` bytes at `at`, with no leading zero byte. */
function readLength(bytes: Uint8Array, at: number, size: number, end: number): number {
  if (at + size > end) throw new RlpError("the length runs past the end of the input");
  if (bytes[at] === 0) throw new RlpError("a length has a leading zero byte");
  // Lengths are bounded by the input, which is far below 2^53; more than 6 bytes cannot be right.
  if (size > 6) throw new RlpError("a length does not fit the input");
  let length = 0;
  for (let i = 0; i < size; i++) length = length * 256 + bytes[at + i]!;
  return length;
}

function readItem(cursor: Cursor, end: number, depth: number): RlpItem {
  const { bytes } = cursor;
  const at = cursor.offset;
  if (at >= end) throw new RlpError("the input ends inside an item");
  const first = bytes[at]!;
  if (first < 0x80) {
    cursor.offset = at + 1;
    return bytes.subarray(at, at + 1);
  }
  if (first <= 0xbf) {
    let start: number;
    let length: number;
    if (first <= 0xb7) {
      length = first - 0x80;
      start = at + 1;
      if (length === 1 && start < end && bytes[start]! < 0x80) {
        throw new RlpError("a single byte below 0x80 is its own encoding, not prefixed");
      }
    } else {
      const size = first - 0xb7;
      length = readLength(bytes, at + 1, size, end);
      if (length < 56) throw new RlpError("a string shorter than 56 bytes uses the short form");
      start = at + 1 + size;
    }
    if (start + length > end) throw new RlpError("a string runs past the end of its input");
    cursor.offset = start + length;
    return bytes.subarray(start, start + length);
  }
  let start: number;
  let length: number;
  if (first <= 0xf7) {
    length = first - 0xc0;
    start = at + 1;
  } else {
    const size = first - 0xf7;
    length = readLength(bytes, at + 1, size, end);
    if (length < 56) throw new RlpError("a list shorter than 56 bytes uses the short form");
    start = at + 1 + size;
  }
  if (depth >= MAX_RLP_DEPTH) throw new RlpError(`lists nest deeper than ${MAX_RLP_DEPTH} levels`);
  const listEnd = start + length;
  if (listEnd > end) throw new RlpError("a list runs past the end of its input");
  cursor.offset = start;
  const items: RlpItem[] = [];
  while (cursor.offset < listEnd) items.push(readItem(cursor, listEnd, depth + 1));
  return items;
}

/** Decodes exactly one canonically encoded item filling `bytes`; throws RlpError saying what is wrong. */
export function decodeCanonicalRlp(bytes: Uint8Array): RlpItem {
  const cursor: Cursor = { bytes, offset: 0 };
  const item = readItem(cursor, bytes.length, 0);
  if (cursor.offset !== bytes.length) throw new RlpError("bytes follow the encoded item");
  return item;
}
