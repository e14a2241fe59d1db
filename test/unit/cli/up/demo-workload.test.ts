// What `uranus up` derives from examples/: demo owners for every contributor, its own nodes, the Secrets the
// examples read, the escrow swap, and when the demo counts as done.
import { expect } from "chai";
import { Wallet } from "ethers";
import { DemoAccounts, DEMO_BALANCE } from "../../../../cli/up/demo-accounts.js";
import { allRunningAndSettled, statusLine, type DemoStatus } from "../../../../cli/up/demo-status.js";
import {
  contractsOf,
  contributorNodesOf,
  OPERATOR_NAMESPACE,
  planDemoWorkload,
  supportingObjects,
} from "../../../../cli/up/demo-workload.js";
import { isRemoteEligible, localExamples, readExamples } from "../../../../cli/up/example-manifests.js";
import { withOpenedEscrow } from "../../../../cli/up/prefunded-escrow.js";

interface SecretObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  stringData?: Record<string, string>;
}

describe("uranus up: the demo workload", () => {
  const examples = localExamples();

  it("reads every example except the GitOps samples; with one cluster, not those for another cluster", () => {
    const all = readExamples();
    const files = new Set(all.map((doc) => doc.file));
    expect([...files].some((file) => file.startsWith("examples/gitops"))).to.equal(false);
    expect(all.filter((doc) => doc.object.kind === "ComputeContract")).to.have.length(5);
    expect(all.filter(isRemoteEligible).map((doc) => doc.file)).to.deep.equal([
      "examples/federated-web.yaml",
    ]);
    expect(examples.filter((doc) => doc.object.kind === "ComputeContract")).to.have.length(4);
    expect(examples.filter((doc) => doc.object.kind === "ContributorNode")).to.have.length(4);
  });

  it("gives every contributor a funded demo owner with a known key, one per example owner, plus its own nodes", () => {
    const accounts = new DemoAccounts();
    const workload = planDemoWorkload(examples, accounts, 3);
    const nodes = contributorNodesOf(workload);
    expect(nodes).to.have.length(7);
    const keys = accounts.ownerKeys();
    for (const node of nodes) {
      const key = keys[node.spec.owner];
      expect(key, `key of ${node.metadata.name}'s owner`).to.be.a("string");
      expect(new Wallet(key!).address.toLowerCase()).to.equal(node.spec.owner);
    }
    const owner = (name: string) => nodes.find((n) => n.metadata.name === name)!.spec.owner;
    // The two campus nodes share an owner in the example, so they share a demo owner.
    expect(owner("campus-lab-12")).to.equal(owner("campus-lab-13"));
    expect(new Set(nodes.map((n) => n.spec.owner)).size).to.equal(6);
    expect(workload.demoNodes.map((n) => n.spec.region)).to.deep.equal(["eu-west", "eu-central", "us-east"]);
    // The example files themselves are untouched.
    expect(readExamples().find((d) => d.object.metadata.name === "home-lab-1")!.object).to.deep.include({
      spec: {
        nodeName: "home-lab-1",
        owner: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        region: "eu-west",
        zone: "eu-west-a",
        pricePerSCUHour: "800000",
      },
    });

    const genesis = accounts.genesisAccounts();
    expect(genesis).to.have.length(2 + 6);
    expect(genesis.every((a) => a.balance === DEMO_BALANCE)).to.equal(true);
    expect(genesis.map((a) => a.address)).to.include.members([
      accounts.operator.address,
      accounts.payer.address,
    ]);
  });

  it("creates the Secrets the examples name (payer key, environment), the operator's keys and the kata RuntimeClass", () => {
    const accounts = new DemoAccounts();
    const workload = planDemoWorkload(examples, accounts, 0);
    const objects = supportingObjects(workload, accounts) as SecretObject[];
    const secret = (namespace: string, name: string) =>
      objects.find(
        (o) => o.kind === "Secret" && o.metadata.namespace === namespace && o.metadata.name === name,
      );
    expect(secret("default", "payer-key")?.stringData).to.deep.equal({
      privateKey: accounts.payer.privateKey,
    });
    expect(secret("default", "shop-sessions")?.stringData?.secret).to.match(/^[0-9a-f]{32}$/);
    expect(secret(OPERATOR_NAMESPACE, "uranus-operator-key")?.stringData).to.deep.equal({
      privateKey: accounts.operator.privateKey,
    });
    expect(secret(OPERATOR_NAMESPACE, "uranus-contributor-keys")?.stringData).to.deep.equal(
      accounts.ownerKeys(),
    );
    expect(objects.some((o) => o.kind === "RuntimeClass" && o.metadata.name === "kata")).to.equal(true);
  });

  it("points a contract paid from a funded escrow at the escrow opened for it, and leaves the others alone", () => {
    const contracts = contractsOf(planDemoWorkload(examples, new DemoAccounts(), 0));
    const opened = new Map([["5c0ffee0000000001042", "0123456789abcdef0123"]]);
    const kata = contracts.find((c) => c.metadata.name === "kata-isolated-job")!;
    expect(withOpenedEscrow(kata, opened).spec.payer).to.deep.equal({
      escrowContractId: "0123456789abcdef0123",
    });
    expect(kata.spec.payer.escrowContractId).to.equal("5c0ffee0000000001042");
    const web = contracts.find((c) => c.metadata.name === "web-service")!;
    expect(withOpenedEscrow(web, opened)).to.equal(web);
  });
});

describe("uranus up: when the demo is done", () => {
  /** Contracts written "<phase> <ready>/<replicas>", named c0, c1, … in order. */
  const status = (contracts: string[], settledPods: number): DemoStatus => ({
    contracts: contracts.map((contract, i) => {
      const [phase, ready, replicas] = contract.split(/[ /]/);
      return {
        namespace: "default",
        name: `c${i}`,
        phase: phase!,
        replicas: Number(replicas),
        readyReplicas: Number(ready),
        podsRunning: Number(ready),
        nodes: [],
      };
    }),
    podsRunning: 0,
    pods: 0,
    settledPods,
    podsOnNode: new Map(),
    contributors: [],
  });

  it("is done when every contract runs all its replicas and a settlement is on chain", () => {
    expect(allRunningAndSettled(status(["Running 2/2", "Running 1/1"], 1))).to.equal(true);
    expect(allRunningAndSettled(status(["Running 2/2", "Running 1/1"], 0))).to.equal(false);
    expect(allRunningAndSettled(status(["Running 1/2"], 3))).to.equal(false);
    expect(allRunningAndSettled(status(["Paused 2/2"], 3))).to.equal(false);
    expect(allRunningAndSettled(status([], 3))).to.equal(false);
  });

  it("names what it still waits for", () => {
    const line = statusLine(status(["Running 2/2", "Opening 0/1"], 0));
    expect(line).to.contain("contracts Running 1/2");
    expect(line).to.contain("waiting: c1 Opening");
  });
});
