// Property tests of size.cpu/memory/storage: the offline verdict (pattern plus the CEL bound, evaluated in doubles)
// agrees with the exact value the operator's own quantity parser reads, and every size it accepts maps to an SCU
// count the chain accepts.
import { expect } from "chai";
import fc from "fast-check";
import { MAX_SCU, quantityPattern, type ResourceDimension } from "../../../crds/schema/quantity.js";
import { CrdCatalog } from "../../../crds/validate/crd-catalog.js";
import { ManifestValidator } from "../../../crds/validate/validator.js";
import { ScuScale } from "../../../units/scu-scale.js";
import { parseQuantityNano } from "../../../units/resource-quantity.js";

const validator = new ManifestValidator(CrdCatalog.fromDirectory());
const NANO = 1_000_000_000n;
const GI = 2n ** 30n;

const CAP_NANO: Record<ResourceDimension, bigint> = {
  cpu: BigInt(MAX_SCU) * NANO,
  memory: 2n * BigInt(MAX_SCU) * GI * NANO,
  storage: 20n * BigInt(MAX_SCU) * GI * NANO,
};

const SUFFIXES: Record<ResourceDimension, string[]> = {
  cpu: ["", "m"],
  memory: ["", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"],
  storage: ["", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"],
};

function powerContainer(size: Record<string, unknown>): unknown {
  return {
    apiVersion: "uranus.io/v1alpha1",
    kind: "PowerContainer",
    metadata: { name: "property" },
    spec: { image: "busybox", size },
  };
}

const isValid = (size: Record<string, unknown>) =>
  validator.validate(powerContainer(size)).status === "valid";

/** Quantities in the accepted syntax: digits, an optional fraction, then a suffix or an exponent of at most 30. */
function wellFormed(dimension: ResourceDimension): fc.Arbitrary<string> {
  // Plain digit strings, and numbers up to about three times each cap in every unit, so bounds are crossed often.
  const digits = fc.oneof(
    fc.stringMatching(/^[0-9]{1,7}$/),
    ...[3_000, 3_000_000, 3_000_000_000].map((max) => fc.nat({ max }).map(String)),
  );
  const number = fc.oneof(
    digits,
    fc.tuple(digits, fc.stringMatching(/^[0-9]{0,6}$/)).map(([whole, fraction]) => `${whole}.${fraction}`),
    fc.stringMatching(/^[0-9]{1,6}$/).map((fraction) => `.${fraction}`),
  );
  const tail = fc.oneof(
    fc.constantFrom(...SUFFIXES[dimension]),
    fc
      .tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+"), fc.integer({ min: 0, max: 30 }))
      .map(([e, sign, exponent]) => `${e}${sign}${exponent}`),
  );
  return fc.tuple(number, tail).map(([n, t]) => n + t);
}

/** Whole numbers within a hundred units of the cap, written with each suffix of the dimension. */
function nearCap(dimension: ResourceDimension): fc.Arbitrary<string> {
  const forms = SUFFIXES[dimension].map((suffix) => {
    const unitNano = parseQuantityNano(`1${suffix}`);
    const atCap = CAP_NANO[dimension] / unitNano;
    return fc
      .bigInt({ min: atCap > 100n ? atCap - 100n : 0n, max: atCap + 100n })
      .map((value) => `${value}${suffix}`);
  });
  return fc.oneof(...forms);
}

describe("crds: size quantities follow their exact value", () => {
  for (const dimension of ["cpu", "memory", "storage"] as const) {
    const cap = CAP_NANO[dimension];

    it(`${dimension}: a well-formed string is valid exactly when 0 < value <= the cap`, () => {
      fc.assert(
        fc.property(fc.oneof(wellFormed(dimension), nearCap(dimension)), (text) => {
          const nanos = parseQuantityNano(text);
          // Within a trillionth of the cap, doubles (which the rule computes in) and exact values may round apart.
          const distance = nanos > cap ? nanos - cap : cap - nanos;
          fc.pre(distance * 1_000_000_000_000n > cap);
          expect(isValid({ [dimension]: text }), text).to.equal(nanos > 0n && nanos <= cap);
        }),
        { numRuns: 500 },
      );
    });

    it(`${dimension}: an integer is valid exactly when 1 <= value <= the cap`, () => {
      const max = Number(cap / NANO);
      const values = fc.oneof(
        fc.integer({ min: -10, max: max * 2 }),
        fc.integer({ min: max - 3, max: max + 3 }),
      );
      fc.assert(
        fc.property(values, (value) => {
          expect(isValid({ [dimension]: value }), String(value)).to.equal(value >= 1 && value <= max);
        }),
      );
    });

    it(`${dimension}: any short text is valid only in the accepted syntax`, () => {
      const pattern = new RegExp(quantityPattern(dimension));
      fc.assert(
        fc.property(fc.stringMatching(/^[-+0-9.eEkKMGTPEimnu ]{0,8}$/), (text) => {
          if (!pattern.test(text)) expect(isValid({ [dimension]: text }), text).to.equal(false);
          else {
            const nanos = parseQuantityNano(text);
            expect(isValid({ [dimension]: text }), text).to.equal(nanos > 0n && nanos <= cap);
          }
        }),
        { numRuns: 500 },
      );
    });
  }

  it("every accepted size maps to 1..MAX_SCU standard units, as the operator computes them", () => {
    const scale = new ScuScale();
    const part = (dimension: ResourceDimension) => fc.option(wellFormed(dimension), { nil: undefined });
    fc.assert(
      fc.property(part("cpu"), part("memory"), part("storage"), (cpu, memory, storage) => {
        const size = Object.fromEntries(
          Object.entries({ cpu, memory, storage }).filter(([, v]) => v !== undefined),
        );
        fc.pre(Object.keys(size).length > 0 && isValid(size));
        const scu = scale.containerScu(size);
        expect(scu, JSON.stringify(size)).to.be.within(1, MAX_SCU);
      }),
      { numRuns: 300 },
    );
  });
});
