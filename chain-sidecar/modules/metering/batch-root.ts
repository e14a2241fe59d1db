// The Merkle root of a metering batch (merkletreejs, sha256): anyone holding the batch transaction can prove one
// pod's record against the root kept on chain.
//
// Leaf = sha256(sha256(canonical JSON of the record)): keys sorted, integers as decimal strings, so any language
// can rebuild it. The double hash gives leaves a 32-byte preimage, so no leaf can pose as an inner node (whose
// preimage is 64 bytes). Leaves and pairs are sorted, so the root does not depend on record order.
import { createHash } from "node:crypto";
import { MerkleTree } from "merkletreejs";
import { canonicalJson } from "../../state/canonical-json.js";
import { METER_RECORD_FIELDS, type MeterRecord } from "./metering-messages.js";

const OPTIONS = { sortLeaves: true, sortPairs: true };

function sha256(data: Buffer): Buffer {
  return createHash("sha256").update(data).digest();
}

export function meterLeaf(record: MeterRecord): Buffer {
  const fields: Record<string, string> = {};
  for (const { name } of METER_RECORD_FIELDS) {
    const value = record[name];
    fields[name] = typeof value === "bigint" ? value.toString() : value;
  }
  return sha256(sha256(Buffer.from(canonicalJson(fields))));
}

export function meteringTree(records: readonly MeterRecord[]): MerkleTree {
  return new MerkleTree(records.map(meterLeaf), sha256, OPTIONS);
}

/** The root as 0x hex; an empty batch has no root. */
export function meteringRoot(records: readonly MeterRecord[]): string {
  if (records.length === 0) throw new Error("a metering batch needs at least one record");
  return meteringTree(records).getHexRoot();
}

// The chain checks a batch's root in CheckTx and again in FinalizeBlock, on the same decoded message (the signature
// cache hands FinalizeBlock CheckTx's decoding); decoded messages are never changed, so the root is kept per records.
const rootOfDecoded = new WeakMap<readonly MeterRecord[], string>();

/** meteringRoot of a decoded transaction's records, computed once per decoding. */
export function decodedBatchRoot(records: readonly MeterRecord[]): string {
  let root = rootOfDecoded.get(records);
  if (root === undefined) {
    root = meteringRoot(records);
    rootOfDecoded.set(records, root);
  }
  return root;
}

/** Checks one record against a root with its proof (from `meteringTree(records).getHexProof(meterLeaf(record))`). */
export function verifyMeterRecord(root: string, record: MeterRecord, proof: string[]): boolean {
  return MerkleTree.verify(proof, meterLeaf(record), root, sha256, OPTIONS);
}
