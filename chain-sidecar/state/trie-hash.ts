// The trie's root when it holds nothing.
import { sha256 } from "./sha256.js";

/** The root of the empty trie: the hash of RLP's empty string (0x80); no node is stored for it. */
export const EMPTY_TRIE_ROOT = sha256(new Uint8Array([0x80]));
