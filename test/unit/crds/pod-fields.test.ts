// Every field that reaches the Pod is checked on apply: each bad case is refused offline naming its field, by the
// validator and by `uranus validate -f`, and each good case passes. test/integration/crds/pod-fields.test.ts
// checks the same table against the real kube-apiserver.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { stringify } from "yaml";
import { main } from "../../../cli/uranus-program.js";
import { CrdCatalog } from "../../../crds/validate/crd-catalog.js";
import type { Verdict } from "../../../crds/validate/manifest-files.js";
import { ManifestValidator } from "../../../crds/validate/validator.js";
import {
  badFieldObjects,
  goodFieldObjects,
  type CaseObject,
} from "../../fixtures/manifests/pod-field-cases.js";

const validator = new ManifestValidator(CrdCatalog.fromDirectory());

/** `uranus validate --output json -f DIR` in this process, output captured. */
async function validateDirectory(directory: string): Promise<{ code: number; verdicts: Verdict[] }> {
  let stdout = "";
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  };
  try {
    const code = await main(["--output", "json", "validate", "-f", directory]);
    return { code, verdicts: JSON.parse(stdout) as Verdict[] };
  } finally {
    process.stdout.write = write;
  }
}

function writeAll(objects: CaseObject[]): string {
  const directory = mkdtempSync(join(tmpdir(), "uranus-pod-fields-"));
  for (const { name, object } of objects) writeFileSync(join(directory, `${name}.yaml`), stringify(object));
  return directory;
}

describe("crds: every field that reaches the pod is validated on apply", () => {
  const bad = badFieldObjects();
  const good = goodFieldObjects();

  it("has a table of distinct cases, each as a PowerContainer and a ComputeContract unless it is template metadata", () => {
    expect(bad.length).to.be.at.least(150);
    expect(new Set(bad.map((c) => c.name)).size).to.equal(bad.length);
    expect(new Set(good.map((c) => c.name)).size).to.equal(good.length);
    for (const c of bad.filter((o) => o.case.metadata === undefined))
      expect(bad.filter((o) => o.case === c.case).map((o) => o.kind)).to.have.members([
        "PowerContainer",
        "ComputeContract",
      ]);
  });

  for (const c of bad) {
    it(`refuses ${c.name}, naming ${c.field} and nothing else`, () => {
      const verdict = validator.validate(c.object);
      expect(verdict.status, verdict.message).to.equal("invalid");
      expect(verdict.message).to.include(c.field);
      const named = verdict.errors.map((e) => e.field).filter((field) => field !== "<nil>");
      expect(named, verdict.message).to.not.be.empty;
      expect(new Set(named), verdict.message).to.deep.equal(new Set([c.field]));
    });
  }

  for (const c of good) {
    it(`accepts ${c.name}`, () => {
      const verdict = validator.validate(c.object);
      expect(verdict.status, verdict.message).to.equal("valid");
    });
  }

  describe("uranus validate -f", function () {
    this.timeout(60_000);
    const directories: string[] = [];
    after(() => {
      for (const directory of directories) rmSync(directory, { recursive: true, force: true });
    });

    it("refuses every bad case, one verdict per file, naming the field", async () => {
      const directory = writeAll(bad);
      directories.push(directory);
      const { code, verdicts } = await validateDirectory(directory);
      expect(code).to.equal(1);
      expect(verdicts).to.have.length(bad.length);
      for (const c of bad) {
        const verdict = verdicts.find((v) => v.name === c.name);
        expect(verdict, c.name).to.not.equal(undefined);
        expect(verdict!.status, c.name).to.equal("invalid");
        expect(verdict!.message, c.name).to.include(c.field);
      }
    });

    it("accepts every good case", async () => {
      const directory = writeAll(good);
      directories.push(directory);
      const { code, verdicts } = await validateDirectory(directory);
      expect(verdicts.filter((v) => v.status !== "valid")).to.deep.equal([]);
      expect(verdicts).to.have.length(good.length);
      expect(code).to.equal(0);
    });
  });
});
