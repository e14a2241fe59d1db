// Applies a block's changes to the Merkle Patricia trie in one pass over the touched paths: each touched node is read
// and decoded once and each new node encoded and hashed once per block, where @ethereumjs/mpt's one-key-at-a-time
// put rewrites the path from the root for every key (~250 µs each). The trie is canonical, so the nodes are exactly
// mpt's (a property test holds the two equal).
// Nodes are stored by position (their nibble path from the root), not by hash: a pruned trie has one node per
// position, so an updated node overwrites the one it replaces, and a block's writes for one key sit side by side.
import { decodeRlp, encodeRlp } from "./node-rlp.js";
import { below, decodeNode, type Child, type RawNode, type TrieNodeShape } from "./trie-nodes.js";
import { hexPrefix, sharedLength, toNibbles } from "./trie-paths.js";

/** A change at a trie path (the nibbles of the key's keyPath); null (or an empty value, as in mpt) deletes. */
export interface PathChange {
  readonly path: Uint8Array;
  readonly value: Uint8Array | null;
}

/** Where the nodes live, by position (nibbles from the root; the root's is empty). */
export interface TrieNodeAccess {
  /** The node at `position`, whose parent references it by `hash` (a store checks what it reads from disk). */
  read(position: Uint8Array, hash: Uint8Array): Uint8Array | undefined;
  write(position: Uint8Array, hash: Uint8Array, encoded: Uint8Array): void;
  remove(position: Uint8Array): void;
}

const EMPTY = new Uint8Array(0);
const HASH_LENGTH = 32;

/** The change list for `entries` of (key, value): each key hashed to its path, sorted by path, the last change per key kept. */
export function pathChanges<K>(
  entries: Iterable<readonly [key: K, value: Uint8Array | null]>,
  hash: (key: K) => Uint8Array,
): PathChange[] {
  const changes = [...entries].map(([key, value]) => ({ path: toNibbles(hash(key)), value }));
  changes.sort((a, b) => Buffer.compare(a.path, b.path));
  // A stable sort keeps a key's changes in order: the last one wins.
  return changes.filter(
    (change, i) => i + 1 === changes.length || Buffer.compare(change.path, changes[i + 1]!.path) !== 0,
  );
}

function positionKey(position: Uint8Array): string {
  return Buffer.from(position.buffer, position.byteOffset, position.byteLength).toString("latin1");
}

/** Reads a stored node; the store checks what it reads from disk against `hash`. */
export function readNode(
  nodes: Pick<TrieNodeAccess, "read">,
  position: Uint8Array,
  hash: Uint8Array,
): Uint8Array {
  const encoded = nodes.read(position, hash);
  if (encoded === undefined) {
    throw new Error(`trie node ${Buffer.from(hash).toString("hex")} is missing from the node store`);
  }
  return encoded;
}

/**
 * Applies `changes` (sorted, unique paths) to the trie at `root` (undefined: empty) and returns the new root
 * (undefined: empty). New nodes are written, and positions left empty removed, through `nodes`.
 */
