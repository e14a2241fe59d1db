import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { chromium, type BrowserContext } from "playwright-core";
import { ChainClient } from "../../../chain-sidecar/client/chain-client.js";
import { configureCometHome } from "../../../chain-sidecar/node/cometbft-config.js";
import { cometbftBinary } from "../../../chain-sidecar/node/cometbft-home.js";
import { freePorts } from "../../../hack/free-port.js";
import { startProcess, type ManagedProcess } from "../../../hack/managed-process.js";
import { run } from "../../../hack/run-command.js";
import { waitFor } from "../../../hack/wait-for.js";
import { testWallet } from "../../unit/chain-sidecar/app-harness.js";

const CLI = fileURLToPath(new URL("../../../cli/uranus.js", import.meta.url));
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe("explorer of `uranus chain start` in front of a real CometBFT node", function () {
  this.timeout(240_000);
  const operator = testWallet("explorer-comet-operator");
  const payer = testWallet("explorer-comet-payer");
  let home: string;
  let sidecar: ManagedProcess | undefined;
  let cometbft: ManagedProcess | undefined;
  let client: ChainClient | undefined;
  let context: BrowserContext | undefined;
  let profileDir: string | undefined;
  let explorerUrl = "";
  let rpcUrl = "";

  before(async function () {
    this.timeout(90_000);
    home = mkdtempSync(join(tmpdir(), "uranus-explorer-comet-"));
    const [rpcPort, p2pPort, explorerPort] = await freePorts(3);
    const init = await run(process.execPath, [
      CLI,
      "chain",
      "init",
      "--home",
      home,
      "--chain-id",
      "uranus-explorer-comet",
      "--moniker",
      "comet-validator",
      "--operator",
      operator.address,
      "--account",
      `${payer.address}=50000000`,
      "--rpc-port",
      String(rpcPort),
      "--p2p-port",
      String(p2pPort),
      "--block-time",
      "200",
    ]);
    expect(init.code, init.stderr).to.equal(0);
    // Blocks only for transactions (and CometBFT's proof block after each), so a new height means new work.
    configureCometHome(home, { createEmptyBlocks: false, roundTimeoutMs: 1000, logLevel: "error" });
    sidecar = startProcess(
      "uranus-sidecar",
      process.execPath,
      [CLI, "chain", "start", "--home", home, "--explorer", `127.0.0.1:${explorerPort}`],
      { logFile: join(home, "sidecar.log") },
    );
    explorerUrl = await waitFor(
      () => {
        if (sidecar!.exited()) throw new Error(`the sidecar exited:\n${sidecar!.logTail()}`);
        return /explorer: (http:\/\/\S+)/.exec(sidecar!.logTail(200))?.[1];
      },
      { timeoutMs: 30_000, intervalMs: 100, description: "the sidecar to print its explorer address" },
    );
    cometbft = startProcess("cometbft", cometbftBinary(), ["start", "--home", home], {
      logFile: join(home, "cometbft.log"),
    });
    rpcUrl = `http://127.0.0.1:${rpcPort}`;
    await waitFor(
      async () => {
        if (cometbft!.exited()) throw new Error(`cometbft exited:\n${cometbft!.logTail()}`);
        const answer = (await (await fetch(new URL("rpc/status", explorerUrl))).json()) as {
          result?: { sync_info: { latest_block_height: string } };
        };
        return Number(answer.result?.sync_info.latest_block_height ?? 0) >= 1 || undefined;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 200,
        description: "CometBFT's first block, seen through the explorer",
      },
    );
    client = await ChainClient.connect(rpcUrl);
    profileDir = mkdtempSync(join(tmpdir(), "uranus-chromium-"));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
    // Generous: a loaded 2-core CI machine renders the first page slowly; every wait is still a condition.
    context.setDefaultTimeout(60_000);
  });

  after(async function () {
    this.timeout(40_000);
    await context?.close();
    if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
    client?.disconnect();
    await cometbft?.stop();
    await sidecar?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("shows CometBFT's blocks and validators, decodes a transfer, and follows new blocks over CometBFT's websocket", async () => {
    expect(explorerUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(explorerUrl);
    await page.waitForSelector("body[data-ready='true']");
    expect(await page.textContent("#chain-id")).to.equal("uranus-explorer-comet");
    await page.waitForSelector(`#validators-body tr[data-operator='${operator.address.toLowerCase()}']`);
    expect(await page.textContent("#validators-body th")).to.equal("comet-validator");
    await page.waitForSelector("#feed-status[data-mode='websocket']");

    const before = Number(await page.getAttribute("#latest-height", "data-height"));
    const transfer = await client!.transfer(payer, operator.address, 1_234n);
    expect(transfer.height).to.be.greaterThan(before);
    await page.waitForSelector(`#txs-body tr[data-hash='${transfer.hash}']`);
    const cells = await page.$$eval(`#txs-body tr[data-hash='${transfer.hash}'] td`, (tds) =>
      tds.map((td) => td.querySelector("code")?.getAttribute("title") ?? td.textContent.trim()),
    );
    expect(cells.slice(0, 5)).to.deep.equal([
      String(transfer.height),
      transfer.hash,
      "Transfer",
      payer.address.toLowerCase(),
      "0 OK",
    ]);
    expect(Number(await page.getAttribute("#latest-height", "data-height"))).to.be.at.least(transfer.height!);
    expect(errors).to.deep.equal([]);
    expect(sidecar!.exited()).to.equal(false);
    await page.close();
  });
});
