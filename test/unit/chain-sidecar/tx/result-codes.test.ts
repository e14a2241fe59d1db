import { readFileSync } from "node:fs";
import { expect } from "chai";
import { ResultCode, resultCodeName } from "../../../../chain-sidecar/tx/result-codes.js";

// The published table is data, written once: clients and the README name these numbers, so none may ever change.
const PUBLISHED_CODES = JSON.parse(
  readFileSync(new URL("../../../fixtures/published-result-codes.json", import.meta.url), "utf8"),
) as Record<string, number>;

describe("result codes: published numbers never change", () => {
  it("keeps every published code at its number (clients and the README name them)", () => {
    expect(ResultCode).to.deep.equal(PUBLISHED_CODES);
  });

  it("names a code, and one newer than this build by its number", () => {
    expect(resultCodeName(23)).to.equal("DUPLICATE");
    expect(resultCodeName(57)).to.equal("CODE_57");
  });
});
