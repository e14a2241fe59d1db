import { expect } from "chai";
import fc from "fast-check";
import { QuantityError, parseQuantityNano } from "../../../units/resource-quantity.js";

describe("Kubernetes quantities", () => {
  it("reads every suffix and form exactly, in nano-units", () => {
    const cases: [string | number, bigint][] = [
      ["1", 1_000_000_000n],
      [2, 2_000_000_000n],
      ["100m", 100_000_000n],
      ["1500u", 1_500_000n],
      ["7n", 7n],
      ["0.5", 500_000_000n],
      [".25", 250_000_000n],
      ["2k", 2_000n * 1_000_000_000n],
      ["20G", 20n * 10n ** 18n],
      ["2Gi", 2n * 2n ** 30n * 1_000_000_000n],
      ["0.5Gi", 2n ** 29n * 1_000_000_000n],
      ["64Mi", 64n * 2n ** 20n * 1_000_000_000n],
      ["1e3", 1_000n * 1_000_000_000n],
      ["12E-1", 1_200_000_000n],
      ["1Ei", 2n ** 60n * 1_000_000_000n],
      ["0", 0n],
    ];
    for (const [text, nano] of cases) expect(parseQuantityNano(text), String(text)).to.equal(nano);
  });

  it("rounds sub-nano fractions up", () => {
    expect(parseQuantityNano("0.0000000001")).to.equal(1n);
    expect(parseQuantityNano("1.5n")).to.equal(2n);
  });

  it("agrees with integer × multiplier for every binary suffix", () => {
    const multipliers: [string, bigint][] = [
      ["Ki", 2n ** 10n],
      ["Mi", 2n ** 20n],
      ["Gi", 2n ** 30n],
      ["Ti", 2n ** 40n],
    ];
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.constantFrom(...multipliers), (n, [suffix, multiplier]) => {
        expect(parseQuantityNano(`${n}${suffix}`)).to.equal(BigInt(n) * multiplier * 1_000_000_000n);
      }),
    );
  });

  it("refuses what is not a quantity, negatives and absurd exponents, naming the input", () => {
    for (const bad of ["", "abc", "1.2.3", "5Xi", "1e", "--1", "-1", "1e99999"]) {
      expect(() => parseQuantityNano(bad), bad).to.throw(QuantityError, JSON.stringify(bad));
    }
  });
});
