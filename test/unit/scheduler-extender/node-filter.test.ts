import { expect } from "chai";
import { ClusterState } from "../../../scheduler-extender/cluster-state.js";
import { REJECTION, filterNodes } from "../../../scheduler-extender/node-filter.js";
import { ScuCalculator } from "../../../units/pod-scu.js";
import { readPodTerms, type PodTerms } from "../../../scheduler-extender/pod-terms.js";
import { contributorNode, uranusPod } from "./contributor-node-fixture.js";

const scu = new ScuCalculator();

function termsOf(facts: Parameters<typeof uranusPod>[0]): PodTerms {
  const read = readPodTerms(uranusPod(facts), scu);
  if (read.kind !== "uranus") throw new Error(`expected a Uranus pod, got ${read.kind}`);
  return read.terms;
}

describe("extender filter", () => {
  const state = new ClusterState(scu);
  for (const node of [
    contributorNode({ name: "ok", poc: 500 }),
    contributorNode({ name: "unregistered", registered: false }),
    contributorNode({ name: "offline", online: false }),
    contributorNode({ name: "jailed", jailed: true }),
    contributorNode({ name: "closed", unschedulable: true }),
    contributorNode({ name: "pricey", price: "11" }),
    contributorNode({ name: "faraway", region: "us" }),
    contributorNode({ name: "weak", poc: 10 }),
    contributorNode({ name: "full", capacitySCU: 4, allocatedSCU: 4, poc: 500 }),
    contributorNode({ name: "kata", kata: true, poc: 500 }),
  ]) {
    state.upsertContributor(node);
  }
  const names = [
    "ok",
    "unregistered",
    "offline",
    "jailed",
    "closed",
    "pricey",
    "faraway",
    "weak",
    "full",
    "kata",
    "bare",
  ];

  it("keeps only healthy, affordable nodes in the contract's regions with PoC and room, and says why for the rest", () => {
    const terms = termsOf({ name: "p", contract: "c", maxPrice: "10", regions: "eu, asia", minPoC: "100" });
    const outcome = filterNodes(state, terms, names);
    expect(outcome.passed).to.deep.equal(["ok", "kata"]);
    expect(outcome.failed).to.deep.equal({ full: REJECTION.noFreeScu });
    expect(outcome.unresolvable).to.deep.equal({
      unregistered: REJECTION.notRegistered,
      offline: REJECTION.offline,
      jailed: REJECTION.jailed,
      closed: REJECTION.unschedulable,
      pricey: REJECTION.overPrice,
      faraway: REJECTION.outsideRegions,
      weak: REJECTION.belowMinPoC,
      bare: REJECTION.notOffered,
    });
  });

  it("sends kata pods only to nodes offering kata", () => {
    const terms = termsOf({ name: "p", contract: "c", maxPrice: "10", runtimeClassName: "kata" });
    const outcome = filterNodes(state, terms, ["ok", "kata"]);
    expect(outcome.passed).to.deep.equal(["kata"]);
    expect(outcome.unresolvable).to.deep.equal({ ok: REJECTION.noKata });
  });

  it("counts bound Uranus pods against a node's SCU even before the operator reports them", () => {
    const local = new ClusterState(scu);
    local.upsertContributor(contributorNode({ name: "small", capacitySCU: 3 }));
    const terms = termsOf({ name: "p", contract: "c", maxPrice: "10", cpu: "2" });
    expect(filterNodes(local, terms, ["small"]).passed).to.deep.equal(["small"]);
    local.upsertPod({ ...uranusPod({ name: "a", uid: "a", contract: "x", cpu: "2", nodeName: "small" }) });
    expect(filterNodes(local, terms, ["small"]).failed).to.deep.equal({ small: REJECTION.noFreeScu });
    local.upsertPod({
      ...uranusPod({ name: "a", uid: "a", contract: "x", cpu: "2", nodeName: "small" }),
      status: { phase: "Succeeded" },
    });
    expect(filterNodes(local, terms, ["small"]).passed).to.deep.equal(["small"]);
  });

  it("reads pod terms: foreign pods, missing and malformed annotations", () => {
    expect(readPodTerms(uranusPod({ name: "plain" }), scu).kind).to.equal("foreign");
    const missing = readPodTerms(uranusPod({ name: "p", contract: "c" }), scu);
    expect(missing).to.deep.include({
      kind: "invalid",
      problem: "pod has no uranus.io/max-price-per-scu-hour annotation",
    });
    const badPrice = readPodTerms(uranusPod({ name: "p", contract: "c", maxPrice: "ten" }), scu);
    expect(badPrice).to.deep.include({
      problem: "pod annotation uranus.io/max-price-per-scu-hour must be a decimal amount",
    });
    const badPoC = readPodTerms(uranusPod({ name: "p", contract: "c", maxPrice: "1", minPoC: "-3" }), scu);
    expect(badPoC).to.deep.include({ problem: "pod annotation uranus.io/min-poc must be a decimal integer" });
    const badCpu = readPodTerms(uranusPod({ name: "p", contract: "c", maxPrice: "1", cpu: "lots" }), scu);
    expect(badCpu).to.deep.include({ problem: 'pod resource request "lots" is not a Kubernetes quantity' });
  });
});
