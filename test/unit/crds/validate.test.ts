import { execFile } from "node:child_process";
import { basename } from "node:path";
import { expect } from "chai";
import { main } from "../../../cli/uranus-program.js";
import { CrdCatalog } from "../../../crds/validate/crd-catalog.js";
import { validatePaths, validateText, type Verdict } from "../../../crds/validate/manifest-files.js";
import { ManifestValidator } from "../../../crds/validate/validator.js";
import { badManifests, exampleManifests, goodManifests } from "../../fixtures/manifests/corpus.js";

const validator = new ManifestValidator(CrdCatalog.fromDirectory());
const noStdin = () => {
  throw new Error("stdin is not used here");
};

function verdictsOf(path: string): Verdict[] {
  return validatePaths([path], validator, noStdin);
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `uranus` entry point in a child process: exit code, stdin and all. */
function runCli(args: string[], input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      "node",
      ["cli/uranus.js", ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
          stdout,
          stderr,
        });
      },
    );
    child.stdin?.end(input ?? "");
  });
}

/** The same command in this process (a child costs seconds of TypeScript loading), output captured. */
async function runInProcess(args: string[]): Promise<CliResult> {
  const captured = { stdout: "", stderr: "" };
  const writes = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };
  process.stdout.write = (chunk: string | Uint8Array) => {
    captured.stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  };
  process.stderr.write = (chunk: string | Uint8Array) => {
    captured.stderr += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  };
  try {
    const code = await main(args);
    return { code, ...captured };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
}

describe("crds: uranus validate on the manifest corpus", () => {
  const good = [...exampleManifests(), ...goodManifests()];
  const bad = badManifests();

  it("has a corpus of at least 25 bad manifests, each naming a distinct case", () => {
    expect(bad.length).to.be.at.least(25);
    expect(new Set(bad.map((b) => b.file)).size).to.equal(bad.length);
  });

  for (const file of good) {
    it(`accepts ${file.replace(/^.*\/(examples|good)\//, "$1/")}`, () => {
      const verdicts = verdictsOf(file);
      expect(verdicts.filter((v) => v.status === "valid")).to.not.be.empty;
      for (const verdict of verdicts) expect(verdict.status, verdict.message).to.not.equal("invalid");
    });
  }

  for (const { file, field } of bad) {
    it(`rejects bad/${basename(file)} naming ${field}`, () => {
      const verdicts = verdictsOf(file);
      expect(verdicts).to.have.length(1);
      const [verdict] = verdicts;
      expect(verdict!.status).to.equal("invalid");
      expect(verdict!.message).to.include(field);
      expect(verdict!.errors.map((e) => e.field)).to.include(field);
    });
  }
});

describe("crds: uranus validate words its verdicts as kube-apiserver v1.32 does", () => {
  // Each expectation is the message the real apiserver returned for the same manifest.
  const cases: [string, string][] = [
    [
      "cc-zero-replicas",
      'ComputeContract.uranus.io "cc-zero-replicas" is invalid: spec.replicas: Invalid value: "integer": replicas must be at least 1',
    ],
    [
      "cc-unknown-field",
      'ComputeContract in version "v1alpha1" cannot be handled as a ComputeContract: strict decoding error: unknown field "spec.priority"',
    ],
    [
      "cc-replicas-string",
      'ComputeContract.uranus.io "cc-replicas-string" is invalid: [spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string", .spec.replicas: Invalid value: 0: .spec.replicas accessor error: two is of the type string, expected int64, <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
    ],
    [
      "cn-duplicate-isolation",
      'ContributorNode.uranus.io "cn-duplicate-isolation" is invalid: spec.isolation[1]: Duplicate value: "runc"',
    ],
    [
      "cc-duplicate-port",
      'ComputeContract.uranus.io "cc-duplicate-port" is invalid: spec.template.spec.ports[1]: Duplicate value: map[string]interface {}{"containerPort":8080, "protocol":"TCP"}',
    ],
    [
      "cc-both-payer-options",
      'ComputeContract.uranus.io "cc-both-payer-options" is invalid: spec.payer: Invalid value: "object": payer must set exactly one of secretRef or escrowContractId',
    ],
    [
      "cc-empty-regions",
      'ComputeContract.uranus.io "cc-empty-regions" is invalid: spec.placement.regions: Invalid value: "object": placement.regions must list at least one region when set',
    ],
    [
      "cc-unknown-isolation",
      'ComputeContract.uranus.io "cc-unknown-isolation" is invalid: [spec.template.spec.isolation: Unsupported value: "gvisor": supported values: "runc", "kata", <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
    ],
    [
      "cn-owner-too-long",
      'ContributorNode.uranus.io "cn-owner-too-long" is invalid: [spec.owner: Too long: may not be more than 42 bytes, <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
    ],
    [
      "cc-too-many-regions",
      'ComputeContract.uranus.io "cc-too-many-regions" is invalid: [spec.placement.regions: Too many: 33: must have at most 32 items, <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
    ],
  ];
  const byName = new Map(badManifests().map((b) => [basename(b.file, ".yaml"), b.file]));

  for (const [name, expected] of cases) {
    it(name, () => {
      expect(verdictsOf(byName.get(name)!)[0]!.message).to.equal(expected);
    });
  }
});

