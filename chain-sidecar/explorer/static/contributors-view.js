// Contributor nodes with their Proof of Contribution (basic, service, chain, total), tier and earnings,
// and a chart of how the nodes spread over the PoC tiers.
import { amount, ppmPoints, shortHex } from "./display-format.js";
import { codeCell, el, fillRows } from "./html-builder.js";
import { tierDistribution, tierName } from "./poc-tiers.js";
import { barChart } from "./svg-charts.js";

/** Rows shown; the tier chart still counts every node. */
export const SHOWN_CONTRIBUTORS = 200;

/** Highest total PoC first, then node id. */
export function byTotalPoc(a, b) {
  const ta = BigInt(a.poc.total);
  const tb = BigInt(b.poc.total);
  if (ta !== tb) return ta > tb ? -1 : 1;
  return a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0;
}

/** Earnings per node id from a contributor's pod settlements: what was charged minus the validators' fee. */
export function earningsByNode(settlements) {
  const earned = new Map();
  for (const s of settlements) {
    earned.set(s.nodeId, (earned.get(s.nodeId) ?? 0n) + BigInt(s.charged) - BigInt(s.fee));
  }
  return earned;
}

export function renderContributors({ tbody, note, chart, nodes, tiers, tierCount, earnings }) {
  const sorted = [...nodes].sort(byTotalPoc);
  const shown = sorted.slice(0, SHOWN_CONTRIBUTORS);
  note.textContent =
    nodes.length > shown.length
      ? `Showing the ${shown.length} highest of ${nodes.length} nodes.`
      : `${nodes.length} node${nodes.length === 1 ? "" : "s"}.`;
  fillRows(
    tbody,
    shown.map((n) => {
      const earned = earnings.get(n.nodeId);
      return el(
        "tr",
        { "data-node": n.nodeId },
        el("th", { scope: "row" }, n.nodeId),
        codeCell(n.owner, shortHex(n.owner, 8, 4)),
        el("td", {}, n.region),
        el(
          "td",
          {},
          el("span", { class: n.online ? "badge ok" : "badge idle" }, n.online ? "online" : "offline"),
        ),
        el("td", { class: "num" }, ppmPoints(n.poc.basic)),
        el("td", { class: "num" }, ppmPoints(n.poc.service)),
        el("td", { class: "num" }, ppmPoints(n.poc.chain)),
        el("td", { class: "num" }, ppmPoints(n.poc.total)),
        el("td", {}, tierName(tiers.get(n.nodeId))),
        el("td", { class: "num" }, earned === undefined ? "—" : amount(earned)),
      );
    }),
    "No contributor nodes registered.",
  );
  chart.innerHTML = barChart({
    id: "tier-chart",
    title: "Contributor nodes per PoC tier",
    description: tierDistribution(nodes, tiers, tierCount)
      .map((bar) => `${bar.label}: ${bar.value}`)
      .join("; "),
    bars: tierDistribution(nodes, tiers, tierCount),
    xLabel: "tier (partition round-robin)",
    yLabel: "nodes",
  });
}
