import { expect } from "chai";
import fc from "fast-check";
import { MerkleTrie, verifyTrieProof } from "../../../../chain-sidecar/state/merkle-trie.js";
import type { StateChange } from "../../../../chain-sidecar/state/state-access.js";

const encoder = new TextEncoder();

describe("chain-sidecar state: Merkle trie", function () {
  this.timeout(60_000);

  it("keeps memory proportional to live keys however often they change", async () => {
    const trie = await MerkleTrie.create();
    const keys = Array.from({ length: 100 }, (_, i) => `bank/account/${String(i).padStart(4, "0")}`);
    await trie.apply(keys.map((k) => [k, encoder.encode("0")] as StateChange));
    const afterFill = trie.nodeCount();
    for (let round = 1; round <= 12; round++) {
      await trie.apply(keys.map((k) => [k, encoder.encode(String(round))] as StateChange));
    }
    expect(trie.nodeCount()).to.be.at.most(afterFill + 5);
  });

  it("counts the nodes a block's changes write, and their bytes, until they are committed", async () => {
    const trie = await MerkleTrie.create();
    // Values longer than a hash: no node is inlined in its parent, so each is written.
    const value = new Uint8Array(40).fill(7);
    const distinct = (proofs: Uint8Array[][]): Map<string, Uint8Array> =>
      new Map(proofs.flat().map((node) => [Buffer.from(node).toString("hex"), node]));

    await trie.apply([["a", value]]);
    const first = trie.pendingNodeWrites();
    trie.markCommitted();
    expect(trie.pendingNodeWrites()).to.deep.equal({ nodes: 0, bytes: 0 });
    const [leaf] = trie.proveCommitted("a");
    expect(first).to.deep.equal({ nodes: 1, bytes: leaf!.length });

    // A second key moves the first leaf below a new root: every node of the trie is written again.
    await trie.apply([["b", value]]);
    const second = trie.pendingNodeWrites();
    trie.markCommitted();
    const nodes = [...distinct([trie.proveCommitted("a"), trie.proveCommitted("b")]).values()];
    expect(nodes.length).to.be.at.least(3);
    expect(second).to.deep.equal({
      nodes: nodes.length,
      bytes: nodes.reduce((sum, node) => sum + node.length, 0),
    });
  });

  it("has one root per key set, whatever the order and history of changes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (keys, deletions) => {
          const direct = await MerkleTrie.create();
          const winding = await MerkleTrie.create();
          const removed = new Set(deletions.map((d) => keys[d % keys.length]!));
          const final = keys
            .filter((k) => !removed.has(k))
            .map((k) => [k, encoder.encode(`v:${k}`)] as StateChange);
          await direct.apply(final);
          await winding.apply([...keys].reverse().map((k) => [k, encoder.encode("draft")] as StateChange));
          await winding.apply(
            keys.map((k) => (removed.has(k) ? [k, null] : [k, encoder.encode(`v:${k}`)]) as StateChange),
          );
          expect(Buffer.from(winding.root()).toString("hex")).to.equal(
            Buffer.from(direct.root()).toString("hex"),
          );
          // Proofs are of the committed root: commit the in-memory trie first.
          winding.markCommitted();
          for (const k of keys.slice(0, 3)) {
            const proven = await verifyTrieProof(winding.root(), k, winding.proveCommitted(k));
            expect(proven === null ? null : new TextDecoder().decode(proven)).to.equal(
              removed.has(k) ? null : `v:${k}`,
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("reaches the same root over committed and reverted blocks as one trie built from the final keys", async () => {
    // Each block reads nodes the block before it wrote, from the node store's unwritten commits.
    const block = fc.record({
      changes: fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.option(fc.nat(5), { nil: null })), {
        maxLength: 25,
      }),
      revert: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(block, { minLength: 1, maxLength: 8 }), async (blocks) => {
        const trie = await MerkleTrie.create();
        const model = new Map<string, string>();
        for (const { changes, revert } of blocks) {
          const applied = changes.map(
            ([k, v]) => [`k/${k}`, v === null ? null : encoder.encode(`v${v}:${k}`)] as StateChange,
          );
          await trie.apply(applied);
          if (revert) {
            trie.revert();
            continue;
          }
          trie.markCommitted();
          for (const [k, v] of changes) {
            if (v === null) model.delete(`k/${k}`);
            else model.set(`k/${k}`, `v${v}:${k}`);
          }
        }
        const direct = await MerkleTrie.create();
        await direct.apply([...model].map(([k, v]) => [k, encoder.encode(v)] as StateChange));
        expect(Buffer.from(trie.root()).toString("hex")).to.equal(Buffer.from(direct.root()).toString("hex"));
      }),
      { numRuns: 60 },
    );
  });

  it("proves the committed state while a block's changes are applied but not yet committed", async () => {
    const trie = await MerkleTrie.create();
    const keys = Array.from({ length: 300 }, (_, i) => `metering/pod/${String(i).padStart(4, "0")}`);
    await trie.apply(keys.map((k) => [k, encoder.encode(`settled:${k}`)] as StateChange));
    trie.markCommitted();
    const committed = trie.root();
    // The next block deletes one key and changes another: the commit proves what it deletes before writing.
    await trie.apply([
      [keys[7]!, null],
      [keys[8]!, encoder.encode("changed")],
    ]);
    expect(Buffer.compare(trie.root(), committed)).to.not.equal(0);
    for (const k of [keys[7]!, keys[8]!, keys[9]!]) {
      const proven = await verifyTrieProof(committed, k, trie.proveCommitted(k));
      expect(proven === null ? null : new TextDecoder().decode(proven)).to.equal(`settled:${k}`);
    }
  });
});
