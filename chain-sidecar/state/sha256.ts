// sha256, the chain's one hash (trie nodes, snapshot chunks, CometBFT's block parts), native in Node.
import { hash as digestOf } from "node:crypto";

export function sha256(bytes: Uint8Array): Uint8Array {
  // One-shot hashing skips the Hash object that createHash builds per call.
  return new Uint8Array(digestOf("sha256", bytes, "buffer"));
}
