// Merkle proofs over the stored trie: the stored nodes from the root along a key's path, as @ethereumjs/mpt's
// verifyMerkleProof checks them (nodes inlined in their parent travel inside it).
import { decodeRlp } from "./node-rlp.js";
import { readNode, type TrieNodeAccess } from "./trie-batch-update.js";
import { below, decodeNode, type Child, type RawNode } from "./trie-nodes.js";

/** The stored nodes from `root` to the leaf at `path`, or to where the path leaves the trie (proving absence). */
export function proveTriePath(
  root: Uint8Array,
  path: Uint8Array,
  nodes: Pick<TrieNodeAccess, "read">,
): Uint8Array[] {
  const proof: Uint8Array[] = [];
  let position: Uint8Array = new Uint8Array(0);
  let next: Child = { hash: root };
  for (;;) {
    let raw: RawNode;
    if ("hash" in next) {
      const encoded = readNode(nodes, position, next.hash);
      proof.push(encoded);
      raw = decodeRlp(encoded) as RawNode;
    } else if ("inline" in next) raw = next.inline;
    else throw new Error("a stored trie holds no unsealed nodes");
    const shape = decodeNode(raw);
    if (shape.kind === "leaf") return proof;
    if (shape.kind === "branch") {
      const child = shape.children[path[position.length]!];
      if (!child) return proof;
      position = below(position, path[position.length]!);
      next = child;
      continue;
    }
    const end = position.length + shape.path.length;
    if (Buffer.compare(path.subarray(position.length, end), shape.path) !== 0) return proof;
    position = path.slice(0, end);
    next = shape.child;
  }
}
