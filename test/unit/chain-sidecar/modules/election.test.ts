import { expect } from "chai";
import fc from "fast-check";
import {
  MAX_TOTAL_VOTING_POWER,
  compareCandidates,
  elect,
} from "../../../../chain-sidecar/modules/staking/election.js";

const operator = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => "0x" + Buffer.from(b).toString("hex"));
const candidates = (maxWeight: bigint) =>
  fc.uniqueArray(fc.record({ operator, weight: fc.bigInt({ min: 0n, max: maxWeight }) }), {
    selector: (c) => c.operator,
    maxLength: 80,
  });

describe("chain-sidecar modules: validator election", () => {
  it("picks exactly the top weights, ties broken by ascending operator address, independent of input order", () => {
    fc.assert(
      fc.property(candidates(20n), fc.integer({ min: 1, max: 60 }), fc.nat(), (list, max, shift) => {
        const rotated = [
          ...list.slice(shift % (list.length || 1)),
          ...list.slice(0, shift % (list.length || 1)),
        ];
        const elected = elect(rotated, max);
        const expected = list
          .filter((c) => c.weight > 0n)
          .sort((a, b) =>
            a.weight !== b.weight ? (a.weight > b.weight ? -1 : 1) : a.operator < b.operator ? -1 : 1,
          )
          .slice(0, max);
        expect(elected.map((e) => e.operator)).to.deep.equal(expected.map((c) => c.operator));
        expect(elect(list, max)).to.deep.equal(elected);
        for (const loser of list.filter((c) => !elected.some((e) => e.operator === c.operator))) {
          for (const winner of elected) expect(compareCandidates(winner, loser)).to.equal(-1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps powers equal to weights while they fit, and scales them into CometBFT's limit otherwise", () => {
    fc.assert(
      fc.property(candidates(2n ** 80n), fc.integer({ min: 1, max: 60 }), (list, max) => {
        const elected = elect(list, max);
        const total = elected.reduce((s, e) => s + e.power, 0n);
        const weights = elected.reduce((s, e) => s + e.weight, 0n);
        expect(total <= MAX_TOTAL_VOTING_POWER).to.equal(true);
        for (const e of elected) {
          expect(e.power >= 1n).to.equal(true);
          if (weights <= MAX_TOTAL_VOTING_POWER) expect(e.power).to.equal(e.weight);
        }
        for (let i = 1; i < elected.length; i++)
          expect(elected[i - 1]!.power >= elected[i]!.power).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });
});
