import { readFileSync } from "node:fs";
import { expect } from "chai";
import { renderReadme } from "../../../hack/readme-reference.js";

describe("README reference sections", () => {
  it("match the CRD schemas and the CLI (regenerate with `npx tsx hack/readme-reference.ts --write`)", async () => {
    const readme = readFileSync("README.md", "utf8");
    expect((await renderReadme(readme)) === readme, "README.md's generated sections are stale").to.equal(
      true,
    );
  });

  it("documents every field of every kind and every leaf command", () => {
    const readme = readFileSync("README.md", "utf8");
    for (const field of [
      "spec.maxPricePerSCUHour",
      "status.escrow.remaining",
      "spec.owner",
      "status.meteredSCUSeconds",
    ])
      expect(readme).to.contain(`\`${field}\``);
    for (const command of ["uranus validate", "uranus up", "uranus chain start", "uranus keys create"])
      expect(readme).to.contain(`#### \`${command}`);
  });
});
