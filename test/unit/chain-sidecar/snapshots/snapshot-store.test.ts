import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { StateEntry } from "../../../../chain-sidecar/state/state-access.js";
import { checkDescriptor, decodeChunk } from "../../../../chain-sidecar/snapshots/snapshot-format.js";
import { sha256 } from "../../../../chain-sidecar/state/sha256.js";
import { SnapshotStore } from "../../../../chain-sidecar/snapshots/snapshot-store.js";
import { scratchDirectory } from "../../../support/scratch-directory.js";

const encoder = new TextEncoder();
const entriesAt = (height: number): StateEntry[] =>
  Array.from({ length: 50 }, (_, i) => [
    `k/${String(i).padStart(3, "0")}`,
    encoder.encode(`h${height}-${i}`),
  ]);
const appHashAt = (height: number): Uint8Array => sha256(encoder.encode(`app hash ${height}`));

describe("chain-sidecar snapshots: on disk", () => {
  const scratch = scratchDirectory("uranus-snapshots-", "each test");

  it("writes chunks whose hashes the descriptor names, serves them, and keeps only the newest", async () => {
    const dir = join(scratch.path, "snapshots");
    const store = await SnapshotStore.open(dir, 2);
    for (const height of [10, 20, 30])
      await store.write(height, appHashAt(height), entriesAt(height), 256, height * 1000);
    expect(store.list().map((s) => s.height)).to.deep.equal([30n, 20n]);
    expect(readdirSync(dir).sort()).to.deep.equal(["20", "30"]);
    const newest = store.list()[0]!;
    const metadata = checkDescriptor(newest);
    expect(Buffer.from(metadata.appHash)).to.deep.equal(Buffer.from(appHashAt(30)));
    expect(metadata.blockTimeMs).to.equal(30_000);
    const restored: StateEntry[] = [];
    for (let index = 0; index < newest.chunks; index++) {
      const chunk = (await store.loadChunk(30n, newest.format, index))!;
      expect(Buffer.from(sha256(chunk))).to.deep.equal(Buffer.from(metadata.chunkHashes[index]!));
      restored.push(...decodeChunk(chunk));
    }
    expect(restored).to.deep.equal(entriesAt(30));
    expect(await store.loadChunk(10n, newest.format, 0)).to.equal(undefined);
    expect(await store.loadChunk(30n, newest.format, newest.chunks)).to.equal(undefined);
    expect(await store.loadChunk(30n, newest.format + 1, 0)).to.equal(undefined);
  });

  it("lists what it wrote after a reopen, and drops what an interrupted write left", async () => {
    const dir = join(scratch.path, "snapshots");
    const first = await SnapshotStore.open(dir, 2);
    const written = await first.write(5, appHashAt(5), entriesAt(5), 300);
    mkdirSync(join(dir, ".writing-10"));
    writeFileSync(join(dir, ".writing-10", "0"), "partial");
    mkdirSync(join(dir, "15"));
    const reopened = await SnapshotStore.open(dir, 2);
    expect(reopened.list()).to.deep.equal([written]);
    expect(readdirSync(dir)).to.deep.equal(["5"]);
  });
});
