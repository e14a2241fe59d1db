import { expect } from "chai";
import type { Wallet } from "ethers";
import { ZeroAddress } from "ethers";
import { WebSocket } from "ws";
import type { ChainClient, TxOutcome } from "../../../chain-sidecar/client/chain-client.js";
import { OpenContractMsg } from "../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../chain-sidecar/modules/metering/metering-messages.js";
import { RegisterNodeMsg } from "../../../chain-sidecar/modules/poc/poc-messages.js";
import { LendMsg } from "../../../chain-sidecar/modules/staking/staking-messages.js";
import { waitFor } from "../../../process/wait-for.js";
import { testWallets } from "../../unit/chain-sidecar/app-harness.js";
import {
  batchOf,
  contractTerms,
  nodeOffer,
} from "../../unit/chain-sidecar/modules/market/economy-fixtures.js";
import { startCometExplorerChain, type CometExplorerChain } from "./explorer-cometbft-chain.js";
import { startExplorerChain, type ExplorerChain } from "./explorer-chain.js";
import { leasePods, openExplorerPage, podRecord, saveScreenshot, shown } from "./explorer-page-session.js";
import type { PodSettlement, Submit } from "./explorer-page-session.js";
import { launchHeadlessChromium, type HeadlessChromium } from "./headless-chromium.js";
import { shapeDifferences } from "./json-shape.js";

async function rpcCall(rpcUrl: string, method: string, params: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: unknown };
  if (body.result === undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/** The NewBlock event of the block that includes a transfer, as the node's websocket sends it. */
async function newBlockEventOfTransfer(
  rpcUrl: string,
  send: () => Promise<TxOutcome>,
): Promise<{ event: unknown; outcome: TxOutcome }> {
  const socket = new WebSocket(`${rpcUrl.replace(/^http/, "ws")}/websocket`);
  const events: { data?: { value?: { block?: { header?: { height?: string } } } } }[] = [];
  try {
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString("utf8")) as { result?: (typeof events)[number] };
      if (message.result?.data !== undefined) events.push(message.result);
    });
    socket.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: "blocks",
        method: "subscribe",
        params: { query: "tm.event='NewBlock'" },
      }),
    );
    // The subscription is live once the first event arrives (CometBFT makes blocks without pause).
    const outcome = await send();
    const event = await waitFor(
      () => events.find((e) => e.data?.value?.block?.header?.height === String(outcome.height)),
      { timeoutMs: 20_000, intervalMs: 50, description: `the NewBlock event of height ${outcome.height}` },
    );
    return { event, outcome };
  } finally {
    socket.close();
  }
}

/** What the explorer reads, asked of one node after a transfer lands there. */
async function explorerAnswers(rpcUrl: string, client: ChainClient, from: Wallet, to: string) {
  const { event, outcome } = await newBlockEventOfTransfer(rpcUrl, () => client.transfer(from, to, 1_234n));
  const height = String(outcome.height);
  return {
    status: await rpcCall(rpcUrl, "status", {}),
    blockchain: await rpcCall(rpcUrl, "blockchain", { minHeight: "1", maxHeight: height }),
    block: await rpcCall(rpcUrl, "block", { height }),
    blockResults: await rpcCall(rpcUrl, "block_results", { height }),
    emptyBlockResults: await rpcCall(rpcUrl, "block_results", { height: "1" }),
    query: await rpcCall(rpcUrl, "abci_query", { path: "/validators", data: "", prove: false }),
    provenQuery: await rpcCall(rpcUrl, "abci_query", {
      path: `/account/${from.address.toLowerCase()}`,
      data: "",
      prove: true,
    }),
    failedQuery: await rpcCall(rpcUrl, "abci_query", { path: "/no-such-path", data: "", prove: false }),
    // JSON-RPC over POST takes bytes as base64, as CometBFT's JSON codec reads them.
    tx: await rpcCall(rpcUrl, "tx", { hash: Buffer.from(outcome.hash, "hex").toString("base64") }),
    newBlockEvent: event,
  };
}

