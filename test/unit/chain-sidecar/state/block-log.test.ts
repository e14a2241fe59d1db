import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { open } from "lmdb";
import { blockLogFile } from "../../../../chain-sidecar/state/block-log.js";
import { CommittedStore } from "../../../../chain-sidecar/state/committed-store.js";
import type { StateChange } from "../../../../chain-sidecar/state/state-access.js";
import { stateDatabaseFile } from "../../../../chain-sidecar/state/state-database.js";
import { openingError } from "./fixtures/damaged-store.js";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const byKey = (a: StateChange, b: StateChange): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

async function commitBlock(
  store: CommittedStore,
  changes: StateChange[],
  metadata: [string, Uint8Array][] = [],
) {
  const sorted = [...new Map(changes)].sort(byKey);
  const root = await store.trie.apply(sorted);
  await store.commit(sorted, store.height + 1, root, metadata);
  return root;
}

/** The data file as a crash would leave it now: every returned commit is synced, so a copy is what a reboot finds. */
function crashImage(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), "uranus-crash-image-"));
  mkdirSync(copy, { recursive: true });
  copyFileSync(stateDatabaseFile(dir), stateDatabaseFile(copy));
  copyFileSync(blockLogFile(dir), blockLogFile(copy));
  return copy;
}

/** Entries of a sorted model in [from, to) under `prefix`, at most `limit`. */
function modelRange(model: Map<string, string>, prefix: string, from: string, to: string, limit?: number) {
  const keys = [...model.keys()].filter((k) => k.startsWith(prefix) && k >= from && k < to).sort();
  return keys.slice(0, limit ?? keys.length).map((k) => [k, model.get(k)]);
}

