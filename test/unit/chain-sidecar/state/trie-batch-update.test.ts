import { expect } from "chai";
import fc from "fast-check";
import { createMPT, type MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { sha256 } from "../../../../chain-sidecar/state/sha256.js";
import {
  pathChanges,
  updateTrie,
  type PathChange,
  type TrieNodeAccess,
} from "../../../../chain-sidecar/state/trie-batch-update.js";
import { fromHexPrefix, keyPath, toNibbles } from "../../../../chain-sidecar/state/trie-paths.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

const positionKey = (position: Uint8Array): string => Buffer.from(position).toString("hex") + "/";

/** A node store by position that keeps each node's hash and refuses to remove what it does not hold. */
class RecordingNodes implements TrieNodeAccess {
  readonly nodes = new Map<string, { hash: Uint8Array; encoded: Uint8Array }>();
  read(position: Uint8Array): Uint8Array | undefined {
    return this.nodes.get(positionKey(position))?.encoded;
  }
  write(position: Uint8Array, hash: Uint8Array, encoded: Uint8Array): void {
    this.nodes.set(positionKey(position), { hash, encoded });
  }
  remove(position: Uint8Array): void {
    if (!this.nodes.delete(positionKey(position)))
      throw new Error(`removed ${positionKey(position)}, never stored`);
  }
  /** Stored nodes by hex hash. */
  byHash(): Map<string, Uint8Array> {
    return new Map([...this.nodes.values()].map(({ hash, encoded }) => [hex(hash), encoded]));
  }
}

/** mpt's stored nodes (it keeps them in a Map behind its database). */
function mptNodes(mpt: MerklePatriciaTrie): Map<string, Uint8Array> {
  return (mpt.database().db as unknown as { _database: Map<string, Uint8Array> })._database;
}

function expectSameNodes(ours: Map<string, Uint8Array>, theirs: Map<string, Uint8Array>): void {
  expect([...ours.keys()].sort()).to.deep.equal([...theirs.keys()].sort());
  for (const [key, node] of ours) expect(hex(node)).to.equal(hex(theirs.get(key)!));
}

/**
 * The positions of the stored nodes `root` reaches (children by 32-byte hash; smaller ones inline), each checked to
 * hold the node its parent's hash names.
 */
function reachable(root: Uint8Array | undefined, store: RecordingNodes): Set<string> {
  const found = new Set<string>();
  type Raw = Uint8Array | Raw[];
  const visit = (raw: Raw[], position: Uint8Array): void => {
    if (raw.length === 17) {
      raw.slice(0, 16).forEach((child, i) => visitChild(child, Buffer.concat([position, Uint8Array.of(i)])));
      return;
    }
    const { nibbles, leaf } = fromHexPrefix(raw[0] as Uint8Array);
    if (!leaf) visitChild(raw[1]!, Buffer.concat([position, nibbles]));
  };
  const visitChild = (child: Raw, position: Uint8Array): void => {
    if (!(child instanceof Uint8Array)) visit(child, position);
    else if (child.length === 32) visitStored(child, position);
  };
  const visitStored = (hash: Uint8Array, position: Uint8Array): void => {
    found.add(positionKey(position));
    const encoded = store.read(position);
    if (!encoded)
      throw new Error(`node ${hex(hash)} is reachable but not stored at ${positionKey(position)}`);
    expect(hex(sha256(encoded)), `node at ${positionKey(position)}`).to.equal(hex(hash));
    visit(RLP.decode(encoded) as Raw[], position);
  };
  if (root) visitStored(root, new Uint8Array(0));
  return found;
}

/** From a few bytes, so keys repeat (overwrites, real deletions) and share prefixes (extensions, folds). */
const smallKey = fc
  .tuple(fc.constantFrom(0x00, 0x01, 0x10, 0x11, 0xff), fc.constantFrom(0x00, 0x01, 0x0f, 0x10, 0x20, 0xf0))
  .map(([high, low]) => Uint8Array.of(high, low));
/** A deletion (null, or an empty value as mpt reads it) or a value that starts with its key: no two leaves are equal. */
const change = fc
  .tuple(
    smallKey,
    fc.oneof(
      { arbitrary: fc.constant(null), weight: 2 },
      { arbitrary: fc.constant(new Uint8Array(0)), weight: 1 },
      { arbitrary: fc.uint8Array({ maxLength: 8 }), weight: 2 },
      { arbitrary: fc.uint8Array({ minLength: 30, maxLength: 40 }), weight: 3 },
    ),
  )
  .map(([key, value]) => [key, value && value.length > 0 ? Buffer.concat([key, value]) : value] as const);

describe("chain-sidecar state: updating the trie in one pass per block", function () {
  this.timeout(120_000);

  it("from empty, gives the root and exactly the stored nodes of @ethereumjs/mpt inserting keys one by one on their keyPath paths", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.tuple(fc.stringMatching(/^[a-z/0-9]{1,12}$/), fc.uint8Array({ minLength: 1, maxLength: 70 })),
          { minLength: 1, maxLength: 80, selector: ([key]) => key },
        ),
        async (entries) => {
          const encoder = new TextEncoder();
          const mpt = await createMPT({
            useKeyHashingFunction: sha256,
            useNodePruning: true,
          });
          // mpt hashes nodes with its key-hashing function: it is given the paths ready-made.
          for (const [key, value] of entries) await mpt.put(keyPath(encoder.encode(key)), value);
          const ours = new RecordingNodes();
          const root = updateTrie(
            undefined,
            pathChanges(
              entries.map(([key, value]) => [encoder.encode(key), value]),
              keyPath,
            ),
            ours,
            sha256,
          );
          expect(hex(root!)).to.equal(hex(mpt.root()));
          expectSameNodes(ours.byHash(), mptNodes(mpt));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("after any sequence of batches (puts, overwrites, deletions, absent deletions, empty values), gives mpt's root and nodes, and stores exactly the nodes the root reaches", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(change, { minLength: 1, maxLength: 30 }), { minLength: 2, maxLength: 8 }),
        async (batches) => {
          // Keys unhashed here, so paths are short and nodes small enough to be inlined in their parents.
          const mpt = await createMPT({ useKeyHashingFunction: sha256, useNodePruning: true });
          const ours = new RecordingNodes();
          let root: Uint8Array | undefined;
          for (const batch of batches) {
            for (const [key, value] of batch) {
              if (value === null) await mpt.del(key);
              else await mpt.put(key, value);
            }
            const changes: PathChange[] = batch.map(([key, value]) => ({ path: toNibbles(key), value }));
            changes.sort((a, b) => Buffer.compare(a.path, b.path));
            const unique = changes.filter(
              (c, i) => i + 1 === changes.length || Buffer.compare(c.path, changes[i + 1]!.path) !== 0,
            );
            root = updateTrie(root, unique, ours, sha256);
            const expected = hex(mpt.root());
            expect(root === undefined ? hex(sha256(Uint8Array.of(0x80))) : hex(root)).to.equal(expected);
            // Exactly the nodes the new root reaches (no garbage, nothing missing), each as mpt stored it.
            expect(new Set(ours.nodes.keys())).to.deep.equal(reachable(root, ours));
            const theirs = mptNodes(mpt);
            for (const [key, node] of ours.byHash())
              expect(hex(theirs.get(key) ?? new Uint8Array()), key).to.equal(hex(node));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("leaves an empty trie empty for no changes, or only deletions, and stores nothing", () => {
    const nodes = new RecordingNodes();
    expect(updateTrie(undefined, [], nodes, sha256)).to.equal(undefined);
    const deletion = { path: toNibbles(sha256(encoderOf("absent"))), value: null };
    expect(updateTrie(undefined, [deletion], nodes, sha256)).to.equal(undefined);
    expect(nodes.nodes.size).to.equal(0);
  });

  it("keeps the last of several changes to one key", () => {
    const encoder = new TextEncoder();
    const key = encoder.encode("k");
    const changes = pathChanges(
      [
        [key, encoder.encode("first")],
        [key, encoder.encode("last")],
      ],
      sha256,
    );
    expect(changes).to.have.length(1);
    expect(new TextDecoder().decode(changes[0]!.value!)).to.equal("last");
  });

  it("names a node it cannot find", () => {
    const missing = sha256(encoderOf("gone"));
    expect(() =>
      updateTrie(
        missing,
        [{ path: toNibbles(missing), value: encoderOf("v") }],
        new RecordingNodes(),
        sha256,
      ),
    ).to.throw(new RegExp(`trie node ${hex(missing)} is missing`));
  });
});

function encoderOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
