import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { expect } from "chai";
import { blockLogFile } from "../../../../chain-sidecar/state/block-log.js";
import { CommittedStore } from "../../../../chain-sidecar/state/committed-store.js";
import type { StateChange } from "../../../../chain-sidecar/state/state-access.js";
import { compactStateFile } from "../../../../chain-sidecar/state/state-compaction.js";
import { stateDatabaseFile } from "../../../../chain-sidecar/state/state-database.js";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);
const key = (i: number): string => `records/${String(i).padStart(6, "0")}`;

async function commitBlock(store: CommittedStore, changes: StateChange[]): Promise<void> {
  const sorted = [...changes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  await store.commit(sorted, store.height + 1, await store.trie.apply(sorted));
}

/**
 * 20,000 records in blocks, then all but every tenth deleted (as pruning does), left in `dir` as a crash would leave
 * them: the last blocks only in the log.
 */
async function prunedState(dir: string): Promise<{ height: number; appHash: string }> {
  const source = mkdtempSync(join(tmpdir(), "uranus-compaction-source-"));
  const store = await CommittedStore.open(source, { writeEveryBlocks: 4 });
  try {
    for (let block = 0; block < 10; block++) {
      const changes: StateChange[] = [];
      for (let i = block * 2000; i < (block + 1) * 2000; i++) {
        changes.push([key(i), encoder.encode(`v${i}`.repeat(30))]);
      }
      await commitBlock(store, changes);
    }
    for (let block = 0; block < 9; block++) {
      const changes: StateChange[] = [];
      for (let i = 0; i < 20_000; i++) if (i % 10 !== 0 && i % 9 === block) changes.push([key(i), null]);
      await commitBlock(store, changes);
    }
    // The table write at height 16 is on the device; 17 to 19 are logged.
    await store.flushed();
    copyFileSync(stateDatabaseFile(source), stateDatabaseFile(dir));
    copyFileSync(blockLogFile(source), blockLogFile(dir));
    return { height: store.height, appHash: Buffer.from(store.appHash).toString("hex") };
  } finally {
    await store.close();
    rmSync(source, { recursive: true, force: true });
  }
}

describe("chain-sidecar state: compacting a stopped node's state file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "uranus-compaction-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("shrinks the file to its live pages and reopens at the same commit, logged blocks included", async function () {
    this.timeout(60_000);
    const { height, appHash } = await prunedState(dir);
    expect(height).to.equal(19);

    const result = await compactStateFile(dir);
    expect(result.afterBytes).to.be.below(result.beforeBytes / 2);
    expect(statSync(stateDatabaseFile(dir)).size).to.equal(result.afterBytes);
    expect(existsSync(`${stateDatabaseFile(dir)}.compacting`)).to.equal(false);

    const reopened = await CommittedStore.open(dir);
    try {
      expect(reopened.height).to.equal(height);
      expect(Buffer.from(reopened.appHash).toString("hex")).to.equal(appHash);
      expect(reopened.keyCount).to.equal(2000);
      expect(text(reopened.get(key(10)))).to.equal("v10".repeat(30));
      expect(reopened.get(key(11))).to.equal(undefined);
      // The trie's nodes came through: the next block's root builds on them.
      await commitBlock(reopened, [[key(11), encoder.encode("back")]]);
      expect(text(reopened.get(key(11)))).to.equal("back");
    } finally {
      await reopened.close();
    }
  });

  it("refuses while another process has the state open, naming it, and leaves the file as it was", async function () {
    this.timeout(30_000);
    const store = await CommittedStore.open(dir);
    await commitBlock(store, [[key(1), encoder.encode("one")]]);
    await store.close();
    const before = statSync(stateDatabaseFile(dir)).size;
    // A running node: another process with the file open and a reader slot.
    const lmdb = createRequire(import.meta.url).resolve("lmdb");
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { open } = await import(${JSON.stringify(lmdb)});
         const db = open({ path: ${JSON.stringify(stateDatabaseFile(dir))}, maxDbs: 4 });
         db.openDB({ name: "meta" }).get("height");
         console.log("open");
         setTimeout(() => undefined, 20000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await once(holder.stdout, "data");
      const refusal = await compactStateFile(dir).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(refusal?.message).to.match(
        new RegExp(`open in process ${holder.pid}: stop the node before compacting`),
      );
      expect(statSync(stateDatabaseFile(dir)).size).to.equal(before);
    } finally {
      holder.kill("SIGKILL");
      await once(holder, "exit");
    }
  });
});