describe("explorer of `uranus chain start` in front of a real CometBFT node", function () {
  this.timeout(240_000);
  const { operator, payer, owner, lender } = testWallets(
    "explorer-comet",
    "operator",
    "payer",
    "owner",
    "lender",
  );
  const pods = ["pod-comet-0", "pod-comet-1"];
  const nodes = ["node-comet-a", "node-comet-b"];
  const accounts = [payer, owner, lender].map((w) => ({
    address: w.address.toLowerCase(),
    balance: 50_000_000n,
  }));
  let chain: CometExplorerChain | undefined;
  let solo: ExplorerChain | undefined;
  let browser: HeadlessChromium | undefined;

  const submit: Submit = (wallet, spec, message) => chain!.client.submit(wallet, spec, message);

  before(async function () {
    this.timeout(120_000);
    chain = await startCometExplorerChain({
      chainId: "uranus-explorer-comet",
      moniker: "comet-validator",
      operator: operator.address,
      accounts,
    });
    solo = await startExplorerChain({ accounts }, operator.address.toLowerCase());
    // Generous: a loaded 2-core machine renders the first page slowly; every wait is still a condition.
    browser = await launchHeadlessChromium(60_000);
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await solo?.stop();
    await chain?.stop();
  });

  it("the solo RPC answers what the explorer reads in CometBFT's exact JSON shapes", async () => {
    const comet = await explorerAnswers(chain!.rpcUrl, chain!.client, payer, operator.address);
    const ours = await explorerAnswers(solo!.rpcUrl, solo!.client, payer, operator.address);
    for (const method of Object.keys(comet) as (keyof typeof comet)[]) {
      expect(shapeDifferences(comet[method], ours[method]), method).to.deep.equal([]);
    }
    // The answers carry what the page decodes: a base64 tx in the block, its hex hash, string heights.
    const block = comet.block as { block: { data: { txs: string[] }; header: { height: string } } };
    expect(block.block.data.txs).to.have.length(1);
    expect(block.block.data.txs[0]).to.match(/^[A-Za-z0-9+/]+=*$/);
    expect(block.block.header.height).to.match(/^\d+$/);
    expect(solo!.faults).to.deep.equal([]);
  });

  it("shows the validators, a contract's per-pod settlement and follows CometBFT's blocks live", async () => {
    // Real signed transactions through CometBFT: a lender, two nodes, a contract, leases, metering.
    const price = 36_000n;
    await submit(lender, LendMsg, { validator: operator.address.toLowerCase(), amount: 750_000n });
    await submit(owner, RegisterNodeMsg, nodeOffer(nodes[0]!, { pricePerScuHour: price }));
    await submit(owner, RegisterNodeMsg, nodeOffer(nodes[1]!, { pricePerScuHour: price }));
    const opened = await submit(
      payer,
      OpenContractMsg,
      contractTerms({ replicas: 2n, budget: 10_000n, maxPricePerScuHour: price, operator: ZeroAddress }),
    );
    const contractId = opened.events
      .find((e) => e.type === "contract_opened")
      ?.attributes.find((a) => a.key === "contract")?.value;
    expect(contractId, "contract id in the contract_opened event").to.be.a("string");
    const { openedAt: t0 } = (await chain!.client.queryJson(`/contract/${contractId!}`)) as {
      openedAt: number;
    };
    const leases = { contractId: contractId!, pods, nodes, startedAt: t0 };
    await leasePods(submit, payer, leases);
    const record = (i: number, from: number, to: number) => podRecord(leases, i, from, to);
    const contributor = owner.address.toLowerCase();
    await submit(owner, MeteringBatchMsg, batchOf(contributor, [record(0, t0, t0 + 20)]));
    await submit(owner, MeteringBatchMsg, batchOf(contributor, [record(1, t0, t0 + 12)]));

    const { page, errors } = await openExplorerPage(browser!, chain!.explorerUrl);
    expect(await page.textContent("#chain-id")).to.equal("uranus-explorer-comet");
    await page.waitForSelector("#feed-status[data-mode='websocket']");

    // Validator table: the node's validator with its deposit, the lent amount and its CometBFT power.
    const [validator] = (await chain!.client.queryJson("/validators")) as {
      operator: string;
      deposit: string;
      lent: string;
      power: string;
    }[];
    const validatorRow = `#validators-body tr[data-operator='${operator.address.toLowerCase()}']`;
    await page.waitForSelector(validatorRow);
    const validatorCells = await page.$$eval(`${validatorRow} th, ${validatorRow} td`, (cells) =>
      cells.map((cell) => cell.textContent.trim()),
    );
    expect(validatorCells[0]).to.equal("comet-validator");
    expect(validatorCells[3]).to.equal(shown(validator!.deposit));
    expect(validatorCells[4]).to.equal(shown(750_000n));
    expect(validatorCells[6]).to.equal(shown(validator!.power));

    // The contract's pods with their settlements, as the chain records them.
    const settlementsOnChain = async () =>
      (
        (await chain!.client.queryJson(`/settlements/contract/${contractId!}`)) as {
          settlements: PodSettlement[];
        }
      ).settlements;
    const podCells = (podUid: string) =>
      page.$$eval(`#pods-body tr[data-pod='${podUid}'] th, #pods-body tr[data-pod='${podUid}'] td`, (cells) =>
        cells.map((cell) => cell.textContent.trim()),
      );
    await page.click(`#contracts-body tr[data-contract='${contractId!}'] button`);
    await page.waitForFunction(
      (n) => document.querySelectorAll("#contract-detail:not([hidden]) #pods-body tr[data-pod]").length === n,
      pods.length,
    );
    for (const settlement of await settlementsOnChain()) {
      const cells = await podCells(settlement.podUid);
      expect(cells[2], `node of ${settlement.podUid}`).to.equal(settlement.nodeId);
      expect(cells[4], `seconds of ${settlement.podUid}`).to.equal(shown(settlement.seconds));
      expect(cells[6], `amount of ${settlement.podUid}`).to.equal(shown(settlement.charged));
      expect(cells[9], `height of ${settlement.podUid}`).to.equal(shown(settlement.lastHeight));
    }

    // A new block: another metering batch lands; the page shows its tx and the pod's new settlement.
    const before = Number(await page.getAttribute("#latest-height", "data-height"));
    const batch = await submit(owner, MeteringBatchMsg, batchOf(contributor, [record(0, t0 + 20, t0 + 29)]));
    expect(batch.code).to.equal(0);
    expect(batch.height).to.be.greaterThan(before);
    await page.waitForSelector(`#txs-body tr[data-hash='${batch.hash}']`);
    const txCells = await page.$$eval(`#txs-body tr[data-hash='${batch.hash}'] td`, (tds) =>
      tds.map((td) => td.querySelector("code")?.getAttribute("title") ?? td.textContent.trim()),
    );
    expect(txCells.slice(0, 5)).to.deep.equal([
      shown(batch.height!),
      batch.hash,
      "MeteringBatch",
      contributor,
      "0 OK",
    ]);
    const updated = (await settlementsOnChain()).find((s) => s.podUid === pods[0])!;
    expect(updated.seconds).to.equal(29);
    expect(updated.lastHeight).to.equal(batch.height);
    await page.waitForFunction(
      ({ pod, height }) =>
        document.querySelector(`#pods-body tr[data-pod='${pod}'] td:nth-child(10)`)?.textContent.trim() ===
        height,
      { pod: pods[0]!, height: shown(batch.height!) },
    );
    const cells = await podCells(pods[0]!);
    expect(cells[4]).to.equal(shown(updated.seconds));
    expect(cells[6]).to.equal(shown(updated.charged));
    expect(Number(await page.getAttribute("#latest-height", "data-height"))).to.be.at.least(batch.height!);

    await saveScreenshot(page, "explorer-cometbft.png");
    expect(errors).to.deep.equal([]);
    expect(chain!.sidecarExited(), chain!.logs()).to.equal(false);
    await page.close();
  });
});
