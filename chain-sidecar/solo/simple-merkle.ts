// CometBFT's simple Merkle tree (RFC 6962: leaves hashed with 0x00, inner nodes with 0x01, split at the largest power
// of two below the count). Our own because @cosmjs/tendermint-rpc keeps its tree private and CometBFT hashes headers,
// tx lists, results, commits, validator sets and block parts with it.
import { createHash } from "node:crypto";

const LEAF_PREFIX = Uint8Array.of(0);
const INNER_PREFIX = Uint8Array.of(1);

function sha256Of(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

function splitPoint(count: number): number {
  let split = 1;
  while (split * 2 < count) split *= 2;
  return split;
}

/** The root over `items` in order; the empty list hashes to sha256 of nothing, as merkle.HashFromByteSlices does. */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256Of();
  if (items.length === 1) return sha256Of(LEAF_PREFIX, items[0]!);
  const split = splitPoint(items.length);
  return sha256Of(INNER_PREFIX, merkleRoot(items.slice(0, split)), merkleRoot(items.slice(split)));
}
