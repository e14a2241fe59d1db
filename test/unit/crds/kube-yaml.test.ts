import { expect } from "chai";
import { parseManifestStream } from "../../../crds/validate/kube-yaml.js";

describe("crds: manifests parse as kubectl parses them", () => {
  // Expected values are what `kubectl create --dry-run=client -o json` printed for the same scalars.
  const cases: [string, unknown][] = [
    ["yes", true],
    ["on", true],
    ["No", false],
    ["0x10", 16],
    ["0x8ba1f109551bD432803012645Ac136ddd64DBA72", "0x8ba1f109551bD432803012645Ac136ddd64DBA72"],
    ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"],
    ["1:30", "1:30"],
    ["0755", 493],
    ["0o17", 15],
    ["1_000", 1000],
    ["~", null],
    ["12e3", 12000],
    ["500m", "500m"],
    ['"42"', "42"],
    ["-7", -7],
    ["2.5", 2.5],
  ];

  for (const [scalar, expected] of cases) {
    it(`reads ${scalar} as ${JSON.stringify(expected)}`, () => {
      const [document] = parseManifestStream(`value: ${scalar}\n`);
      expect(document!.error).to.equal(undefined);
      expect((document!.value as { value: unknown }).value).to.deep.equal(expected);
    });
  }

  it("rejects duplicate keys", () => {
    const [document] = parseManifestStream("a: 1\na: 2\n");
    expect(document!.error).to.match(/unique/);
  });
});
