// What `uranus up --clusters N` shows while it waits and once ready: where each contract runs, when the federation
// demo is done, the contracts table with home and placement columns, and the member nodes' names.
import { expect } from "chai";
import { DemoAccounts } from "../../../../cli/up/demo-accounts.js";
import type { ContractStatus, DemoStatus } from "../../../../cli/up/demo-status.js";
import { contributorNodesOf, planDemoWorkload } from "../../../../cli/up/demo-workload.js";
import { federationDone, federationLine } from "../../../../cli/up/federated-status.js";
import { contractTable } from "../../../../cli/up/summary-table.js";

function contract(name: string, phase: string, placement?: string): ContractStatus {
  return {
    namespace: "default",
    name,
    phase,
    replicas: 1,
    readyReplicas: phase === "Running" ? 1 : 0,
    podsRunning: phase === "Running" ? 1 : 0,
    nodes: phase === "Running" ? ["n"] : [],
    placement,
  };
}

function status(contracts: ContractStatus[], settledPods = 1): DemoStatus {
  return { contracts, podsRunning: 0, pods: 0, settledPods, podsOnNode: new Map(), contributors: [] };
}

describe("uranus up --clusters: the federation's status", () => {
  const remote = new Set(["default/web-elsewhere"]);

  it("is done when every contract runs, each remote one in a member cluster, and a settlement is on chain", () => {
    expect(
      federationDone(
        status([contract("local", "Running"), contract("web-elsewhere", "Running", "cluster-3")]),
        remote,
      ),
    ).to.equal(true);
    expect(federationDone(status([contract("web-elsewhere", "Pending")]), remote)).to.equal(false);
    expect(federationDone(status([contract("web-elsewhere", "Running", "cluster-2")], 0), remote)).to.equal(
      false,
    );
    // Running but not yet mirrored with its placement.
    expect(federationDone(status([contract("web-elsewhere", "Running")]), remote)).to.equal(false);
  });

  it("says where each remote contract is, or that it waits for a member", () => {
    expect(federationLine(status([contract("web-elsewhere", "Pending")]), remote)).to.contain(
      "; web-elsewhere waits for a member cluster",
    );
    expect(federationLine(status([contract("web-elsewhere", "Running", "cluster-2")]), remote)).to.match(
      /^contracts Running 1\/1, .*; web-elsewhere in cluster-2$/,
    );
  });

  it("adds home and runs-in columns to the contracts table only for a federation", () => {
    const read = status([contract("local", "Running"), contract("web-elsewhere", "Running", "cluster-2")]);
    const single = contractTable(read);
    expect(single).to.not.contain("runs in");
    const federated = contractTable(read, "cluster-1");
    expect(federated).to.match(/contract +│ home +│ runs in +│ phase/);
    expect(federated).to.match(/default\/local +│ cluster-1 +│ cluster-1 +│ Running/);
    expect(federated).to.match(/default\/web-elsewhere +│ cluster-1 +│ cluster-2 +│ Running/);
  });

  it("names a member's own nodes after the cluster, since node ids are one namespace on chain", () => {
    const nodes = contributorNodesOf(planDemoWorkload([], new DemoAccounts(), 2, "cluster-2-node-"));
    expect(nodes.map((n) => n.spec.nodeName)).to.deep.equal(["cluster-2-node-0", "cluster-2-node-1"]);
  });
});
