import { expect } from "chai";
import {
  committedStateInstaller,
  type InstallerOptions,
} from "../../../../chain-sidecar/snapshots/state-install.js";
import { CommittedStore } from "../../../../chain-sidecar/state/committed-store.js";
import { MerkleTrie } from "../../../../chain-sidecar/state/merkle-trie.js";
import type { StateEntry } from "../../../../chain-sidecar/state/state-access.js";
import { scratchDirectory } from "../../../support/scratch-directory.js";

const encoder = new TextEncoder();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("chain-sidecar snapshots: installing a restore into the store in batches", () => {
  const scratch = scratchDirectory("uranus-state-install-", "each test");
  const entries: StateEntry[] = Array.from({ length: 200 }, (_, i) => [
    `k/${String(i).padStart(4, "0")}`,
    encoder.encode(`value ${i}`),
  ]);
  const chunks = Array.from({ length: 10 }, (_, i) => entries.slice(i * 20, i * 20 + 20));

  /** An empty store, an installer into it with 400-byte batches (about two chunks), and the entries' app hash. */
  async function restoreTarget(options: Partial<InstallerOptions> = {}) {
    const appHash = await (await MerkleTrie.create()).apply(entries);
    const store = await CommittedStore.open(scratch.path);
    const installer = committedStateInstaller(store, {
      guard: (step) => step(),
      installed: () => undefined,
      batchBytes: 400,
      ...options,
    });
    return { appHash, store, installer };
  }

  it("writes batches of bounded size as chunks come, and commits them all when they hash to the app hash", async () => {
    let installs = 0;
    // About 250 bytes a chunk: a batch of two chunks goes to disk at a time.
    const { appHash, store, installer } = await restoreTarget({ installed: () => installs++ });
    const keysOnDisk: number[] = [];
    for (const chunk of chunks) {
      await installer.add(chunk);
      keysOnDisk.push(store.keyCount);
    }
    expect(keysOnDisk).to.deep.equal([0, 40, 40, 80, 80, 120, 120, 160, 160, 200]);
    expect(await installer.finish(9, appHash, 9000)).to.equal(true);
    expect(installs).to.equal(1);
    expect(store.height).to.equal(9);
    expect(hex(store.appHash)).to.equal(hex(appHash));
    await store.close();
  });

  it("drops what was written and what was still gathered when abandoned, then restores afresh", async () => {
    const { appHash, store, installer } = await restoreTarget();
    for (const chunk of chunks.slice(0, 3)) await installer.add(chunk);
    await installer.abandon();
    expect(store.keyCount).to.equal(0);
    for (const chunk of chunks) await installer.add(chunk);
    expect(await installer.finish(9, appHash, 9000)).to.equal(true);
    expect(store.keyCount).to.equal(200);
    await store.close();
  });

  it("commits the metadata made for the snapshot's block time with the restore, and keeps it on reopening", async () => {
    const target = await restoreTarget({
      commitMetadata: (blockTimeMs) => [["blockTime", encoder.encode(String(blockTimeMs))]],
    });
    const { appHash, installer } = target;
    let store = target.store;
    for (const chunk of chunks) await installer.add(chunk);
    expect(await installer.finish(9, appHash, 1_767_225_600_123)).to.equal(true);
    expect(new TextDecoder().decode(store.metadata("blockTime"))).to.equal("1767225600123");
    await store.close();
    store = await CommittedStore.open(scratch.path);
    expect([store.height, new TextDecoder().decode(store.metadata("blockTime"))]).to.deep.equal([
      9,
      "1767225600123",
    ]);
    await store.close();
  });
});
