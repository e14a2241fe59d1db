import { expect } from "chai";
import { ResultCode, resultCodeName } from "../../../../chain-sidecar/tx/result-codes.js";

describe("result codes: published numbers never change", () => {
  it("keeps every published code at its number (clients and the README name them)", () => {
    expect(ResultCode).to.deep.equal({
      OK: 0,
      UNDECODABLE: 1,
      OVERSIZE: 2,
      UNKNOWN_TYPE: 3,
      WRONG_CHAIN_ID: 4,
      BAD_SIGNATURE: 5,
      STALE_NONCE: 6,
      FUTURE_NONCE: 7,
      INSUFFICIENT_FUNDS: 8,
      INVALID_FIELD: 9,
      UNAUTHORISED: 10,
      NOT_FOUND: 11,
      ALREADY_EXISTS: 12,
      JAILED: 13,
      NOT_JAILED: 14,
      TOO_EARLY: 15,
      HEIGHT_UNAVAILABLE: 16,
      PROOF_UNAVAILABLE: 17,
      WRONG_STATE: 18,
      DOUBLE_BILLED: 19,
      NO_LEASE: 20,
      ROOT_MISMATCH: 21,
      PLACEMENT_REJECTED: 22,
      DUPLICATE: 23,
      INTERNAL: 99,
    });
  });

  it("names a code, and one newer than this build by its number", () => {
    expect(resultCodeName(23)).to.equal("DUPLICATE");
    expect(resultCodeName(57)).to.equal("CODE_57");
  });
});
