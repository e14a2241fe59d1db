// Contracts with their escrow, and one contract's pods and settlements with its escrow over time.
import { amount, decimal, duration, percentOf, shortHex } from "./display-format.js";
import { escrowByHeight } from "./escrow-history.js";
import { codeCell, el, fillRows } from "./html-builder.js";
import { stepChart } from "./svg-charts.js";

/** Newest first: by opening height, then id. */
export function byOpenedHeight(a, b) {
  if (a.openedHeight !== b.openedHeight) return b.openedHeight - a.openedHeight;
  return a.id < b.id ? -1 : 1;
}

export function renderContracts(tbody, contracts, selectedId, onSelect) {
  fillRows(
    tbody,
    [...contracts].sort(byOpenedHeight).map((c) =>
      el(
        "tr",
        { "data-contract": c.id, class: c.id === selectedId ? "selected" : undefined },
        el(
          "th",
          { scope: "row" },
          el(
            "button",
            {
              type: "button",
              class: "link",
              "aria-controls": "contract-detail",
              "aria-expanded": c.id === selectedId ? "true" : "false",
              title: `Show the pods and settlements of contract ${c.id}`,
              onclick: () => onSelect(c.id),
            },
            c.id,
          ),
        ),
        codeCell(c.payer, shortHex(c.payer, 8, 4)),
        el("td", {}, el("span", { class: `badge phase-${c.state}` }, c.state)),
        el("td", { class: "num" }, `${c.activeLeases} / ${c.replicas}`),
        el("td", { class: "num" }, amount(c.escrow.deposited)),
        el("td", { class: "num" }, amount(c.escrow.spent)),
        el(
          "td",
          { class: "num" },
          amount(c.escrow.remaining),
          " ",
          el("meter", {
            min: 0,
            max: 100,
            low: 20,
            optimum: 100,
            value: percentOf(c.escrow.remaining, c.escrow.deposited),
            title: `${percentOf(c.escrow.remaining, c.escrow.deposited)} % of the deposit remains`,
          }),
        ),
        el("td", { class: "num" }, amount(c.openedHeight)),
      ),
    ),
    "No contracts on chain yet.",
  );
}

/** Settlements in state, then archived ones of pods no longer in state (each marked with `archived`). */
export function withArchived(settlements, archived) {
  const inState = new Set(settlements.map((s) => s.podUid));
  return [...settlements, ...archived.filter((s) => !inState.has(s.podUid))];
}

/** Settled pods, plus pods with an active lease and nothing settled yet. */
export function podRows(settlements, leases) {
  const rows = settlements.map((s) => ({ ...s, settled: true }));
  const settled = new Set(settlements.map((s) => s.podUid));
  for (const lease of leases) {
    if (!settled.has(lease.podUid)) rows.push({ ...lease, settled: false });
  }
  return rows.sort((a, b) => (a.podUid < b.podUid ? -1 : a.podUid > b.podUid ? 1 : 0));
}

const BILLING = {
  reserved: "Reserved: every reserved SCU, each second",
  used: "Used: measured CPU or memory, at most the reservation",
};
const GIB = 1n << 30n;

/** The height of a pod's last settlement; an archived one says where it can be checked (not in state any more). */
export function lastSettledCell(p) {
  if (!p.settled) return "not settled yet";
  if (p.archived) return `${amount(p.lastHeight)} (archived, app hash at ${amount(p.archived.height)})`;
  return amount(p.lastHeight);
}

export function renderContractDetail({ heading, summary, chart, tbody, note }, view) {
  const { contract, leases, settlements, complete, latestHeight } = view;
  heading.textContent = `Contract ${contract.id}`;
  const facts = [
    ["Phase", contract.state + (contract.closeReason ? ` (${contract.closeReason})` : "")],
    ["Payer", contract.payer],
    [
      "Replicas",
      `${contract.activeLeases} active of ${contract.replicas}, ${contract.scuPerReplica} SCU each`,
    ],
    ["Max price per SCU-hour", amount(contract.maxPricePerScuHour)],
    ["Billing", BILLING[contract.billing] ?? "—"],
    ["Deposited", amount(contract.escrow.deposited)],
    ["Spent", amount(contract.escrow.spent)],
    ["Remaining", amount(contract.escrow.remaining)],
    ["Refunded", amount(contract.escrow.refunded)],
    ["Unpaid", amount(contract.escrow.unpaid)],
    ["Opened at height", amount(contract.openedHeight)],
    ["Duration", duration(contract.durationSeconds)],
  ];
  summary.replaceChildren(
    ...facts.map(([term, value]) => el("div", {}, el("dt", {}, term), el("dd", {}, value))),
  );
  const points = escrowByHeight(contract, settlements, latestHeight);
  chart.innerHTML = stepChart({
    id: "escrow-chart",
    title: `Escrow of contract ${contract.id} by block height`,
    description: points.map((p) => `height ${p.height}: ${p.escrow}`).join("; "),
    points: points.map((p) => ({ x: p.height, y: Number(p.escrow) })),
    xLabel: "block height",
    yLabel: "escrow",
  });
  const rows = podRows(settlements, leases);
  note.textContent = complete ? "" : "Only the first pages of this contract's settlements are shown.";
  fillRows(
    tbody,
    rows.map((p) =>
      el(
        "tr",
        { "data-pod": p.podUid, class: p.settled ? (p.archived ? "archived" : undefined) : "unsettled" },
        el("th", { scope: "row" }, el("code", {}, p.podUid)),
        el("td", { class: "num" }, p.replica),
        el("td", {}, p.nodeId),
        codeCell(p.contributor, shortHex(p.contributor, 8, 4)),
        el("td", { class: "num" }, p.settled ? amount(p.seconds) : "—"),
        el("td", { class: "num" }, p.scu),
        el("td", { class: "num amount" }, p.settled ? amount(p.charged) : "—"),
        el("td", { class: "num" }, p.settled ? amount(p.fee) : "—"),
        el("td", { class: "num" }, p.settled ? amount(p.unpaid) : "—"),
        el("td", { class: "num" }, lastSettledCell(p)),
        el("td", { class: "num" }, p.settled ? decimal(p.cpuMilliSeconds, 1000n) : "—"),
        el("td", { class: "num" }, p.settled ? decimal(p.memoryByteSeconds, GIB) : "—"),
      ),
    ),
    "No pods have run for this contract yet.",
  );
}
