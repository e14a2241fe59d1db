import { expect } from "chai";
import fc from "fast-check";
import { createMPT } from "@ethereumjs/mpt";
import { sha256 } from "../../../../chain-sidecar/state/merkle-trie.js";
import { buildTrie, type TrieNode } from "../../../../chain-sidecar/state/trie-bulk-build.js";

const encoder = new TextEncoder();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("chain-sidecar state: building an empty trie bottom-up", function () {
  this.timeout(60_000);

  it("gives the root and exactly the stored nodes of @ethereumjs/mpt inserting the same keys one by one", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.tuple(fc.stringMatching(/^[a-z/0-9]{1,12}$/), fc.uint8Array({ minLength: 1, maxLength: 70 })),
          {
            minLength: 1,
            maxLength: 80,
            selector: ([key]) => key,
          },
        ),
        async (entries) => {
          const mpt = await createMPT({
            useKeyHashing: true,
            useKeyHashingFunction: sha256,
            useNodePruning: true,
          });
          for (const [key, value] of entries) await mpt.put(encoder.encode(key), value);
          const built: TrieNode[] = [];
          const root = buildTrie(
            entries.map(([key, value]) => [encoder.encode(key), value]),
            sha256,
            (node) => built.push(node),
          );
          expect(hex(root)).to.equal(hex(mpt.root()));
          const stored = (mpt.database().db as unknown as { _database: Map<string, Uint8Array> })._database;
          expect(new Set(built.map((node) => hex(node.hash)))).to.deep.equal(new Set(stored.keys()));
          for (const node of built) expect(hex(node.encoded)).to.equal(hex(stored.get(hex(node.hash))!));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("refuses a key given twice and an empty set", () => {
    const a = encoder.encode("a");
    expect(() =>
      buildTrie(
        [
          [a, a],
          [a, a],
        ],
        sha256,
        () => undefined,
      ),
    ).to.throw(/duplicate key/);
    expect(() => buildTrie([], sha256, () => undefined)).to.throw(/no entries/);
  });
});
