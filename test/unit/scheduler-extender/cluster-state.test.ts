import { expect } from "chai";
import { ClusterState } from "../../../scheduler-extender/cluster-state.js";
import { ScuCalculator } from "../../../units/pod-scu.js";
import { clusterStateWithPocs } from "./cluster-state-fixture.js";
import { contributorNode, ownerAddress, uranusPod } from "./contributor-node-fixture.js";

describe("extender cluster state", () => {
  it("files a ContributorNode under its Node and forgets it on delete", () => {
    const state = new ClusterState(new ScuCalculator());
    state.upsertContributor(contributorNode({ name: "offer-a", nodeName: "node-a", poc: 5 }));
    expect(state.contributorOnNode("node-a")?.name).to.equal("offer-a");
    state.upsertContributor(contributorNode({ name: "offer-a", nodeName: "node-a", poc: 9 }));
    expect(state.contributorCount).to.equal(1);
    expect(state.contributorOnNode("node-a")?.poc).to.equal(9n);
    state.removeContributor(contributorNode({ name: "offer-a", nodeName: "node-a" }));
    expect(state.contributorOnNode("node-a")).to.equal(undefined);
    expect(state.contributorCount).to.equal(0);
  });

  it("keeps candidates in PoC order and reports requested nodes it does not know", () => {
    const state = clusterStateWithPocs({ b: 5, a: 5, c: 9, d: 1 });
    const { candidates, unknown } = state.candidatesByPoc(["d", "a", "x", "c", "b", "x"]);
    expect(candidates.map((c) => c.name)).to.deep.equal(["c", "a", "b", "d"]);
    expect(unknown).to.deep.equal(["x"]);
    expect(state.candidatesByPoc(["a"]).candidates.map((c) => c.name)).to.deep.equal(["a"]);
  });

  it("counts bound replicas per contributor and SCU per node, and tells when a pod settles", () => {
    const state = new ClusterState(new ScuCalculator());
    state.upsertContributor(contributorNode({ name: "n1", owner: ownerAddress("alice") }));
    state.upsertContributor(contributorNode({ name: "n2", owner: ownerAddress("alice") }));
    state.upsertContributor(contributorNode({ name: "n3", owner: ownerAddress("bob"), allocatedSCU: 7 }));
    const settled: string[] = [];
    state.onPodSettled((uid) => settled.push(uid));

    state.upsertPod(uranusPod({ name: "p1", uid: "p1", contract: "web", cpu: "2" }));
    expect(settled, "an unbound pod has not settled").to.deep.equal([]);
    state.upsertPod(uranusPod({ name: "p1", uid: "p1", contract: "web", cpu: "2", nodeName: "n1" }));
    state.upsertPod(uranusPod({ name: "p2", uid: "p2", contract: "web", nodeName: "n2" }));
    state.upsertPod(uranusPod({ name: "p3", uid: "p3", contract: "web", nodeName: "n3" }));
    state.upsertPod(uranusPod({ name: "q", uid: "q", contract: "other", nodeName: "n3" }));
    expect(settled).to.deep.equal(["p1", "p2", "p3", "q"]);
    expect(Object.fromEntries(state.replicasByContributor("default/web"))).to.deep.equal({
      [ownerAddress("alice")]: 2,
      [ownerAddress("bob")]: 1,
    });
    expect(state.usedScu("n1")).to.equal(2);
    expect(state.usedScu("n3"), "the operator's figure when it is larger").to.equal(7);

    state.removePod(uranusPod({ name: "p1", uid: "p1", contract: "web", nodeName: "n1" }));
    expect(state.usedScu("n1")).to.equal(0);
    expect(state.replicasByContributor("default/web").get(ownerAddress("alice"))).to.equal(1);
    expect(state.placedPodCount).to.equal(3);
  });
});
