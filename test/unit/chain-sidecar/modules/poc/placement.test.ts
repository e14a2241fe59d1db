import { createHash } from "node:crypto";
import { expect } from "chai";
import fc from "fast-check";
import {
  DEFAULT_PLACEMENT_PARAMS,
  PlacementInputError,
  partitionIntoTiers,
  pickTier,
  rankForPod,
  type PlacementCandidate,
} from "../../../../../chain-sidecar/modules/poc/placement.js";

/** A UUID-shaped UID derived from an index, so the 10,000-pod sample is the same on every run. */
function podUid(index: number): string {
  const hex = createHash("sha256").update(`pod-${index}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** 40 nodes with distinct PoC: node-00 highest. */
const forty: PlacementCandidate[] = Array.from({ length: 40 }, (_, i) => ({
  name: `node-${String(i).padStart(2, "0")}`,
  poc: BigInt(10_000 - i * 100),
}));

const SAMPLE = 10_000;

/** Candidates from a table of PoC by node name, in the table's order. */
function candidates(pocByName: Record<string, bigint>): PlacementCandidate[] {
  return Object.entries(pocByName).map(([name, poc]) => ({ name, poc }));
}

/** The tier each candidate falls in when split four ways. */
function tierOfEach(nodes: PlacementCandidate[]): Record<string, number> {
  return Object.fromEntries(partitionIntoTiers(nodes, 4).map(({ node, tier }) => [node.name, tier]));
}

describe("PoC partition round-robin placement", () => {
  describe("tier shares over 10,000 pod UIDs", () => {
    const counts = [0, 0, 0, 0];
    before(() => {
      for (let i = 0; i < SAMPLE; i++) {
        const { chosenTier } = rankForPod(forty, podUid(i));
        counts[chosenTier!]!++;
      }
    });

    it("gives higher tiers more pods", () => {
      for (let tier = 1; tier < counts.length; tier++) {
        expect(counts[tier - 1], `tier ${tier - 1} vs tier ${tier}: ${counts.join("/")}`).to.be.greaterThan(
          counts[tier]!,
        );
      }
    });

    it("gives each tier its weight's share within four standard deviations (lowest tier 10 % ± 1.2 points)", () => {
      const total = DEFAULT_PLACEMENT_PARAMS.tierWeights.reduce((a, b) => a + b, 0);
      DEFAULT_PLACEMENT_PARAMS.tierWeights.forEach((weight, tier) => {
        const expected = weight / total;
        const tolerance = 4 * Math.sqrt((expected * (1 - expected)) / SAMPLE);
        expect(counts[tier]! / SAMPLE, `tier ${tier} share (${counts.join("/")})`).to.be.closeTo(
          expected,
          tolerance,
        );
      });
      expect(counts[3]! / SAMPLE, "lowest tier share").to.be.closeTo(0.1, 0.012);
    });

    it("puts the chosen tier's highest-PoC node first", () => {
      const { ranking, chosenTier } = rankForPod(forty, podUid(7));
      const first = ranking[0]!;
      expect(first.tier).to.equal(chosenTier);
      expect(first.name).to.equal(`node-${String(chosenTier! * 10).padStart(2, "0")}`);
    });
  });

  it("keeps the hash rule fixed: known UIDs pick known tiers", () => {
    // Consensus depends on this rule; a change to the hash, domain or draw must be deliberate.
    const picks = Array.from({ length: 12 }, (_, i) => pickTier(podUid(i)));
    const again = Array.from({ length: 12 }, (_, i) => {
      const digest = createHash("sha256").update("uranus/poc-placement/v1\n").update(podUid(i)).digest();
      const draw = Number(digest.readBigUInt64BE(0) % 10n);
      return draw < 4 ? 0 : draw < 7 ? 1 : draw < 9 ? 2 : 3;
    });
    expect(picks).to.deep.equal(again);
    expect(new Set(picks).size, "a dozen UIDs reach more than one tier").to.be.greaterThan(1);
  });

  it("splits candidates into rank quartiles, highest PoC in tier 0", () => {
    const tiers = partitionIntoTiers(forty, 4);
    for (const { node, tier } of tiers) {
      expect(tier, node.name).to.equal(Math.floor(Number(node.name.slice(5)) / 10));
    }
  });

  it("never splits equal PoC across a tier boundary", () => {
    const nodes = candidates({ a: 50n, b: 40n, c: 40n, d: 40n, e: 10n, f: 5n, g: 1n, h: 0n });
    expect(tierOfEach(nodes)).to.deep.equal({ a: 0, b: 0, c: 0, d: 0, e: 2, f: 2, g: 3, h: 3 });
  });

  it("ranks within the chosen tier by PoC descending, ties by name", () => {
    const nodes = candidates({ z: 7n, m: 9n, b: 7n, q: 8n });
    const { ranking } = rankForPod(nodes, podUid(1), { tierWeights: [1] });
    expect(ranking.map((r) => r.name)).to.deep.equal(["m", "q", "b", "z"]);
    expect(ranking.map((r) => r.rankInTier)).to.deep.equal([0, 1, 2, 3]);
  });

  it("falls back to the next lower tier, wrapping to the top, when the picked tier is empty", () => {
    // Two candidates and four tiers: only tiers 0 and 2 are populated.
    const nodes = candidates({ high: 100n, low: 1n });
    expect(tierOfEach(nodes)).to.deep.equal({ high: 0, low: 2 });
    const expectedChosen = [0, 2, 2, 0];
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const result = rankForPod(nodes, podUid(i));
      seen.add(result.pickedTier);
      expect(result.chosenTier, `picked ${result.pickedTier}`).to.equal(expectedChosen[result.pickedTier]);
      expect(result.ranking[0]!.tier).to.equal(result.chosenTier);
      expect(result.ranking.map((r) => r.group)).to.deep.equal([0, 1]);
      expect(result.ranking).to.have.length(2);
    }
    expect([...seen].sort()).to.deep.equal([0, 1, 2, 3]);
  });

  it("returns an empty ranking and no chosen tier without candidates", () => {
    const result = rankForPod([], podUid(3));
    expect(result.ranking).to.deep.equal([]);
    expect(result.chosenTier).to.equal(undefined);
    expect(result.pickedTier).to.be.within(0, 3);
  });

  it("gives identical results across runs and input orderings", () => {
    const candidates = fc.uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
        poc: fc.bigInt({ min: 0n, max: 1n << 60n }),
      }),
      { selector: (c) => c.name, minLength: 0, maxLength: 60 },
    );
    const withShuffle = candidates.chain((nodes) =>
      fc.tuple(
        fc.constant(nodes),
        fc.shuffledSubarray(nodes, { minLength: nodes.length, maxLength: nodes.length }),
      ),
    );
    fc.assert(
      fc.property(withShuffle, fc.uuid(), ([nodes, shuffled], uid) => {
        const first = rankForPod(nodes, uid);
        expect(rankForPod(shuffled, uid)).to.deep.equal(first);
        expect(rankForPod(nodes, uid)).to.deep.equal(first);
        expect(new Set(first.ranking.map((r) => r.name)).size).to.equal(nodes.length);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects bad input with an error naming what is wrong", () => {
    const dup = [
      { name: "a", poc: 1n },
      { name: "a", poc: 2n },
    ];
    expect(() => rankForPod(dup, "uid")).to.throw(PlacementInputError, '"a" is listed twice');
    expect(() => rankForPod(forty, "")).to.throw(PlacementInputError, "pod UID must not be empty");
    expect(() => pickTier("uid", { tierWeights: [] })).to.throw(PlacementInputError, "at least one tier");
    expect(() => pickTier("uid", { tierWeights: [3, 0] })).to.throw(PlacementInputError, "tierWeights[1]");
    expect(() => pickTier("uid", { tierWeights: [2, 1.5] })).to.throw(PlacementInputError, "tierWeights[1]");
    expect(() => pickTier("uid", { tierWeights: [1, 2] })).to.throw(PlacementInputError, "must not increase");
  });
});
