import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { openUranusApp } from "../../../../chain-sidecar/app/uranus-app.js";
import { CommittedStore } from "../../../../chain-sidecar/state/committed-store.js";
import { StateOverlay } from "../../../../chain-sidecar/state/state-overlay.js";
import { editStoreTable, openingError } from "./fixtures/damaged-store.js";
import { fullDiskRecord, RECORDS_PER_BLOCK } from "./fixtures/full-disk-writer.js";

const crashWriter = new URL("./fixtures/crash-writer.ts", import.meta.url).pathname;
const fullDiskWriter = new URL("./fixtures/full-disk-writer.ts", import.meta.url).pathname;

/** Runs `script` on `dir` with files limited to 4 MB (SIGXFSZ ignored, so a write past it fails as on a full disk). */
function runWithFileLimit(
  script: string,
  dir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    "bash",
    ["-c", 'trap "" XFSZ; ulimit -f 4096; exec "$0" --import tsx "$1" "$2"', process.execPath, script, dir],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = setTimeout(() => child.kill("SIGKILL"), 90_000);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** A store in `dir` at height 1 holding one key, closed. */
async function commitOneKey(dir: string): Promise<void> {
  const store = await CommittedStore.open(dir);
  const layer = new StateOverlay(store);
  layer.set("a", new Uint8Array([1]));
  const changes = layer.sortedChanges();
  await store.commit(changes, 1, await store.trie.apply(changes));
  await store.close();
}

describe("chain-sidecar state: persistence", function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "uranus-state-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("reopens with the same keys, height and app hash", async () => {
    const store = await CommittedStore.open(dir);
    const layer = new StateOverlay(store);
    for (let i = 0; i < 200; i++)
      layer.set(`k/${String(i).padStart(3, "0")}`, new TextEncoder().encode(`v${i}`));
    layer.delete("k/007");
    const changes = layer.sortedChanges();
    const root = await store.trie.apply(changes);
    await store.commit(changes, 1, root);
    const entries = store.entries("");
    await store.close();

    const reopened = await CommittedStore.open(dir);
    expect(reopened.height).to.equal(1);
    expect(Buffer.from(reopened.appHash).toString("hex")).to.equal(Buffer.from(root).toString("hex"));
    expect(reopened.entries("")).to.deep.equal(entries);
    expect(reopened.get("k/007")).to.equal(undefined);
    expect(reopened.entries("k/01")).to.have.length(10);
    await reopened.close();
  });

  it("refuses to open a data directory whose trie root no longer matches the stored app hash", async () => {
    await commitOneKey(dir);
    await editStoreTable(dir, "meta", (meta) => meta.putSync("appHash", Buffer.alloc(32)));
    expect(await openingError(dir)).to.match(/hashes to .* the data directory is damaged/);
  });

  for (const [layout, earlier, named] of [
    ["the first, whose trie nodes are keyed by hash", undefined, "nodes keyed by hash"],
    ["whose keys lie on the earlier paths (sha256 of the key alone)", "position-v1", "position-v1"],
  ] as const) {
    it(`refuses a data directory of an earlier trie layout, ${layout}, naming it`, async () => {
      await commitOneKey(dir);
      await editStoreTable(dir, "meta", (meta) =>
        earlier === undefined
          ? meta.removeSync("trieLayout")
          : meta.putSync("trieLayout", Buffer.from(earlier)),
      );
      expect(await openingError(dir)).to.include(`a trie of an earlier layout (${named})`);
    });
  }

  // Forty blocks: the tables are written twice, and the blocks after the last write are in the block log.
  it("loses nothing committed when the process is killed with SIGKILL mid-stream", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", crashWriter, dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const reported: { height: number; appHash: string }[] = [];
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      let buffer = "";
      const deadline = setTimeout(
        () => reject(new Error(`no commits reported in time; stderr: ${stderr}`)),
        90_000,
      );
      child.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop()!;
        for (const line of lines) {
          const [height, appHash] = line.split(" ");
          reported.push({ height: Number(height), appHash: appHash! });
        }
        if (reported.length >= 40) {
          clearTimeout(deadline);
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.on("exit", (code) => {
        if (reported.length < 40) reject(new Error(`writer exited early (${code}): ${stderr}`));
      });
    });
    await new Promise((resolve) => child.once("close", resolve));
    const last = reported.at(-1)!;
    const app = await openUranusApp({ dataDir: dir });
    try {
      const info = await app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
      const height = Number(info.lastBlockHeight);
      expect(height).to.be.oneOf([last.height, last.height + 1]);
      if (height === last.height)
        expect(Buffer.from(info.lastBlockAppHash).toString("hex")).to.equal(last.appHash);
    } finally {
      await app.close();
    }
  });

  it("refuses further commits after a table write fails for want of space, and reopens with every committed block", async () => {
    const { code, stdout, stderr } = await runWithFileLimit(fullDiskWriter, dir);
    expect(code, stderr).to.equal(0);
    const lines = stdout.trim().split("\n");
    const refusal = lines.pop()!;
    const reported = lines.map((line) => {
      const [height, appHash] = line.split(" ");
      return { height: Number(height), appHash: appHash! };
    });
    // The limit stopped a write of the tables after some had succeeded: blocks past the tables are in the log only.
    expect(reported.length).to.be.above(4);
    const last = reported.at(-1)!;
    // The commit that found the failed write had logged its block: it says so, and the block is there on reopening.
    const [, refusedHeight, refusedRoot, message] = /^refused (\d+) ([0-9a-f]{64}) (.*)$/.exec(refusal) ?? [];
    const committed = last.height + 1;
    expect(Number(refusedHeight)).to.equal(committed);
    expect(message).to.match(
      new RegExp(
        `^block ${committed} is committed \\(to the block log\\), but no further block can be: ` +
          "a write of the store's tables failed \\(.+\\); every committed block is in the block log",
      ),
    );

    const store = await CommittedStore.open(dir, { writeEveryBlocks: 2 });
    try {
      expect(store.height).to.equal(committed);
      expect(Buffer.from(store.appHash).toString("hex")).to.equal(refusedRoot);
      expect(store.keyCount).to.equal(committed * RECORDS_PER_BLOCK);
      for (let height = 1; height <= committed; height++) {
        const [key, value] = fullDiskRecord(height, height % RECORDS_PER_BLOCK);
        expect(Buffer.from(store.get(key) ?? []).equals(value), key).to.equal(true);
      }
      // With room again, it commits on from there.
      const [key, value] = fullDiskRecord(committed + 1, 0);
      await store.commit([[key, value]], committed + 1, await store.trie.apply([[key, value]]));
      expect(store.height).to.equal(committed + 1);
    } finally {
      await store.close();
    }
  });
});
