import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import { main } from "../../../cli/uranus-program.js";
import { binaryPath } from "../../../process/binaries.js";
import { run } from "../../../process/run-command.js";

interface Rendered {
  kind: string;
  metadata: { namespace?: string; labels?: Record<string, string> };
}

describe("examples/gitops", () => {
  it("renders with kustomize into a namespace and contracts that uranus validate accepts", async () => {
    const rendered = await run(binaryPath("kubectl"), ["kustomize", "examples/gitops"]);
    expect(rendered.code, rendered.stderr).to.equal(0);
    const objects = parseAllDocuments(rendered.stdout).map((doc) => doc.toJS() as Rendered);
    expect(objects.map((o) => o.kind)).to.have.members(["Namespace", "ComputeContract"]);
    for (const contract of objects.filter((o) => o.kind === "ComputeContract")) {
      expect(contract.metadata.namespace).to.equal("uranus-gitops");
      expect(contract.metadata.labels?.["app.kubernetes.io/managed-by"]).to.equal("gitops");
    }

    const dir = mkdtempSync(join(tmpdir(), "uranus-gitops-"));
    try {
      writeFileSync(join(dir, "rendered.yaml"), rendered.stdout);
      expect(await main(["validate", "-f", join(dir, "rendered.yaml")])).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
