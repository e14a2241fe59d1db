import { expect } from "chai";
import fc from "fast-check";
import {
  accrue,
  skipTo,
  totalAt,
  type AccruedTotal,
} from "../../../../../chain-sidecar/modules/poc/accrual.js";
import { gradientLevel } from "../../../../../chain-sidecar/modules/poc/gradient.js";

/** The definition, block by block: add the rate at each online block, halve at every multiple of T. */
function reference(
  start: bigint,
  fromHeight: number,
  toHeight: number,
  rate: bigint,
  halvingBlocks: number,
): bigint {
  let total = start;
  for (let h = fromHeight + 1; h <= toHeight; h++) {
    total += rate;
    if (h % halvingBlocks === 0) total >>= 1n;
  }
  return total;
}

const origin: AccruedTotal = { total: 0n, totalEpoch: 0, accruedTo: 0 };

describe("poc accrual: the total accumulates while online and halves every T blocks", () => {
  it("matches the block-by-block definition for any rate, T and span", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 400 }),
        (rate, halvingBlocks, blocks) => {
          const lazy = accrue(origin, rate, blocks, halvingBlocks);
          expect(lazy.total).to.equal(reference(0n, 0, blocks, rate, halvingBlocks));
          expect(lazy.totalEpoch).to.equal(Math.floor(blocks / halvingBlocks));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("does not depend on how often the node proves it is online (any split of the same span)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 20 }),
        (rate, halvingBlocks, steps) => {
          let split = origin;
          let height = 0;
          for (const step of steps) {
            height += step;
            split = accrue(split, rate, height, halvingBlocks);
          }
          expect(split).to.deep.equal(accrue(origin, rate, height, halvingBlocks));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("halves an idle total exactly once per T blocks, rounding down", () => {
    const T = 100;
    const accrued = accrue(origin, 1_000_001n, 150, T);
    const atStop = totalAt(accrued, 150, T);
    expect(totalAt(accrued, 199, T)).to.equal(atStop);
    expect(totalAt(accrued, 200, T)).to.equal(atStop / 2n);
    expect(totalAt(accrued, 299, T)).to.equal(atStop / 2n);
    expect(totalAt(accrued, 300, T)).to.equal(atStop / 4n);
    expect(totalAt(accrued, 100 * T, T)).to.equal(atStop >> 99n);
  });

  it("gives nothing for offline blocks: skipping a gap only applies the halvings inside it", () => {
    const T = 10;
    const before = accrue(origin, 64n, 5, T);
    const resumed = skipTo(before, 37, T);
    expect(resumed.accruedTo).to.equal(37);
    expect(resumed.total).to.equal(totalAt(before, 37, T));
    expect(accrue(resumed, 64n, 39, T).total).to.equal(resumed.total + 2n * 64n);
    expect(accrue(resumed, 64n, 40, T).total, "40 is a boundary").to.equal((resumed.total + 3n * 64n) / 2n);
  });
});

describe("poc gradient: bucketed levels of a measured value", () => {
  it("is 0 below the first bucket, then rises by one per doubling up to the cap", () => {
    expect(gradientLevel(999n, 1000n, 8)).to.equal(0n);
    expect(gradientLevel(1000n, 1000n, 8)).to.equal(1n);
    expect(gradientLevel(1999n, 1000n, 8)).to.equal(1n);
    expect(gradientLevel(2000n, 1000n, 8)).to.equal(2n);
    expect(gradientLevel(4000n, 1000n, 8)).to.equal(3n);
    expect(gradientLevel(10n ** 30n, 1000n, 8)).to.equal(8n);
  });

  it("never decreases as the value grows", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        (a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(gradientLevel(low, 1024n, 16) <= gradientLevel(high, 1024n, 16)).to.equal(true);
        },
      ),
    );
  });
});
