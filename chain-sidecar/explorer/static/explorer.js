// The explorer page: loads recent blocks and the chain's state through the node's RPC and abci_query,
// then follows new blocks live and refreshes the tables after each one.
import * as ethers from "./vendor/ethers.min.js";
import { BlocksView } from "./blocks-view.js";
import { ChainRpc } from "./chain-rpc.js";
import { earningsByNode, renderContributors, SHOWN_CONTRIBUTORS, byTotalPoc } from "./contributors-view.js";
import { renderContractDetail, renderContracts, withArchived } from "./contracts-view.js";
import { amount } from "./display-format.js";
import { LiveFeed } from "./live-feed.js";
import { tiersFromPlacement } from "./poc-tiers.js";
import { refreshRounds } from "./refresh-rounds.js";
import { createTxDecoder } from "./tx-decoder.js";
import { proposerNames, renderValidators } from "./validators-view.js";

const RECENT_BLOCKS = 20;
/** State queries run at most this often, however fast blocks come. */
const MIN_REFRESH_INTERVAL_MS = 1000;
/** Any valid pod UID: the placement ranking's tiers do not depend on it. */
const TIER_PROBE_POD = "explorer-tiers";
const CONTRACT_HASH = /^#contract\/([0-9a-f]{20})$/;

const $ = (id) => document.getElementById(id);
const rpc = new ChainRpc(location.href);
const problems = new Map();
let latestHeight = 0;
let selectedContract = CONTRACT_HASH.exec(location.hash)?.[1];
let contracts = [];

function report(section, error) {
  if (error === undefined) problems.delete(section);
  else problems.set(section, `${section}: ${error instanceof Error ? error.message : String(error)}`);
  $("problems").replaceChildren(
    ...[...problems.values()].map((text) =>
      Object.assign(document.createElement("li"), { textContent: text }),
    ),
  );
  $("problems").hidden = problems.size === 0;
}

function showHeight(height) {
  latestHeight = Math.max(latestHeight, height);
  const node = $("latest-height");
  node.textContent = amount(latestHeight);
  node.dataset.height = String(latestHeight);
}

const FEED_LABELS = {
  connecting: "connecting…",
  websocket: "live (websocket)",
  polling: "polling every 2 s (websocket unavailable)",
};

async function loadRecentBlocks(blocks, latest) {
  if (latest < 1) return;
  const { block_metas: metas } = await rpc.call("blockchain", {
    minHeight: String(Math.max(1, latest - RECENT_BLOCKS + 1)),
    maxHeight: String(latest),
  });
  for (const meta of metas) {
    const height = Number(meta.header.height);
    if (Number(meta.num_txs) === 0) {
      blocks.add({ height, block: { header: meta.header, data: { txs: [] } }, txResults: [] });
      continue;
    }
    const [{ block }, results] = await Promise.all([
      rpc.call("block", { height: String(height) }),
      rpc.call("block_results", { height: String(height) }),
    ]);
    blocks.add({ height, block, txResults: results.txs_results ?? [] });
  }
}

async function refreshValidators(blocks) {
  const validators = await rpc.query("/validators");
  renderValidators($("validators-body"), validators);
  blocks.setProposerNames(proposerNames(validators));
}

async function refreshContributors() {
  const [nodes, params, placement] = await Promise.all([
    rpc.query("/contributors"),
    rpc.query("/params/poc"),
    rpc.query(`/placement/${TIER_PROBE_POD}`),
  ]);
  const owners = [
    ...new Set(
      [...nodes]
        .sort(byTotalPoc)
        .slice(0, SHOWN_CONTRIBUTORS)
        .map((n) => n.owner),
    ),
  ].sort();
  const earnings = new Map();
  for (const owner of owners) {
    const { entries } = await rpc.queryPages(`/settlements/contributor/${owner}`, "settlements", 5);
    for (const [nodeId, earned] of earningsByNode(entries)) earnings.set(nodeId, earned);
  }
  renderContributors({
    tbody: $("contributors-body"),
    note: $("contributors-note"),
    chart: $("tier-chart"),
    nodes,
    tiers: tiersFromPlacement(placement),
    tierCount: Number(params.placementTiers),
    earnings,
  });
}

