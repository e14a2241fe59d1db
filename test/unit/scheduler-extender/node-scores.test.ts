import { expect } from "chai";
import fc from "fast-check";
import { rankForPod, type RankedNode } from "../../../chain-sidecar/modules/poc/placement.js";
import { ClusterState } from "../../../scheduler-extender/cluster-state.js";
import {
  MAX_EXTENDER_PRIORITY,
  bandScore,
  scoreCandidates,
  scoreNodes,
  scoresJson,
} from "../../../scheduler-extender/node-scores.js";
import { ScuCalculator } from "../../../units/pod-scu.js";
import { clusterStateWithPocs } from "./cluster-state-fixture.js";
import { contributorNode, ownerAddress, uranusPod } from "./contributor-node-fixture.js";

const params = { tierWeights: [4, 3, 2, 1] };

function ranked(
  group: number,
  rankInTier: number,
  tierSize: number,
): Pick<RankedNode, "group" | "rankInTier" | "tierSize"> {
  return { group, rankInTier, tierSize };
}

describe("extender prioritize", () => {
  it("bands: spread first, then chosen tier, then PoC within the tier, all within 0…10", () => {
    expect([0, 1, 2, 3, 4, 5].map((rank) => bandScore(ranked(0, rank, 6), false))).to.deep.equal([
      10, 10, 9, 9, 8, 8,
    ]);
    expect([1, 2, 3, 5].map((group) => bandScore(ranked(group, 0, 6), false))).to.deep.equal([7, 6, 5, 5]);
    expect([0, 2, 3, 5].map((rank) => bandScore(ranked(0, rank, 6), true))).to.deep.equal([4, 4, 3, 3]);
    expect([1, 2, 3, 5].map((group) => bandScore(ranked(group, 0, 6), true))).to.deep.equal([2, 1, 0, 0]);
    for (let group = 0; group < 6; group++) {
      for (let rank = 0; rank < 7; rank++) {
        for (const replica of [false, true]) {
          const score = bandScore(ranked(group, rank, 7), replica);
          expect(score).to.be.within(0, MAX_EXTENDER_PRIORITY);
          if (replica) expect(score).to.be.lessThan(bandScore(ranked(5, 6, 7), false));
        }
      }
    }
  });

  const state = new ClusterState(new ScuCalculator());
  const names: string[] = [];
  for (let i = 0; i < 20; i++) {
    const name = `node-${i}`;
    names.push(name);
    state.upsertContributor(
      contributorNode({ name, poc: ((i * 7919) % 1000) + 1, owner: ownerAddress(`owner-${i % 10}`) }),
    );
  }

  it("gives the helper's chosen tier the top band, its highest PoC first", () => {
    for (let p = 0; p < 50; p++) {
      const uid = `pod-uid-${p}`;
      const scores = new Map(scoreNodes(state, uid, "ns/c", names, params).map((s) => [s.Host, s.Score]));
      const { ranking } = rankForPod(state.candidatesByPoc(names).candidates, uid, params);
      const top = ranking.filter((node) => node.group === 0);
      expect(scores.get(top[0]!.name), uid).to.equal(10);
      const lowestChosen = Math.min(...top.map((node) => scores.get(node.name)!));
      const highestOther = Math.max(
        ...ranking.filter((node) => node.group > 0).map((node) => scores.get(node.name)!),
      );
      expect(lowestChosen, uid).to.be.greaterThan(highestOther);
      expect(scores.size).to.equal(names.length);
    }
  });

  it("drops every node of a contributor already running a replica below every other contributor's node", () => {
    const local = new ClusterState(new ScuCalculator());
    for (let i = 0; i < 20; i++) {
      local.upsertContributor(
        contributorNode({ name: `node-${i}`, poc: 1000 - i, owner: ownerAddress(`owner-${i % 10}`) }),
      );
    }
    // owner-0 holds node-0 (highest PoC) and node-10; a replica on node-10 marks owner-0.
    local.upsertPod(uranusPod({ name: "r0", uid: "r0", contract: "c", nodeName: "node-10" }));
    const scores = new Map(
      scoreNodes(local, "new-replica", "default/c", names, params).map((s) => [s.Host, s.Score]),
    );
    const ownerZero = [scores.get("node-0")!, scores.get("node-10")!];
    const others = names.filter((n) => n !== "node-0" && n !== "node-10").map((n) => scores.get(n)!);
    expect(Math.max(...ownerZero)).to.be.lessThan(Math.min(...others));
    // Another contract's replica changes nothing.
    const unrelated = new Map(
      scoreNodes(local, "new-replica", "default/other", names, params).map((s) => [s.Host, s.Score]),
    );
    expect(Math.min(...[...unrelated.values()])).to.be.at.least(5);
  });

  it("scores nodes without a ContributorNode 0 and ignores duplicates", () => {
    const scores = scoreNodes(state, "u", "ns/c", ["node-1", "node-1", "stranger"], params);
    expect(scores).to.have.length(2);
    expect(scores.find((s) => s.Host === "stranger")?.Score).to.equal(0);
    const asked = ["node-1", 'odd "name"\\', "node-2", "__proto__"];
    const json = scoresJson(scoreCandidates(state, "u", "ns/c", state.candidatesByPoc(asked), params));
    expect(JSON.parse(json)).to.deep.equal(scoreNodes(state, "u", "ns/c", asked, params));
    expect(
      JSON.parse(scoresJson(scoreCandidates(state, "u", "ns/c", state.candidatesByPoc(["x"]), params))),
    ).to.deep.equal([{ Host: "x", Score: 0 }]);
  });

  it("ranks exactly as the placement helper for any PoCs, ties, subsets, tier weights and pod", () => {
    const scenario = fc.record({
      pocs: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 40 }),
      picks: fc.array(fc.nat(), { maxLength: 60 }),
      weights: fc
        .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 })
        .map((weights) => weights.sort((a, b) => b - a)),
      uid: fc.string({ minLength: 1, maxLength: 20 }),
      replicaOn: fc.option(fc.nat(), { nil: undefined }),
    });
    fc.assert(
      fc.property(scenario, ({ pocs, picks, weights, uid, replicaOn }) => {
        const local = new ClusterState(new ScuCalculator());
        // Few distinct PoCs make ties; names in no relation to PoC; owners shared by pairs of nodes.
        const all = pocs.map((poc, i) => {
          const name = `n-${(i * 37) % 101}-${i}`;
          local.upsertContributor(contributorNode({ name, poc, owner: ownerAddress(`o-${i >> 1}`) }));
          return name;
        });
        if (replicaOn !== undefined) {
          local.upsertPod(
            uranusPod({ name: "r", uid: "r", contract: "c", nodeName: all[replicaOn % all.length]! }),
          );
        }
        const requested = picks.length === 0 ? all : picks.map((pick) => all[pick % all.length]!);
        const params = { tierWeights: weights };
        const fast = scoreCandidates(local, uid, "default/c", local.candidatesByPoc(requested), params);
        const replicas = local.replicasByContributor("default/c");
        const expected = new Map(
          rankForPod(local.candidatesByPoc(requested).candidates, uid, params).ranking.map((node) => [
            node.name,
            bandScore(node, (replicas.get(node.candidate.view.owner) ?? 0) > 0),
          ]),
        );
        const got = new Map(fast.candidates.map((candidate, i) => [candidate.name, fast.scores[i]!]));
        expect(got).to.deep.equal(expected);
        const parsed = JSON.parse(scoresJson(fast)) as { Host: string; Score: number }[];
        expect(new Map(parsed.map((s) => [s.Host, s.Score]))).to.deep.equal(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the PoC order through status updates and re-sorts on a PoC change or a removal", () => {
    const local = clusterStateWithPocs({ a: 30, b: 20, c: 10 });
    const order = (): string[] => local.candidatesByPoc(["c", "b", "a"]).candidates.map((c) => c.name);
    expect(order()).to.deep.equal(["a", "b", "c"]);
    local.upsertContributor(contributorNode({ name: "b", poc: 20, allocatedSCU: 3 }));
    expect(order()).to.deep.equal(["a", "b", "c"]);
    expect(local.usedScu("b")).to.equal(3);
    local.upsertContributor(contributorNode({ name: "c", poc: 40 }));
    expect(order()).to.deep.equal(["c", "a", "b"]);
    local.removeContributor(contributorNode({ name: "a" }));
    expect(order()).to.deep.equal(["c", "b"]);
  });
});
