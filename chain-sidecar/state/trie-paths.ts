// Trie paths: a state key's path, paths as nibbles, and Ethereum's hex-prefix encoding of them in leaf and extension nodes.
import { sha256 } from "./sha256.js";

export function toNibbles(bytes: Uint8Array): Uint8Array {
  const nibbles = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    nibbles[2 * i] = bytes[i]! >> 4;
    nibbles[2 * i + 1] = bytes[i]! & 0x0f;
  }
  return nibbles;
}

/** How many nibbles `a` and `b` share from `from` on. */
export function sharedLength(a: Uint8Array, b: Uint8Array, from: number): number {
  let i = from;
  while (i < a.length && a[i] === b[i]) i++;
  return i - from;
}

/** A nibble path packed into bytes behind a flag nibble: 2 marks a leaf, 1 an odd length (then no padding nibble). */
export function hexPrefix(nibbles: Uint8Array, leaf: boolean): Uint8Array {
  const odd = nibbles.length % 2 === 1;
  const packed = new Uint8Array(Math.floor(nibbles.length / 2) + 1);
  packed[0] = ((leaf ? 2 : 0) + (odd ? 1 : 0)) << 4;
  let next = 0;
  if (odd) packed[0] |= nibbles[next++]!;
  for (let i = 1; i < packed.length; i++, next += 2) packed[i] = (nibbles[next]! << 4) | nibbles[next + 1]!;
  return packed;
}

/** The nibbles and leaf flag of a hex-prefix encoded path. */
export function fromHexPrefix(packed: Uint8Array): { nibbles: Uint8Array; leaf: boolean } {
  if (packed.length === 0) throw new Error("trie node path is empty");
  const flag = packed[0]! >> 4;
  if (flag > 3) throw new Error(`trie node path flag ${flag} is not hex-prefix`);
  const odd = (flag & 1) === 1;
  const nibbles = new Uint8Array((packed.length - 1) * 2 + (odd ? 1 : 0));
  let next = 0;
  if (odd) nibbles[next++] = packed[0]! & 0x0f;
  for (let i = 1; i < packed.length; i++) {
    nibbles[next++] = packed[i]! >> 4;
    nibbles[next++] = packed[i]! & 0x0f;
  }
  return { nibbles, leaf: (flag & 2) === 2 };
}

const SLASH = 0x2f;
/** Bytes of the family's hash that lead a key's path: 65,536 places, so families almost never share a subtree. */
const FAMILY_PATH_BYTES = 2;
const KEY_HASH_BYTES = 32;
/** The lead of each family seen (there are a few dozen): hashing a family per key cost a third of keyPath. */
const familyLeads = new Map<string, Uint8Array>();
const FAMILY_LEADS_KEPT = 4096;

function familyLead(family: Uint8Array): Uint8Array {
  const name = Buffer.from(family.buffer, family.byteOffset, family.byteLength).toString("latin1");
  let lead = familyLeads.get(name);
  if (lead === undefined) {
    if (familyLeads.size >= FAMILY_LEADS_KEPT) familyLeads.clear();
    lead = sha256(family).subarray(0, FAMILY_PATH_BYTES);
    familyLeads.set(name, lead);
  }
  return lead;
}

/**
 * A state key's trie path: the first bytes of sha256(its family), then sha256(key). The family is the key up to its
 * second "/" ("metering/pod/"), so each family's keys share a subtree and a block's work follows the sizes of the
 * families it changes: updating a few thousand live records costs the same beside a million closed ones.
 */
export function keyPath(key: Uint8Array): Uint8Array {
  const first = key.indexOf(SLASH);
  const second = first < 0 ? -1 : key.indexOf(SLASH, first + 1);
  const path = new Uint8Array(FAMILY_PATH_BYTES + KEY_HASH_BYTES);
  path.set(familyLead(second < 0 ? key : key.subarray(0, second + 1)));
  path.set(sha256(key), FAMILY_PATH_BYTES);
  return path;
}
