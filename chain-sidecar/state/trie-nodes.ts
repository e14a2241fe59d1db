// Trie nodes as the updater and the prover see them: decoded from RLP into leaf, extension and branch shapes.
import { fromHexPrefix } from "./trie-paths.js";

/** A node as RLP holds it: a 17-slot branch or a 2-slot leaf/extension, children by hash or inline. */
export type RawNode = (Uint8Array | RawNode)[];

/** A child: a stored node by hash, a small node inlined in its parent, or a node built in this pass. */
export type Child = { hash: Uint8Array } | { inline: RawNode } | { node: TrieNodeShape };

export type TrieNodeShape =
  | { kind: "leaf"; path: Uint8Array; value: Uint8Array }
  | { kind: "extension"; path: Uint8Array; child: Child }
  | { kind: "branch"; children: (Child | null)[] };

export function decodeNode(raw: RawNode): TrieNodeShape {
  if (raw.length === 17) {
    if ((raw[16] as Uint8Array).length !== 0) throw new Error("trie branch holds a value: not a state trie");
    return { kind: "branch", children: raw.slice(0, 16).map(childOf) };
  }
  if (raw.length !== 2) throw new Error(`trie node with ${raw.length} slots`);
  const { nibbles, leaf } = fromHexPrefix(raw[0] as Uint8Array);
  if (leaf) return { kind: "leaf", path: nibbles, value: raw[1] as Uint8Array };
  return { kind: "extension", path: nibbles, child: childOf(raw[1]!)! };
}

function childOf(slot: Uint8Array | RawNode): Child | null {
  if (slot instanceof Uint8Array) return slot.length === 0 ? null : { hash: slot };
  return { inline: slot };
}

/** `position` followed by `nibbles`: where a child sits below its parent. */
export function below(position: Uint8Array, nibbles: Uint8Array | number): Uint8Array {
  const tail = typeof nibbles === "number" ? Uint8Array.of(nibbles) : nibbles;
  const joined = new Uint8Array(position.length + tail.length);
  joined.set(position);
  joined.set(tail, position.length);
  return joined;
}