async function refreshContracts() {
  const { entries, complete } = await rpc.queryPages("/contracts", "contracts", 10);
  contracts = entries;
  $("contracts-note").textContent = complete
    ? `${entries.length} contract${entries.length === 1 ? "" : "s"}.`
    : `The first ${entries.length} contracts.`;
  renderContracts($("contracts-body"), contracts, selectedContract, selectContract);
}

async function refreshContractDetail() {
  const section = $("contract-detail");
  if (selectedContract === undefined) {
    section.hidden = true;
    return;
  }
  const id = selectedContract;
  const [view, record, settled, archived] = await Promise.all([
    rpc.query(`/contract/${id}/view`),
    rpc.query(`/contract/${id}`),
    rpc.queryPages(`/settlements/contract/${id}`, "settlements", 10),
    // Settlements that left state after the contract closed, from the node's archive (none on older nodes).
    rpc
      .queryPages(`/archive/settlements/contract/${id}`, "settlements", 10)
      .catch(() => ({ entries: [], complete: true })),
  ]);
  if (id !== selectedContract) return;
  renderContractDetail(
    {
      heading: $("contract-title"),
      summary: $("contract-summary"),
      chart: $("escrow-chart"),
      tbody: $("pods-body"),
      note: $("pods-note"),
    },
    {
      contract: { ...view.contract, openedHeight: record.openedHeight },
      leases: view.leases,
      settlements: withArchived(settled.entries, archived.entries),
      complete: settled.complete && archived.complete,
      latestHeight,
    },
  );
  section.hidden = false;
}

function selectContract(id) {
  selectedContract = id;
  history.replaceState(null, "", `#contract/${id}`);
  renderContracts($("contracts-body"), contracts, selectedContract, selectContract);
  void runSection("Contract", refreshContractDetail).then(() =>
    $("contract-detail").scrollIntoView({ block: "start" }),
  );
}

async function runSection(name, work) {
  try {
    await work();
    report(name, undefined);
  } catch (error) {
    report(name, error);
  }
}

/** One refresh of every state table; each section reports its own failure. */
function refreshAll(blocks) {
  return Promise.all([
    runSection("Validators", () => refreshValidators(blocks)),
    runSection("Contributors", refreshContributors),
    runSection("Contracts", refreshContracts),
    runSection("Contract", refreshContractDetail),
  ]);
}

async function main() {
  const [catalog, status] = await Promise.all([
    fetch("catalog.json").then((r) => {
      if (!r.ok) throw new Error(`catalog.json: HTTP ${r.status}`);
      return r.json();
    }),
    rpc.call("status"),
  ]);
  $("chain-id").textContent = status.node_info.network;
  const decode = createTxDecoder(ethers, catalog);
  const blocks = new BlocksView({
    blocksBody: $("blocks-body"),
    txsBody: $("txs-body"),
    decode,
    codeName: (code) => catalog.resultCodes[String(code)] ?? `CODE_${code}`,
  });
  const latest = Number(status.sync_info.latest_block_height);
  showHeight(latest);
  // A live chain makes blocks without pause, so the first load waits for one round, not for the stream to stop.
  const refresh = refreshRounds(() => refreshAll(blocks), {
    minIntervalMs: MIN_REFRESH_INTERVAL_MS,
    onError: (error) => report("Explorer", error),
  });
  const feed = new LiveFeed({
    base: location.href,
    rpc,
    onBlock: (update) => {
      blocks.add(update);
      showHeight(update.height);
      report("Live updates", undefined);
      void refresh();
    },
    onMode: (mode) => {
      $("feed-status").textContent = FEED_LABELS[mode] ?? mode;
      $("feed-status").dataset.mode = mode;
    },
    onError: (error) => report("Live updates", error),
  });
  feed.start(latest);
  await Promise.all([runSection("Blocks", () => loadRecentBlocks(blocks, latest)), refresh()]);
  document.body.dataset.ready = "true";
}

main().catch((error) => report("Explorer", error));
