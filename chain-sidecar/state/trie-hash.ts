// The trie's node hash: sha256, native in Node and CometBFT's hash.
import { hash as digestOf } from "node:crypto";

export function sha256(bytes: Uint8Array): Uint8Array {
  // One-shot hashing skips the Hash object that createHash builds per call.
  return new Uint8Array(digestOf("sha256", bytes, "buffer"));
}

/** The root of the empty trie: the hash of RLP's empty string (0x80); no node is stored for it. */
export const EMPTY_TRIE_ROOT = sha256(new Uint8Array([0x80]));
