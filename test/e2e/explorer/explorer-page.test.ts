import { expect } from "chai";
import { ZeroAddress } from "ethers";
import type { Page } from "playwright-core";
import type { TxOutcome } from "../../../chain-sidecar/client/chain-client.js";
import { LendMsg } from "../../../chain-sidecar/modules/staking/staking-messages.js";
import { OpenContractMsg } from "../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../chain-sidecar/modules/metering/metering-messages.js";
import { HeartbeatMsg, RegisterNodeMsg } from "../../../chain-sidecar/modules/poc/poc-messages.js";
import { testConsensusKey, testWallet } from "../../unit/chain-sidecar/app-harness.js";
import {
  batchOf,
  contractTerms,
  nodeOffer,
} from "../../unit/chain-sidecar/modules/market/economy-fixtures.js";
import { startExplorerChain, type ExplorerChain } from "./explorer-chain.js";
import {
  idleHeartbeat,
  leasePods,
  openExplorerPage,
  podRecord,
  saveScreenshot,
  shown,
  type PodSettlement,
  type Submit,
} from "./explorer-page-session.js";
import { launchHeadlessChromium, type HeadlessChromium } from "./headless-chromium.js";

const PAGE_TIMEOUT_MS = 20_000;

function attribute(outcome: TxOutcome, type: string, key: string): string {
  const value = outcome.events.find((e) => e.type === type)?.attributes.find((a) => a.key === key)?.value;
  if (value === undefined) throw new Error(`no ${type}.${key} in the events of ${outcome.hash}`);
  return value;
}

