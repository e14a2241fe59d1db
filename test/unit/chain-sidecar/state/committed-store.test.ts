import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RLP } from "@ethereumjs/rlp";
import { expect } from "chai";
import fc from "fast-check";
import { open } from "lmdb";
import { CommittedStore } from "../../../../chain-sidecar/state/committed-store.js";
import { MerkleTrie, verifyTrieProof } from "../../../../chain-sidecar/state/merkle-trie.js";
import { sha256 } from "../../../../chain-sidecar/state/sha256.js";
import type { StateChange, StateEntry } from "../../../../chain-sidecar/state/state-access.js";
import { stateDatabaseFile } from "../../../../chain-sidecar/state/state-database.js";
import { editStoreTable, openingError } from "./fixtures/damaged-store.js";

const encoder = new TextEncoder();
const EMPTY_TRIE_ROOT = "76be8b528d0075f7aae98d6fa57a6d3c83ae480a8469e668d7b0af968995ac71";
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

/** Applies `changes` to the trie and commits them as the next block, as the app does. */
async function commitBlock(store: CommittedStore, changes: StateChange[]): Promise<Uint8Array> {
  const sorted = [...changes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const root = await store.trie.apply(sorted);
  await store.commit(sorted, store.height + 1, root);
  return root;
}

/** Every trie node stored in the data directory by its hash, read straight from the LMDB file (keyed there by position). */
async function storedNodes(dir: string): Promise<Map<string, Uint8Array>> {
  const db = open({ path: stateDatabaseFile(dir), maxDbs: 4, readOnly: true });
  const table = db.openDB<Uint8Array, Uint8Array>({
    name: "trie",
    encoding: "binary",
    keyEncoding: "binary",
  });
  const nodes = new Map<string, Uint8Array>();
  for (const { value } of table.getRange({})) nodes.set(hex(sha256(value)), new Uint8Array(value));
  await db.close();
  return nodes;
}

/** The hashes of the nodes reachable from `root`, following 32-byte child references (shorter nodes are inline). */
function reachableNodes(root: Uint8Array, nodes: Map<string, Uint8Array>): Set<string> {
  const reached = new Set<string>();
  const visit = (reference: unknown): void => {
    if (!(reference instanceof Uint8Array)) {
      if (Array.isArray(reference)) visitDecoded(reference as unknown[]);
      return;
    }
    if (reference.length !== 32) return;
    const key = hex(reference);
    const encoded = nodes.get(key);
    if (encoded === undefined) throw new Error(`node ${key} is referenced but not stored`);
    reached.add(key);
    visitDecoded(RLP.decode(encoded) as unknown[]);
  };
  const visitDecoded = (node: unknown[]): void => {
    if (node.length === 17) {
      for (const child of node.slice(0, 16)) visit(child);
      return;
    }
    const path = node[0] as Uint8Array;
    const isLeaf = path.length > 0 && path[0]! >> 4 >= 2;
    if (!isLeaf) visit(node[1]);
  };
  // The empty trie's root (the hash of RLP's empty string) has no node.
  if (hex(root) !== EMPTY_TRIE_ROOT) visit(root);
  return reached;
}

describe("chain-sidecar state: committed store on disk", function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "uranus-store-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers point reads and ordered, bounded range scans synchronously from disk", async () => {
    const store = await CommittedStore.open(dir, { valueCacheBytes: 4096 });
    const keys = Array.from({ length: 300 }, (_, i) => `pods/${String(i).padStart(4, "0")}`);
    await commitBlock(store, [
      ...keys.map((k) => [k, encoder.encode(`v:${k}`)] as StateChange),
      ["zeta", encoder.encode("z")],
    ]);
    expect(text(store.get("pods/0042"))).to.equal("v:pods/0042");
    expect(store.get("pods/9999")).to.equal(undefined);
    const tens = store.entries("pods/001");
    expect(tens.map(([k]) => k)).to.deep.equal(keys.slice(10, 20));
    expect(store.entries("pods/", { from: "pods/0295", to: "pods/0298" }).map(([k]) => k)).to.deep.equal([
      "pods/0295",
      "pods/0296",
      "pods/0297",
    ]);
    expect(store.entries("").map(([k]) => k)).to.deep.equal([...keys, "zeta"]);
    expect(store.entries("pods/", { from: "pods/0295", limit: 2 }).map(([k]) => k)).to.deep.equal([
      "pods/0295",
      "pods/0296",
    ]);
    expect(store.keyCount).to.equal(301);
    await commitBlock(store, [
      ["pods/0042", null],
      ["pods/0043", encoder.encode("changed")],
    ]);
    // Cached values follow commits: a deleted key is gone, a changed one reads its new value.
    expect(store.get("pods/0042")).to.equal(undefined);
    expect(text(store.get("pods/0043"))).to.equal("changed");
    expect(store.entries("pods/004").map(([k]) => k)).to.not.include("pods/0042");
    expect(store.keyCount).to.equal(300);
    await store.close();
  });

  it("matches an in-memory model and a freshly built trie over any sequence of blocks, across reopenings", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.option(fc.nat(5), { nil: null })), {
            maxLength: 25,
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        async (blocks, reopenAt, writeEveryBlocks) => {
          const propertyDir = mkdtempSync(join(tmpdir(), "uranus-store-prop-"));
          try {
            const model = new Map<string, string>();
            let store = await CommittedStore.open(propertyDir, { writeEveryBlocks });
            for (const [index, block] of blocks.entries()) {
              const changes = new Map<string, Uint8Array | null>();
              for (const [keyIndex, version] of block) {
                const key = `k/${String(keyIndex).padStart(2, "0")}`;
                changes.set(key, version === null ? null : encoder.encode(`${key}@${version}`));
                if (version === null) model.delete(key);
                else model.set(key, `${key}@${version}`);
              }
              await commitBlock(store, [...changes]);
              if (index === reopenAt % blocks.length) {
                await store.close();
                store = await CommittedStore.open(propertyDir, { writeEveryBlocks });
              }
            }
            const expected = [...model].sort(([a], [b]) => (a < b ? -1 : 1));
            expect(store.entries("").map(([k, v]) => [k, text(v)])).to.deep.equal(expected);
            const fresh = await MerkleTrie.create();
            await fresh.apply(expected.map(([k, v]) => [k, encoder.encode(v)]));
            expect(hex(store.trie.root())).to.equal(hex(fresh.root()));
            expect(hex(store.appHash)).to.equal(hex(fresh.root()));
            await store.close();
            // Every node on disk is reachable from the committed root: replaced versions were pruned.
            const nodes = await storedNodes(propertyDir);
            expect(reachableNodes(fresh.root(), nodes).size).to.equal(nodes.size);
          } finally {
            rmSync(propertyDir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("reopens at the stored trie root and keeps proving and updating from the stored nodes", async () => {
    const store = await CommittedStore.open(dir);
    const keys = Array.from({ length: 2000 }, (_, i) => `accounts/${String(i).padStart(5, "0")}`);
    const root = await commitBlock(
      store,
      keys.map((k) => [k, encoder.encode(`balance:${k}`)]),
    );
    const nodeCount = store.trie.nodeCount();
    await store.close();

    const reopened = await CommittedStore.open(dir);
    expect(hex(reopened.trie.root())).to.equal(hex(root));
    expect(reopened.trie.nodeCount()).to.equal(nodeCount);
    const proof = reopened.trie.proveCommitted("accounts/01234");
    expect(text((await verifyTrieProof(root, "accounts/01234", proof)) ?? undefined)).to.equal(
      "balance:accounts/01234",
    );
    const next = await commitBlock(reopened, [["accounts/00007", encoder.encode("spent")]]);
    const fresh = await MerkleTrie.create();
    await fresh.apply(
      keys.map((k) => [k, encoder.encode(k === "accounts/00007" ? "spent" : `balance:${k}`)]),
    );
    expect(hex(next)).to.equal(hex(fresh.root()));
    await reopened.close();
  });

  it("keeps the nodes on disk proportional to live keys however often they change, and empty once they are gone", async () => {
    const store = await CommittedStore.open(dir);
    const keys = Array.from({ length: 500 }, (_, i) => `leases/${String(i).padStart(4, "0")}`);
    await commitBlock(
      store,
      keys.map((k) => [k, encoder.encode("0")]),
    );
    const afterFill = store.trie.nodeCount();
    for (let round = 1; round <= 10; round++) {
      await commitBlock(
        store,
        keys.filter((_, i) => i % 3 === round % 3).map((k) => [k, encoder.encode(`${round}`)]),
      );
    }
    expect(store.trie.nodeCount()).to.be.within(afterFill - 5, afterFill + 5);
    await commitBlock(
      store,
      keys.map((k) => [k, null]),
    );
    expect(store.trie.nodeCount()).to.equal(0);
    expect(hex(store.appHash)).to.equal(hex((await MerkleTrie.create()).root()));
    await store.close();
    expect((await storedNodes(dir)).size).to.equal(0);
  });

  it("leaves the previous commit in place when a block is applied but never committed", async () => {
    const store = await CommittedStore.open(dir);
    const first = await commitBlock(store, [["a", encoder.encode("1")]]);
    await store.trie.apply([
      ["a", encoder.encode("2")],
      ["b", encoder.encode("3")],
    ]);
    await store.close();

    const reopened = await CommittedStore.open(dir);
    expect(reopened.height).to.equal(1);
    expect(hex(reopened.trie.root())).to.equal(hex(first));
    expect(text(reopened.get("a"))).to.equal("1");
    expect(reopened.get("b")).to.equal(undefined);
    await reopened.close();
  });

  it("refuses a block with a key LMDB cannot hold before writing any of it, and can take the block again", async () => {
    const store = await CommittedStore.open(dir);
    const first = await commitBlock(store, [["a", encoder.encode("1")]]);
    const changes: StateChange[] = [
      ["a", encoder.encode("2")],
      ["b", encoder.encode("3")],
      // LMDB refuses keys over 1978 bytes: the store refuses the block before it writes any of it.
      [`c/${"x".repeat(3000)}`, encoder.encode("4")],
    ];
    const root = await store.trie.apply(changes);
    let failure: unknown;
    try {
      await store.commit(changes, 2, root);
    } catch (error) {
      failure = error;
    }
    expect((failure as Error).message).to.match(/key size/i);
    expect(store.height).to.equal(1);
    expect(text(store.get("a"))).to.equal("1");
    expect(store.get("b")).to.equal(undefined);
    store.trie.revert();
    expect(hex(store.trie.root())).to.equal(hex(first));
    const retried = await commitBlock(store, changes.slice(0, 2));
    await store.close();

    const reopened = await CommittedStore.open(dir);
    expect(reopened.height).to.equal(2);
    expect(hex(reopened.appHash)).to.equal(hex(retried));
    expect(text(reopened.get("b"))).to.equal("3");
    await reopened.close();
    const nodes = await storedNodes(dir);
    expect(reachableNodes(retried, nodes).size).to.equal(nodes.size);
  });

  it("stores metadata with a commit, outside the app hash, and keeps its own names", async () => {
    const store = await CommittedStore.open(dir);
    const root = await store.trie.apply([["a", encoder.encode("1")]]);
    await store.commit([["a", encoder.encode("1")]], 1, root, [
      ["lastBlockTime", encoder.encode("1700000000000")],
    ]);
    expect(text(store.metadata("lastBlockTime"))).to.equal("1700000000000");
    let refused: unknown;
    try {
      await store.commit([], 2, root, [["height", encoder.encode("9")]]);
    } catch (error) {
      refused = error;
    }
    expect((refused as Error).message).to.match(/written by the store itself/);
    await store.close();
    const reopened = await CommittedStore.open(dir);
    expect(text(reopened.metadata("lastBlockTime"))).to.equal("1700000000000");
    expect(reopened.height).to.equal(1);
    await reopened.close();
  });

  it("streams the entries of one commit, unchanged by later commits, and can stop early", async () => {
    const store = await CommittedStore.open(dir);
    const keys = Array.from({ length: 500 }, (_, i) => `k/${String(i).padStart(4, "0")}`);
    await commitBlock(
      store,
      keys.map((k) => [k, encoder.encode("first")]),
    );
    const stream = store.committedEntries();
    const iterator = stream[Symbol.iterator]();
    const read: StateEntry[] = [];
    for (let i = 0; i < 10; i++) read.push(iterator.next().value as StateEntry);
    await commitBlock(store, [
      ...keys.map((k): StateChange => [k, encoder.encode("second")]),
      ["k/0005", null],
      ["k/9999", encoder.encode("new")],
    ]);
    for (let next = iterator.next(); !next.done; next = iterator.next()) read.push(next.value);
    expect(read.map(([k]) => k)).to.deep.equal(keys);
    expect(new Set(read.map(([, v]) => text(v)))).to.deep.equal(new Set(["first"]));
    const early = store.committedEntries();
    early.close();
    expect([...early]).to.deep.equal([]);
    expect(text(store.get("k/0010"))).to.equal("second");
    await store.close();
  });

  describe("restoring a snapshot chunk by chunk", () => {
    const entries: StateEntry[] = Array.from({ length: 900 }, (_, i) => [
      `k/${String(i).padStart(4, "0")}`,
      encoder.encode(`value ${i}`),
    ]);
    const chunks = [entries.slice(0, 300), entries.slice(300, 600), entries.slice(600)];

    it("commits the restored state at the snapshot's height when it hashes to the app hash", async () => {
      const appHash = await (await MerkleTrie.create()).apply(entries);
      const store = await CommittedStore.open(dir);
      for (const chunk of chunks) await store.addRestoredEntries(chunk);
      expect(store.finishRestore(40, appHash)).to.equal(true);
      await store.close();
      const reopened = await CommittedStore.open(dir);
      expect(reopened.height).to.equal(40);
      expect(hex(reopened.appHash)).to.equal(hex(appHash));
      expect(reopened.keyCount).to.equal(900);
      expect(text(reopened.get("k/0450"))).to.equal("value 450");
      await reopened.close();
    });

    it("drops everything restored when it does not hash to the app hash, and can restore again", async () => {
      const appHash = await (await MerkleTrie.create()).apply(entries);
      const store = await CommittedStore.open(dir);
      for (const chunk of chunks.slice(0, 2)) await store.addRestoredEntries(chunk);
      await store.addRestoredEntries([["k/0700", encoder.encode("forged")]]);
      expect(store.finishRestore(40, appHash)).to.equal(false);
      expect(store.keyCount).to.equal(0);
      expect(store.trie.nodeCount()).to.equal(0);
      expect(hex(store.trie.root())).to.equal(EMPTY_TRIE_ROOT);
      for (const chunk of chunks) await store.addRestoredEntries(chunk);
      expect(store.finishRestore(40, appHash)).to.equal(true);
      await store.close();
    });

    it("opens empty after a restore that stopped part-way", async () => {
      const store = await CommittedStore.open(dir);
      await store.addRestoredEntries(chunks[0]!);
      await store.close();
      const reopened = await CommittedStore.open(dir);
      expect(reopened.height).to.equal(0);
      expect(reopened.keyCount).to.equal(0);
      expect(reopened.trie.nodeCount()).to.equal(0);
      expect(hex(reopened.trie.root())).to.equal(EMPTY_TRIE_ROOT);
      await reopened.close();
    });
  });

  it("refuses to open when the stored trie root's node is missing", async () => {
    const store = await CommittedStore.open(dir);
    const root = await commitBlock(store, [
      ["a", encoder.encode("x".repeat(40))],
      ["b", encoder.encode("y")],
    ]);
    await store.close();
    // The root sits at the empty position: table key 0x00.
    await editStoreTable(dir, "trie", (trie) => trie.removeSync(Buffer.of(0)));
    expect(await openingError(dir)).to.match(
      new RegExp(`trie's root ${hex(root)} cannot be read: the data directory is damaged`),
    );
  });

  it("names a trie node whose bytes on disk do not hash to what its parent references", async () => {
    const store = await CommittedStore.open(dir);
    const root = await commitBlock(store, [
      ["a", encoder.encode("x".repeat(40))],
      ["b", encoder.encode("y".repeat(40))],
    ]);
    await store.close();
    await editStoreTable(dir, "trie", (trie) => trie.putSync(Buffer.of(0), Buffer.of(0xc0)));
    expect(await openingError(dir)).to.match(
      new RegExp(`does not hash to ${hex(root)}: the data directory is damaged`),
    );
  });
});