describe("crds: uranus validate reading streams", () => {
  const contract = (name: string, replicas: number) =>
    [
      "apiVersion: uranus.io/v1alpha1",
      "kind: ComputeContract",
      `metadata: {name: ${name}}`,
      "spec:",
      `  replicas: ${replicas}`,
      '  maxPricePerSCUHour: "1"',
      '  budget: "1"',
      "  payer: {secretRef: {name: k}}",
      "  template: {spec: {image: busybox, size: {scu: 1}}}",
    ].join("\n");

  it("numbers documents and their lines in a multi-document stream, skipping empty ones", () => {
    const text = `${contract("a", 1)}\n---\n---\n# comment\n${contract("b", 0)}\n---\n`;
    const verdicts = validateText("stream.yaml", text, validator);
    expect(verdicts.map((v) => [v.document, v.line, v.status])).to.deep.equal([
      ["1", 1, "valid"],
      ["3", 13, "invalid"],
    ]);
  });

  it("reports a YAML syntax error as an invalid document and goes on with the next", () => {
    const verdicts = validateText("broken.yaml", `spec: [\n---\n${contract("c", 1)}`, validator);
    expect(verdicts.map((v) => v.status)).to.deep.equal(["invalid", "valid"]);
    expect(verdicts[0]!.message).to.match(/^error parsing YAML: /);
  });

  it("checks every item of a List", () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${[contract("d", 1), contract("e", 0)]
      .map((c) => `- ${c.split("\n").join("\n  ")}`)
      .join("\n")}`;
    const verdicts = validateText("list.yaml", list, validator);
    expect(verdicts.map((v) => [v.document, v.name, v.status])).to.deep.equal([
      ["1.items[0]", "d", "valid"],
      ["1.items[1]", "e", "invalid"],
    ]);
  });

  it("skips kinds outside uranus.io and rejects unknown versions or kinds inside it", () => {
    const secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}";
    const v2 = contract("f", 1).replace("v1alpha1", "v2");
    const unknownKind = "apiVersion: uranus.io/v1alpha1\nkind: Wallet\nmetadata: {name: w}";
    const verdicts = validateText("mixed.yaml", [secret, v2, unknownKind].join("\n---\n"), validator);
    expect(verdicts.map((v) => v.status)).to.deep.equal(["skipped", "invalid", "invalid"]);
    expect(verdicts[1]!.message).to.equal('no matches for kind "ComputeContract" in version "uranus.io/v2"');
    expect(verdicts[2]!.message).to.equal('no matches for kind "Wallet" in version "uranus.io/v1alpha1"');
  });

  it("rejects a document without kind", () => {
    const [verdict] = validateText(
      "x.yaml",
      "apiVersion: uranus.io/v1alpha1\nmetadata: {name: x}",
      validator,
    );
    expect(verdict!.status).to.equal("invalid");
    expect(verdict!.message).to.equal("Object 'Kind' is missing");
  });

  it("reports a path that does not exist", () => {
    const [verdict] = verdictsOf("test/fixtures/manifests/no-such-dir");
    expect(verdict!.status).to.equal("invalid");
    expect(verdict!.message).to.include("does not exist");
  });
});

describe("crds: the uranus validate command", function () {
  this.timeout(60_000);

  it("exits 0 when every manifest is valid and prints a tally", async () => {
    const result = await runCli(["validate", "-f", "examples", "-f", "test/fixtures/manifests/good"]);
    expect(result.stderr).to.equal("");
    expect(result.code).to.equal(0);
    // Counts follow the folders; what matters is that nothing is invalid and something was checked.
    expect(result.stdout).to.match(/\n[1-9][0-9]* valid, 0 invalid, [0-9]+ skipped\n$/);
  });

  it("exits 1 when any manifest is invalid and names the field", async () => {
    const result = await runInProcess([
      "validate",
      "-f",
      "examples",
      "-f",
      "test/fixtures/manifests/bad/cc-zero-budget.yaml",
    ]);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.include(
      'cc-zero-budget.yaml: ComputeContract.uranus.io "cc-zero-budget" is invalid: spec.budget: Invalid value: "string": budget must be greater than 0',
    );
  });

  it("prints a machine-readable list with --output json", async () => {
    const result = await runInProcess(["--output", "json", "validate", "-f", "test/fixtures/manifests/bad"]);
    expect(result.code).to.equal(1);
    const verdicts = JSON.parse(result.stdout) as Verdict[];
    expect(verdicts).to.have.length(badManifests().length);
    for (const verdict of verdicts) {
      expect(verdict.status).to.equal("invalid");
      expect(verdict.source).to.match(/\.yaml$/);
      expect(verdict.errors).to.not.be.empty;
    }
  });

  it("reads stdin for -f -", async () => {
    const input =
      "apiVersion: uranus.io/v1alpha1\nkind: PowerContainer\nmetadata: {name: p}\nspec: {image: x, size: {scu: 0}}\n";
    const result = await runCli(["validate", "-f", "-"], input);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.include("spec.size.scu: Invalid value: 0:");
  });

  it("refuses an unknown output format", async () => {
    const result = await runInProcess(["--output", "xml", "validate", "-f", "examples"]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include("--output must be text or json");
  });

  it("requires -f", async () => {
    const result = await runInProcess(["validate"]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include("--filename");
  });
});

describe("crds: uranus validate never echoes a private key", () => {
  it("redacts key-like text from the value it reports", () => {
    const key = "0x" + "ab".repeat(32);
    const text = [
      "apiVersion: uranus.io/v1alpha1",
      "kind: ComputeContract",
      "metadata: {name: leaky}",
      "spec:",
      '  maxPricePerSCUHour: "1"',
      '  budget: "1"',
      "  payer: {secretRef: {name: k}}",
      `  template: {spec: {image: busybox, size: {scu: 1}, env: [{name: "${key}", value: x}]}}`,
    ].join("\n");
    const [verdict] = validateText("leaky.yaml", text, validator);
    expect(verdict!.status).to.equal("invalid");
    expect(verdict!.message).to.include("spec.template.spec.env[0].name");
    expect(verdict!.message).to.include("<redacted: looks like a private key>");
    expect(JSON.stringify(verdict)).to.not.include("abababab");
  });
});
