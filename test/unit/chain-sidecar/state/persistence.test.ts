import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { openUranusApp } from "../../../../chain-sidecar/app/uranus-app.js";
import { CommittedStore } from "../../../../chain-sidecar/state/committed-store.js";
import { StateOverlay } from "../../../../chain-sidecar/state/state-overlay.js";
import { editStoreTable, openingError } from "./fixtures/damaged-store.js";

const crashWriter = new URL("./fixtures/crash-writer.ts", import.meta.url).pathname;

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
    const store = await CommittedStore.open(dir);
    const layer = new StateOverlay(store);
    layer.set("a", new Uint8Array([1]));
    const changes = layer.sortedChanges();
    await store.commit(changes, 1, await store.trie.apply(changes));
    await store.close();
    await editStoreTable(dir, "meta", (meta) => meta.putSync("appHash", Buffer.alloc(32)));
    expect(await openingError(dir)).to.match(/hashes to .* the data directory is damaged/);
  });

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
});
