import { expect } from "chai";
import fc from "fast-check";
import { Backoff, backoffDelay } from "../../../kube-runtime/backoff.js";

describe("backoff", () => {
  it("doubles from the initial delay and stops at the cap", () => {
    const delays = Array.from({ length: 8 }, (_, attempt) =>
      backoffDelay(attempt, { initialMs: 100, maxMs: 3000 }),
    );
    expect(delays).to.deep.equal([100, 200, 400, 800, 1600, 3000, 3000, 3000]);
  });

  it("jitters downwards only, within the jitter fraction", () => {
    fc.assert(
      fc.property(fc.nat(60), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (attempt, r) => {
        const options = { initialMs: 50, maxMs: 10_000, jitter: 0.5, random: () => r };
        const plain = backoffDelay(attempt, { initialMs: 50, maxMs: 10_000 });
        const delay = backoffDelay(attempt, options);
        expect(delay).to.be.at.most(plain);
        expect(delay).to.be.at.least(plain * 0.5);
      }),
    );
  });

  it("counts failures until reset", () => {
    const backoff = new Backoff({ initialMs: 1, maxMs: 4 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).to.deep.equal([1, 2, 4, 4]);
    expect(backoff.attempts).to.equal(4);
    backoff.reset();
    expect(backoff.next()).to.equal(1);
  });
});
