// The tables printed once the demo is up: every contract with its pods and escrow, every contributor with its PoC.
import Table from "cli-table3";
import type { DemoStatus } from "./demo-status.js";

const plain = { style: { head: [], border: [] } };

/** With `home` (a federation), two more columns: the cluster each contract was applied in and the one it runs in. */
export function contractTable(status: DemoStatus, home?: string): string {
  const table = new Table({
    head: [
      "contract",
      ...(home === undefined ? [] : ["home", "runs in"]),
      "phase",
      "pods Running",
      "nodes",
      "chain id",
      "escrow spent",
      "escrow left",
    ],
    ...plain,
  });
  for (const c of status.contracts) {
    table.push([
      `${c.namespace}/${c.name}`,
      ...(home === undefined ? [] : [home, c.placement ?? home]),
      c.phase,
      `${c.podsRunning}/${c.replicas}`,
      c.nodes.join(", "),
      c.contractId ?? "",
      c.escrowSpent?.toString() ?? "",
      c.escrowRemaining?.toString() ?? "",
    ]);
  }
  return table.toString();
}

export function contributorTable(status: DemoStatus): string {
  const byOwner = new Map<string, { nodes: string[]; online: number; pods: number; poc: bigint }>();
  for (const node of status.contributors) {
    const entry = byOwner.get(node.owner) ?? { nodes: [], online: 0, pods: 0, poc: 0n };
    entry.nodes.push(node.nodeId);
    entry.online += node.online ? 1 : 0;
    entry.pods += status.podsOnNode.get(node.nodeId) ?? 0;
    entry.poc += BigInt(node.poc.total);
    byOwner.set(node.owner, entry);
  }
  const table = new Table({
    head: ["contributor", "nodes", "online", "pods Running", "PoC total"],
    ...plain,
  });
  for (const [owner, entry] of [...byOwner].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    table.push([
      owner,
      entry.nodes.sort().join(", "),
      `${entry.online}/${entry.nodes.length}`,
      entry.pods,
      entry.poc.toString(),
    ]);
  }
  return table.toString();
}

/** The status as JSON for `--output json` (amounts as decimal strings). */
export function statusJson(status: DemoStatus): unknown {
  return {
    contracts: status.contracts.map((c) => ({
      ...c,
      escrowSpent: c.escrowSpent?.toString(),
      escrowRemaining: c.escrowRemaining?.toString(),
    })),
    podsRunning: status.podsRunning,
    pods: status.pods,
    settledPods: status.settledPods,
    contributors: status.contributors,
  };
}