export function updateTrie(
  root: Uint8Array | undefined,
  changes: readonly PathChange[],
  nodes: TrieNodeAccess,
  hash: (bytes: Uint8Array) => Uint8Array,
): Uint8Array | undefined {
  const written = new Map<
    string,
    { position: Uint8Array; hash: Uint8Array; encoded: Uint8Array; raw: RawNode }
  >();
  const vacated = new Map<string, Uint8Array>();
  const isDeletion = (change: PathChange): boolean => change.value === null || change.value.length === 0;

  const load = (child: Child, position: Uint8Array): TrieNodeShape => {
    if ("node" in child) return child.node;
    if ("inline" in child) return decodeNode(child.inline);
    const pending = written.get(positionKey(position));
    if (pending && Buffer.compare(pending.hash, child.hash) === 0) return decodeNode(pending.raw);
    const encoded = readNode(nodes, position, child.hash);
    return decodeNode(decodeRlp(encoded) as RawNode);
  };

  /** The reference a parent holds to `shape`: inline when its encoding is shorter than a hash (mpt's rule). */
  const seal = (
    shape: TrieNodeShape,
    position: Uint8Array,
    isRoot: boolean,
  ): { hash: Uint8Array } | { inline: RawNode } => {
    const raw = encodeNode(shape, position);
    const encoded = encodeRlp(raw);
    if (encoded.length < HASH_LENGTH && !isRoot) return { inline: raw };
    const nodeHash = hash(encoded);
    written.set(positionKey(position), { position, hash: nodeHash, encoded, raw });
    return { hash: nodeHash };
  };
  /** `child` below `parent` by `step`; its position is made only when it must be sealed (most are unchanged). */
  const reference = (child: Child, parent: Uint8Array, step: Uint8Array | number): Uint8Array | RawNode => {
    if ("hash" in child) return child.hash;
    if ("inline" in child) return child.inline;
    const sealed = seal(child.node, below(parent, step), false);
    return "hash" in sealed ? sealed.hash : sealed.inline;
  };
  const encodeNode = (shape: TrieNodeShape, position: Uint8Array): RawNode => {
    if (shape.kind === "leaf") return [hexPrefix(shape.path, true), shape.value];
    if (shape.kind === "extension") {
      return [hexPrefix(shape.path, false), reference(shape.child, position, shape.path)];
    }
    const raw: RawNode = shape.children.map((child, i) => (child ? reference(child, position, i) : EMPTY));
    raw.push(EMPTY);
    return raw;
  };

  /** A new subtree from the puts among `list`'s [low, high) (deletions remove nothing), children sealed as built. */
  const build = (
    list: readonly PathChange[],
    low: number,
    high: number,
    depth: number,
  ): TrieNodeShape | null => {
    const puts: PathChange[] = [];
    for (let i = low; i < high; i++) if (!isDeletion(list[i]!)) puts.push(list[i]!);
    return buildFrom(puts, 0, puts.length, depth);
  };
  const buildFrom = (puts: PathChange[], low: number, high: number, depth: number): TrieNodeShape | null => {
    if (low === high) return null;
    const first = puts[low]!;
    if (high - low === 1) return { kind: "leaf", path: first.path.subarray(depth), value: first.value! };
    const fork = depth + sharedLength(first.path, puts[high - 1]!.path, depth);
    const children: (Child | null)[] = new Array<null>(16).fill(null);
    let start = low;
    while (start < high) {
      const nibble = puts[start]!.path[fork]!;
      let end = start + 1;
      while (end < high && puts[end]!.path[fork] === nibble) end++;
      children[nibble] = seal(
        buildFrom(puts, start, end, fork + 1)!,
        puts[start]!.path.subarray(0, fork + 1),
        false,
      );
      start = end;
    }
    const branch: TrieNodeShape = { kind: "branch", children };
    if (fork === depth) return branch;
    const path = first.path.subarray(depth, fork);
    return { kind: "extension", path, child: seal(branch, first.path.subarray(0, fork), false) };
  };

  /** The child at `depth` after the changes in [low, high); the same object when nothing changed. */
  const update = (child: Child | null, low: number, high: number, depth: number): Child | null => {
    if (low === high) return child;
    if (child === null) {
      const built = build(changes, low, high, depth);
      return built && { node: built };
    }
    const position = changes[low]!.path.subarray(0, depth);
    const shape = load(child, position);
    const next = updateShape(shape, low, high, depth);
    if (next === shape) return child;
    if ("hash" in child) vacated.set(positionKey(position), position);
    return next && { node: next };
  };

  const updateShape = (
    shape: TrieNodeShape,
    low: number,
    high: number,
    depth: number,
  ): TrieNodeShape | null => {
    if (shape.kind === "branch") return updateBranch(shape, low, high, depth);
    if (shape.kind === "leaf") return updateLeaf(shape, low, high, depth);
    return updateExtension(shape, low, high, depth);
  };

  const updateLeaf = (
    leaf: TrieNodeShape & { kind: "leaf" },
    low: number,
    high: number,
    depth: number,
  ): TrieNodeShape | null => {
    let own: PathChange | undefined;
    let putsElsewhere = false;
    for (let i = low; i < high; i++) {
      const change = changes[i]!;
      if (Buffer.compare(change.path.subarray(depth), leaf.path) === 0) own = change;
      else if (!isDeletion(change)) putsElsewhere = true;
    }
    if (!putsElsewhere) {
      if (own === undefined) return leaf;
      if (isDeletion(own)) return null;
      if (Buffer.compare(own.value!, leaf.value) === 0) return leaf;
      return { kind: "leaf", path: leaf.path, value: own.value! };
    }
    // The leaf and the new keys form a new subtree: rebuild it from the merged, sorted puts.
    const merged = changes.slice(low, high);
    if (own === undefined) {
      merged.push({ path: below(changes[low]!.path.subarray(0, depth), leaf.path), value: leaf.value });
      merged.sort((a, b) => Buffer.compare(a.path, b.path));
    }
    return build(merged, 0, merged.length, depth);
  };

  const updateExtension = (
    extension: TrieNodeShape & { kind: "extension" },
    low: number,
    high: number,
    depth: number,
  ): TrieNodeShape | null => {
    const end = depth + extension.path.length;
    let divergingPut = false;
    let firstInside = -1;
    let lastInside = -1;
    for (let i = low; i < high; i++) {
      const change = changes[i]!;
      if (Buffer.compare(change.path.subarray(depth, end), extension.path) === 0) {
        if (firstInside === -1) firstInside = i;
        lastInside = i;
      } else if (!isDeletion(change)) divergingPut = true;
    }
    if (divergingPut) {
      // A new key branches off inside the extension: it becomes a branch over its first nibble, then is updated.
      const rest = extension.path.subarray(1);
      const children: (Child | null)[] = new Array<null>(16).fill(null);
      children[extension.path[0]!] =
        rest.length === 0
          ? extension.child
          : { node: { kind: "extension", path: rest, child: extension.child } };
      return updateBranch({ kind: "branch", children }, low, high, depth);
    }
    if (firstInside === -1) return extension;
    const child = update(extension.child, firstInside, lastInside + 1, end);
    if (child === extension.child) return extension;
    if (child === null) return null;
    return joinPath(extension.path, child, changes[firstInside]!.path.subarray(0, end));
  };

  const updateBranch = (
    branch: TrieNodeShape & { kind: "branch" },
    low: number,
    high: number,
    depth: number,
  ): TrieNodeShape | null => {
    let children: (Child | null)[] | undefined;
    let start = low;
    while (start < high) {
      const nibble = changes[start]!.path[depth]!;
      let end = start + 1;
      while (end < high && changes[end]!.path[depth] === nibble) end++;
      const before = branch.children[nibble] ?? null;
      const after = update(before, start, end, depth + 1);
      if (after !== before) {
        children ??= [...branch.children];
        children[nibble] = after;
      }
      start = end;
    }
    if (children === undefined) return branch;
    let only = -1;
    let count = 0;
    for (let i = 0; i < 16; i++) {
      if (children[i]) {
        count++;
        only = i;
      }
    }
    if (count === 0) return null;
    if (count > 1) return { kind: "branch", children };
    // One child left: the branch folds into it, the nibble joining the child's path.
    return joinPath(Uint8Array.of(only), children[only]!, below(changes[low]!.path.subarray(0, depth), only));
  };

  /** `path` followed by `child` (at `childPosition`): a longer leaf or extension, or an extension to a branch. */
  const joinPath = (path: Uint8Array, child: Child, childPosition: Uint8Array): TrieNodeShape => {
    const shape = load(child, childPosition);
    if (shape.kind === "branch") return { kind: "extension", path, child };
    // The child moves up into its parent's position; its own is left empty.
    if ("hash" in child) vacated.set(positionKey(childPosition), childPosition);
    const joined = below(path, shape.path);
    return shape.kind === "leaf"
      ? { kind: "leaf", path: joined, value: shape.value }
      : { kind: "extension", path: joined, child: shape.child };
  };

  const rootPosition = new Uint8Array(0);
  const next = update(root === undefined ? null : { hash: root }, 0, changes.length, 0);
  let newRoot: Uint8Array | undefined;
  if (next === null) newRoot = undefined;
  else if ("hash" in next) newRoot = next.hash;
  else {
    const shape = "node" in next ? next.node : decodeNode(next.inline);
    newRoot = (seal(shape, rootPosition, true) as { hash: Uint8Array }).hash;
  }
  for (const [key, position] of vacated) if (!written.has(key)) nodes.remove(position);
  for (const node of written.values()) nodes.write(node.position, node.hash, node.encoded);
  return newRoot;
}