describe("explorer page in Chromium against a live solo chain", function () {
  this.timeout(120_000);

  const solo = testWallet("explorer-solo-operator");
  const payer = testWallet("explorer-payer");
  const ownerA = testWallet("explorer-owner-a");
  const ownerB = testWallet("explorer-owner-b");
  const lender = testWallet("explorer-lender");
  const validatorB = testWallet("explorer-validator-b");
  const validatorC = testWallet("explorer-validator-c");
  const pods = ["pod-alpha-0", "pod-beta-1", "pod-gamma-2"];
  let chain: ExplorerChain;
  let browser: HeadlessChromium | undefined;
  let contractId: string;
  let settlements: PodSettlement[];

  const submit: Submit = (wallet, spec, message) => chain.client.submit(wallet, spec, message);

  before(async function () {
    this.timeout(60_000);
    chain = await startExplorerChain(
      {
        accounts: [solo, payer, ownerA, ownerB, lender, validatorB, validatorC].map((w) => ({
          address: w.address.toLowerCase(),
          balance: 100_000_000n,
        })),
        validators: [
          {
            operator: validatorB.address.toLowerCase(),
            consensusPubKey: Buffer.from(testConsensusKey("explorer-b")).toString("base64"),
            deposit: 4_000_000n,
            moniker: "validator-b",
          },
          {
            operator: validatorC.address.toLowerCase(),
            consensusPubKey: Buffer.from(testConsensusKey("explorer-c")).toString("base64"),
            deposit: 2_500_000n,
            moniker: "validator-c",
          },
        ],
      },
      solo.address.toLowerCase(),
    );
    // Real signed transactions: contributors offer nodes, a payer opens a contract, its pods get leases and are metered.
    const price = 36_000n;
    await submit(ownerA, RegisterNodeMsg, nodeOffer("node-a", { pricePerScuHour: price }));
    await submit(ownerB, RegisterNodeMsg, nodeOffer("node-b", { pricePerScuHour: price, region: "us-east" }));
    await submit(
      ownerB,
      RegisterNodeMsg,
      nodeOffer("node-c", { pricePerScuHour: price, cpuMillicores: 2_000n }),
    );
    await submit(lender, LendMsg, { validator: validatorB.address.toLowerCase(), amount: 750_000n });
    const opened = await submit(
      payer,
      OpenContractMsg,
      contractTerms({ replicas: 3n, budget: 10_000n, maxPricePerScuHour: price, operator: ZeroAddress }),
    );
    contractId = attribute(opened, "contract_opened", "contract");
    const contract = (await chain.client.queryJson(`/contract/${contractId}`)) as { openedAt: number };
    const t0 = contract.openedAt;
    const leases = { contractId, pods, nodes: ["node-a", "node-b", "node-c"], startedAt: t0 };
    await leasePods(submit, payer, leases);
    const record = (i: number, from: number, to: number) => podRecord(leases, i, from, to);
    await submit(ownerA, MeteringBatchMsg, batchOf(ownerA.address.toLowerCase(), [record(0, t0, t0 + 20)]));
    await submit(ownerB, MeteringBatchMsg, batchOf(ownerB.address.toLowerCase(), [record(1, t0, t0 + 25)]));
    await submit(ownerB, MeteringBatchMsg, batchOf(ownerB.address.toLowerCase(), [record(2, t0, t0 + 12)]));
    await submit(
      ownerA,
      MeteringBatchMsg,
      batchOf(ownerA.address.toLowerCase(), [record(0, t0 + 20, t0 + 29)]),
    );
    settlements = (
      (await chain.client.queryJson(`/settlements/contract/${contractId}`)) as {
        settlements: PodSettlement[];
      }
    ).settlements;

    browser = await launchHeadlessChromium(PAGE_TIMEOUT_MS);
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    await (chain as ExplorerChain | undefined)?.stop();
  });

  const openExplorer = (setUp?: (page: Page) => Promise<void>) =>
    openExplorerPage(browser!, chain.explorerUrl, setUp);

  it("shows the chain's settlements, validators, contributors and transactions, and follows new blocks live", async () => {
    expect(settlements.map((s) => s.podUid)).to.deep.equal(pods);
    expect(new Set(settlements.map((s) => s.lastHeight)).size).to.equal(3);
    const { page, errors } = await openExplorer();

    // Validator table: every validator with its deposit, lent amount and consensus power.
    const validators = (await chain.client.queryJson("/validators")) as {
      moniker: string;
      deposit: string;
      lent: string;
      power: string;
    }[];
    await page.waitForFunction(
      (n) => document.querySelectorAll("#validators-body tr[data-operator]").length === n,
      3,
    );
    const validatorRows = await page.$$eval("#validators-body tr", (rows) =>
      rows.map((row) => Array.from(row.querySelectorAll("th, td"), (cell) => cell.textContent.trim())),
    );
    expect(validatorRows.map((r) => r[0])).to.deep.equal(validators.map((v) => v.moniker));
    const rowB = validatorRows.find((r) => r[0] === "validator-b")!;
    expect(rowB[3]).to.equal(shown(4_000_000n));
    expect(rowB[4]).to.equal(shown(750_000n));
    expect(validatorRows.find((r) => r[0] === "solo-validator")![6]).to.equal(
      shown(validators.find((v) => v.moniker === "solo-validator")!.power),
    );

    // Contributors: the three nodes, each in a tier, the tier chart, and node-a's earnings from its settlement.
    await page.waitForFunction(
      () => document.querySelectorAll("#contributors-body tr[data-node]").length === 3,
    );
    const tierCells = await page.$$eval("#contributors-body tr[data-node] td:nth-child(9)", (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(tierCells.every((t) => /^Tier \d/.test(t))).to.equal(true);
    expect(await page.locator("#tier-chart svg rect.bar").count()).to.equal(5);
    const podA = settlements.find((s) => s.podUid === "pod-alpha-0")!;
    await page.waitForFunction(
      (text) =>
        document.querySelector("#contributors-body tr[data-node='node-a'] td:nth-child(10)")?.textContent ===
        text,
      shown(BigInt(podA.charged) - BigInt(podA.fee)),
    );

    // Contracts: click the contract; its pods and settlements are the chain's, with the right amounts and heights.
    await page.click(`#contracts-body tr[data-contract='${contractId}'] button`);
    await page.waitForSelector("#contract-detail:not([hidden]) #pods-body tr[data-pod]");
    const podRows = await page.$$eval("#pods-body tr[data-pod]", (rows) =>
      rows.map((row) => ({
        pod: row.getAttribute("data-pod"),
        cells: Array.from(row.querySelectorAll("th, td"), (cell) => cell.textContent.trim()),
      })),
    );
    expect(podRows.map((r) => r.pod)).to.deep.equal(settlements.map((s) => s.podUid));
    for (const settlement of settlements) {
      const cells = podRows.find((r) => r.pod === settlement.podUid)!.cells;
      expect(cells[2], `node of ${settlement.podUid}`).to.equal(settlement.nodeId);
      expect(cells[4], `seconds of ${settlement.podUid}`).to.equal(shown(settlement.seconds));
      expect(cells[6], `amount of ${settlement.podUid}`).to.equal(shown(settlement.charged));
      expect(cells[9], `height of ${settlement.podUid}`).to.equal(shown(settlement.lastHeight));
    }
    const escrowPoints = await page.locator("#escrow-chart svg circle.point").count();
    // The opening, each settled height, and the latest height when blocks came after the last settlement (the
    // proof block carrying its app hash does).
    const latest = (await chain.client.comet.status()).syncInfo.latestBlockHeight;
    const lastSettled = Math.max(...settlements.map((s) => s.lastHeight));
    expect(escrowPoints).to.equal(
      1 + new Set(settlements.map((s) => s.lastHeight)).size + (latest > lastSettled ? 1 : 0),
    );
    const view = (await chain.client.queryJson(`/contract/${contractId}/view`)) as {
      contract: { escrow: { remaining: string } };
    };
    expect(await page.locator("#escrow-chart desc").textContent()).to.contain(
      `: ${view.contract.escrow.remaining}`,
    );

    // Transactions are decoded: type, the sender recovered from the signature, and the result code.
    const txRows = await page.$$eval("#txs-body tr[data-hash]", (rows) =>
      rows.map((row) => ({
        type: row.children[2]?.textContent,
        sender: row.children[3]?.querySelector("code")?.getAttribute("title"),
        result: row.children[4]?.textContent,
      })),
    );
    const openRow = txRows.find((r) => r.type === "OpenContract");
    expect(openRow).to.deep.equal({
      type: "OpenContract",
      sender: payer.address.toLowerCase(),
      result: "0 OK",
    });
    expect(txRows.filter((r) => r.type === "MeteringBatch")).to.have.length(4);

    // Live: a new transaction's block shows up through the websocket subscription.
    await page.waitForSelector("#feed-status[data-mode='websocket']");
    const before = Number(await page.getAttribute("#latest-height", "data-height"));
    const heartbeat = await submit(ownerA, HeartbeatMsg, idleHeartbeat("node-a"));
    expect(heartbeat.height).to.be.greaterThan(before);
    await page.waitForFunction(
      (height) => Number(document.querySelector("#latest-height")?.getAttribute("data-height")) >= height,
      heartbeat.height!,
    );
    await page.waitForSelector(`#txs-body tr[data-hash='${heartbeat.hash}']`);
    expect(await page.textContent(`#txs-body tr[data-hash='${heartbeat.hash}'] td:nth-child(3)`)).to.equal(
      "Heartbeat",
    );

    await saveScreenshot(page, "explorer.png");
    expect(errors).to.deep.equal([]);
    expect(chain.faults).to.deep.equal([]);
    await page.close();
  });

  it("falls back to polling when the websocket is unavailable, and still shows new blocks", async () => {
    const { page, errors } = await openExplorer((p) =>
      p.routeWebSocket(/\/websocket$/, (socket) => {
        void socket.close();
      }),
    );
    await page.waitForSelector("#feed-status[data-mode='polling']");
    const before = Number(await page.getAttribute("#latest-height", "data-height"));
    const outcome = await submit(ownerB, HeartbeatMsg, idleHeartbeat("node-b"));
    expect(outcome.height).to.be.greaterThan(before);
    await page.waitForSelector(`#txs-body tr[data-hash='${outcome.hash}']`);
    expect(Number(await page.getAttribute("#latest-height", "data-height"))).to.be.at.least(outcome.height!);
    expect(errors.filter((e) => !e.includes("WebSocket"))).to.deep.equal([]);
    await page.close();
  });
});
