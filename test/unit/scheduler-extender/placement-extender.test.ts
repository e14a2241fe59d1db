import { expect } from "chai";
import { pino } from "pino";
import { DEFAULT_PLACEMENT_PARAMS } from "../../../chain-sidecar/modules/poc/placement.js";
import { ClusterState } from "../../../scheduler-extender/cluster-state.js";
import type { ExtenderArgs } from "../../../scheduler-extender/extender-args.js";
import { ExtenderMetrics } from "../../../scheduler-extender/extender-metrics.js";
import { PlacementExtender } from "../../../scheduler-extender/placement-extender.js";
import { ScuCalculator } from "../../../units/pod-scu.js";
import { ReplicaGate } from "../../../scheduler-extender/replica-gate.js";
import { contributorNode, ownerAddress, uranusPod } from "./contributor-node-fixture.js";

function extenderOn(state: ClusterState, scu: ScuCalculator): PlacementExtender {
  return new PlacementExtender({
    state,
    gate: new ReplicaGate({ pendingForMs: 1, maxWaitMs: 1 }),
    scu,
    placement: DEFAULT_PLACEMENT_PARAMS,
    metrics: new ExtenderMetrics({ processMetrics: false }),
    log: pino({ level: "silent" }),
  });
}

describe("extender verbs on one pod: filter, then prioritize of the passed nodes", () => {
  const scu = new ScuCalculator();
  const state = new ClusterState(scu);
  const names = Array.from({ length: 30 }, (_, i) => `node-${i}`);
  names.forEach((name, i) =>
    state.upsertContributor(
      contributorNode({ name, poc: (i * 37) % 11, owner: ownerAddress(`o-${i % 7}`), online: i % 9 !== 4 }),
    ),
  );
  const args = (uid: string, nodeNames: string[]): ExtenderArgs =>
    ({
      Pod: uranusPod({ name: uid, uid, contract: "c", maxPrice: "10" }),
      NodeNames: nodeNames,
    }) as ExtenderArgs;

  it("scores the passed nodes exactly as a prioritize without a filter before it", async () => {
    const filtering = extenderOn(state, scu);
    const fresh = extenderOn(state, scu);
    for (let p = 0; p < 40; p++) {
      const uid = `pod-${p}`;
      const window = names.slice(p % 10, (p % 10) + 20);
      const passed = (await filtering.filter(args(uid, window))).NodeNames!;
      expect(passed.length, uid).to.be.within(1, 19);
      // The same names, a subset and a reordering: only the exact list may reuse the filter's lookups.
      for (const asked of [passed, passed.slice(1), [...passed].reverse()]) {
        if (asked !== passed) await filtering.filter(args(uid, window));
        expect(filtering.prioritizeJson(args(uid, asked)), uid).to.equal(
          fresh.prioritizeJson(args(uid, asked)),
        );
      }
    }
  });

  it("follows a PoC change that lands between a pod's filter and its prioritize", async () => {
    const local = new ClusterState(scu);
    names.forEach((name, i) => local.upsertContributor(contributorNode({ name, poc: 100 + i })));
    const filtering = extenderOn(local, scu);
    // A window of the nodes, so that a node outside it moving up shifts every rank inside it.
    const passed = (await filtering.filter(args("moving", names.slice(0, 20)))).NodeNames!;
    const before = extenderOn(local, scu).prioritizeJson(args("moving", passed));
    local.upsertContributor(contributorNode({ name: "node-25", poc: 1_000 }));
    local.upsertContributor(contributorNode({ name: "node-3", poc: 1 }));
    const after = filtering.prioritizeJson(args("moving", passed));
    expect(after).to.equal(extenderOn(local, scu).prioritizeJson(args("moving", passed)));
    expect(after).not.to.equal(before);
    expect(after).not.to.contain("node-25");
  });
});
