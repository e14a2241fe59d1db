// Fills an empty trie in one bottom-up pass: the same nodes @ethereumjs/mpt writes (a property test holds the two
// equal), built here because mpt inserts one key at a time (~250 µs each), which makes a genesis, a state-sync restore
// or a benchmark of a million keys take many minutes; bottom-up, each node is encoded and hashed once.
import { RLP } from "@ethereumjs/rlp";

/** A node as mpt's `raw()` gives it: a 17-slot branch or a 2-slot leaf/extension, children by hash or inline. */
type RawNode = (Uint8Array | RawNode | null)[];

export interface TrieNode {
  hash: Uint8Array;
  encoded: Uint8Array;
}

interface Leaf {
  path: Uint8Array;
  value: Uint8Array;
}

/**
 * The root of the trie holding `entries` (trie key hashed with `hash`, as mpt's useKeyHashing does); every stored
 * node (RLP encoding of 32 bytes or more, and the root) goes to `store`.
 */
export function buildTrie(
  entries: readonly (readonly [key: Uint8Array, value: Uint8Array])[],
  hash: (bytes: Uint8Array) => Uint8Array,
  store: (node: TrieNode) => void,
): Uint8Array {
  const leaves: Leaf[] = entries.map(([key, value]) => ({ path: toNibbles(hash(key)), value }));
  leaves.sort((a, b) => Buffer.compare(a.path, b.path));
  for (let i = 1; i < leaves.length; i++) {
    if (Buffer.compare(leaves[i - 1]!.path, leaves[i]!.path) === 0)
      throw new Error("buildTrie: duplicate key");
  }
  const reference = (node: RawNode, root: boolean): Uint8Array | RawNode => {
    const encoded = RLP.encode(node);
    // mpt inlines nodes shorter than a hash into their parent; the root is always stored.
    if (encoded.length < 32 && !root) return node;
    const nodeHash = hash(encoded);
    store({ hash: nodeHash, encoded });
    return nodeHash;
  };
  const build = (low: number, high: number, depth: number): RawNode => {
    if (high - low === 1) {
      const leaf = leaves[low]!;
      return [hexPrefix(leaf.path.subarray(depth), true), leaf.value];
    }
    const shared = sharedLength(leaves[low]!.path, leaves[high - 1]!.path, depth);
    if (shared > 0) {
      const branch = buildBranch(low, high, depth + shared);
      return [hexPrefix(leaves[low]!.path.subarray(depth, depth + shared), false), reference(branch, false)];
    }
    return buildBranch(low, high, depth);
  };
  const buildBranch = (low: number, high: number, depth: number): RawNode => {
    const slots: RawNode = new Array<null>(17).fill(null);
    let start = low;
    while (start < high) {
      const nibble = leaves[start]!.path[depth]!;
      let end = start + 1;
      while (end < high && leaves[end]!.path[depth] === nibble) end++;
      slots[nibble] = reference(build(start, end, depth + 1), false);
      start = end;
    }
    return slots;
  };
  if (leaves.length === 0) throw new Error("buildTrie: no entries (the empty trie has no nodes)");
  return reference(build(0, leaves.length, 0), true) as Uint8Array;
}

function toNibbles(bytes: Uint8Array): Uint8Array {
  const nibbles = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    nibbles[2 * i] = bytes[i]! >> 4;
    nibbles[2 * i + 1] = bytes[i]! & 0x0f;
  }
  return nibbles;
}

function sharedLength(a: Uint8Array, b: Uint8Array, from: number): number {
  let i = from;
  while (i < a.length && a[i] === b[i]) i++;
  return i - from;
}

/** Ethereum's hex-prefix encoding of a nibble path, packed into bytes (flag 2 marks a leaf, 1 an odd length). */
function hexPrefix(nibbles: Uint8Array, leaf: boolean): Uint8Array {
  const odd = nibbles.length % 2 === 1;
  const flag = (leaf ? 2 : 0) + (odd ? 1 : 0);
  const prefixed = odd ? [flag, ...nibbles] : [flag, 0, ...nibbles];
  const packed = new Uint8Array(prefixed.length / 2);
  for (let i = 0; i < packed.length; i++) packed[i] = (prefixed[2 * i]! << 4) | prefixed[2 * i + 1]!;
  return packed;
}
