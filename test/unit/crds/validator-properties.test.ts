// Property tests: for arbitrary values of a field, the offline verdict follows the rule the CRD states.
import { expect } from "chai";
import fc from "fast-check";
import { CrdCatalog } from "../../../crds/validate/crd-catalog.js";
import { ManifestValidator } from "../../../crds/validate/validator.js";

const validator = new ManifestValidator(CrdCatalog.fromDirectory());

function contract(spec: Record<string, unknown>): unknown {
  return {
    apiVersion: "uranus.io/v1alpha1",
    kind: "ComputeContract",
    metadata: { name: "property" },
    spec: {
      maxPricePerSCUHour: "10",
      budget: "100",
      payer: { secretRef: { name: "payer-key" } },
      template: { spec: { image: "busybox", size: { scu: 1 } } },
      ...spec,
    },
  };
}

function contributor(owner: unknown): unknown {
  return {
    apiVersion: "uranus.io/v1alpha1",
    kind: "ContributorNode",
    metadata: { name: "property" },
    spec: { nodeName: "n", owner, region: "r", pricePerSCUHour: "1" },
  };
}

const isValid = (object: unknown) => validator.validate(object).status === "valid";

describe("crds: offline verdicts follow the CRD rules for any value", () => {
  it("replicas: valid exactly when 1 <= replicas <= 1000", () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), (replicas) => {
        expect(isValid(contract({ replicas }))).to.equal(replicas >= 1 && replicas <= 1000);
      }),
    );
  });

  it("budget: any positive integer of up to 78 digits is valid, zero is not, and amounts stay exact", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 78n - 1n }), (amount) => {
        expect(isValid(contract({ budget: amount.toString() }))).to.equal(amount > 0n);
      }),
    );
  });

  it("budget: any text that is not plain decimal digits is refused", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((s) => !/^[1-9][0-9]*$/.test(s)),
        (text) => {
          expect(isValid(contract({ budget: text }))).to.equal(false);
        },
      ),
    );
  });

  it("owner: valid exactly when it is 0x and 40 hexadecimal characters", () => {
    const hex = fc.stringMatching(/^[0-9a-fA-F]{0,44}$/);
    fc.assert(
      fc.property(hex, fc.boolean(), (digits, prefixed) => {
        const owner = prefixed ? `0x${digits}` : digits;
        expect(isValid(contributor(owner))).to.equal(prefixed && digits.length === 40);
      }),
    );
  });

  it("size: valid exactly when scu or some of cpu/memory/storage is given, not both", () => {
    const part = (...values: (string | number)[]) =>
      fc.option(fc.constantFrom(...values), { nil: undefined });
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        part(1, "500m", "0.5"),
        part("512Mi", "2G", 1024),
        part("20Gi", "1e9"),
        (scu, cpu, memory, storage) => {
          const size = Object.fromEntries(
            Object.entries({ scu, cpu, memory, storage }).filter(([, v]) => v !== undefined),
          );
          const resources = cpu !== undefined || memory !== undefined || storage !== undefined;
          const object = contract({ template: { spec: { image: "busybox", size } } });
          expect(isValid(object)).to.equal((scu !== undefined) !== resources);
        },
      ),
    );
  });
});