describe("chain-sidecar state: blocks logged between writes of the tables", function () {
  this.timeout(120_000);
  let dir: string;
  const extraDirs: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "uranus-block-log-"));
  });

  afterEach(() => {
    for (const d of [dir, ...extraDirs.splice(0)]) rmSync(d, { recursive: true, force: true });
  });

  it("reads logged blocks over the tables alike for point reads, bounded scans and key counts", async () => {
    const key = fc.integer({ min: 0, max: 30 }).map((i) => `k/${String(i).padStart(2, "0")}`);
    const block = fc.array(fc.tuple(key, fc.option(fc.nat(9), { nil: null })), { maxLength: 12 });
    const scan = fc.record({ from: key, span: fc.nat(12), limit: fc.option(fc.nat(8), { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(fc.array(block, { minLength: 1, maxLength: 9 }), scan, async (blocks, range) => {
        const propertyDir = mkdtempSync(join(tmpdir(), "uranus-block-log-prop-"));
        const store = await CommittedStore.open(propertyDir, { writeEveryBlocks: 4 });
        try {
          const model = new Map<string, string>();
          for (const changes of blocks) {
            await commitBlock(
              store,
              changes.map(([k, v]) => [k, v === null ? null : encoder.encode(`${k}@${v}`)]),
            );
            for (const [k, v] of changes) {
              if (v === null) model.delete(k);
              else model.set(k, `${k}@${v}`);
            }
            const to = `k/${String(Number(range.from.slice(2)) + range.span).padStart(2, "0")}`;
            const scanned = store.entries("k/", { from: range.from, to, limit: range.limit });
            expect(scanned.map(([k, v]) => [k, text(v)])).to.deep.equal(
              modelRange(model, "k/", range.from, to, range.limit),
            );
            expect(store.keyCount).to.equal(model.size);
            for (const [k] of changes) expect(text(store.get(k))).to.equal(model.get(k));
          }
        } finally {
          await store.close();
          rmSync(propertyDir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });

  it("reopens a crash image at its last commit, applying the blocks logged after the tables' last write", async () => {
    const store = await CommittedStore.open(dir, { writeEveryBlocks: 4 });
    const roots: Uint8Array[] = [];
    for (let height = 1; height <= 6; height++) {
      roots.push(
        await commitBlock(
          store,
          [
            [`pods/${height}`, encoder.encode(`pod ${height}`)],
            ["pods/1", height === 6 ? null : encoder.encode(`pod 1 at ${height}`)],
          ],
          [["lastBlockTime", encoder.encode(String(1000 * height))]],
        ),
      );
    }
    // The write of the tables that began at height 4 is on the device.
    await store.flushed();
    const image = crashImage(dir);
    extraDirs.push(image);
    // What the tables alone hold: the write at height 4.
    const tables = open({ path: stateDatabaseFile(image), maxDbs: 4, readOnly: true });
    const meta = tables.openDB<Uint8Array, string>({ name: "meta", encoding: "binary" });
    expect(text(meta.get("height"))).to.equal("4");
    await tables.close();

    const reopened = await CommittedStore.open(image, { writeEveryBlocks: 4 });
    expect(reopened.height).to.equal(6);
    expect(hex(reopened.appHash)).to.equal(hex(roots[5]!));
    expect(hex(reopened.trie.root())).to.equal(hex(roots[5]!));
    expect(reopened.get("pods/1")).to.equal(undefined);
    expect(text(reopened.get("pods/6"))).to.equal("pod 6");
    expect(text(reopened.metadata("lastBlockTime"))).to.equal("6000");
    expect(reopened.entries("pods/").map(([k]) => k)).to.deep.equal(store.entries("pods/").map(([k]) => k));
    // The next block goes on from there as it would have on the original.
    const next = await commitBlock(reopened, [["pods/7", encoder.encode("pod 7")]]);
    const original = await commitBlock(store, [["pods/7", encoder.encode("pod 7")]]);
    expect(hex(next)).to.equal(hex(original));
    await reopened.close();
    await store.close();
  });

  it("returns from a block larger than maxUnwrittenBytes only once the tables hold it, so no reopen replays it", async () => {
    const store = await CommittedStore.open(dir, { writeEveryBlocks: 16, maxUnwrittenBytes: 64 * 1024 });
    await commitBlock(store, [["small", encoder.encode("one block below the limit")]]);
    const big: StateChange[] = Array.from({ length: 100 }, (_, i) => [
      `big/${i}`,
      new Uint8Array(1024).fill(i),
    ]);
    const root = await commitBlock(store, big);
    // A crash the moment the commit returns: the tables already hold both blocks, and the log has nothing left.
    const image = crashImage(dir);
    extraDirs.push(image);
    const tables = open({ path: stateDatabaseFile(image), maxDbs: 4, readOnly: true });
    expect(
      text(tables.openDB<Uint8Array, string>({ name: "meta", encoding: "binary" }).get("height")),
    ).to.equal("2");
    await tables.close();
    const log = open({ path: blockLogFile(image), maxDbs: 1, readOnly: true });
    expect(log.openDB({ name: "blocks", keyEncoding: "uint32" }).getKeysCount()).to.equal(0);
    await log.close();
    const reopened = await CommittedStore.open(image);
    expect(hex(reopened.appHash)).to.equal(hex(root));
    expect(reopened.keyCount).to.equal(101);
    await reopened.close();
    await store.close();
  });

  it("skips logged blocks the tables already hold (a crash between the tables' write and the log's trimming)", async () => {
    const store = await CommittedStore.open(dir, { writeEveryBlocks: 4 });
    for (let height = 1; height <= 3; height++)
      await commitBlock(store, [[`k/${height}`, encoder.encode("v")]]);
    const image = mkdtempSync(join(tmpdir(), "uranus-crash-image-"));
    extraDirs.push(image);
    // The log as it was before the write at height 4 trimmed it, the tables as they are after it.
    copyFileSync(blockLogFile(dir), blockLogFile(image));
    const fourth = await commitBlock(store, [[`k/4`, encoder.encode("v")]]);
    await store.flushed();
    copyFileSync(stateDatabaseFile(dir), stateDatabaseFile(image));
    await store.close();
    const reopened = await CommittedStore.open(image, { writeEveryBlocks: 4 });
    expect([reopened.height, hex(reopened.appHash)]).to.deep.equal([4, hex(fourth)]);
    expect(reopened.entries("k/").map(([k]) => k)).to.deep.equal(["k/1", "k/2", "k/3", "k/4"]);
    await reopened.close();
  });

  it("refuses to open when a logged block no longer hashes to the app hash it was logged with", async () => {
    const store = await CommittedStore.open(dir, { writeEveryBlocks: 8 });
    for (let height = 1; height <= 3; height++)
      await commitBlock(store, [[`k/${height}`, encoder.encode("v")]]);
    const image = crashImage(dir);
    extraDirs.push(image);
    await store.close();
    const root = open({ path: blockLogFile(image), maxDbs: 1 });
    const log = root.openDB<[Uint8Array, StateChange[], [string, Uint8Array][]], number>({
      name: "blocks",
      encoding: "msgpack",
      keyEncoding: "uint32",
    });
    const [appHash, , metadata] = log.get(2)!;
    log.putSync(2, [appHash, [["k/2", encoder.encode("forged")]], metadata]);
    await root.close();
    expect(await openingError(image)).to.match(/logged block 2 hashes to .* the data directory is damaged/);
  });

  it("streams a commit's entries with its logged blocks laid over the tables, unchanged by later commits", async () => {
    const store = await CommittedStore.open(dir, { writeEveryBlocks: 100 });
    await commitBlock(store, [["a", encoder.encode("1")]]);
    await commitBlock(store, [
      ["a", null],
      ["b", encoder.encode("2")],
    ]);
    const stream = store.committedEntries();
    await commitBlock(store, [["c", encoder.encode("3")]]);
    expect([...stream].map(([k, v]) => [k, text(v)])).to.deep.equal([["b", "2"]]);
    await store.close();
  });
});
