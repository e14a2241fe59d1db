import { expect } from "chai";
import fc from "fast-check";
import { sha256 } from "../../../../chain-sidecar/state/sha256.js";
import { keyPath } from "../../../../chain-sidecar/state/trie-paths.js";

const encoder = new TextEncoder();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const pathOf = (key: string): Uint8Array => keyPath(encoder.encode(key));

describe("keyPath", () => {
  it("is two bytes of sha256(the key up to its second slash) then sha256(the key)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{1,8}\/[a-z]{1,8}\/$/),
        fc.stringMatching(/^[a-z0-9/]{0,20}$/),
        (family, rest) => {
          const path = pathOf(family + rest);
          expect(path.length).to.equal(34);
          expect(hex(path.subarray(0, 2))).to.equal(hex(sha256(encoder.encode(family)).subarray(0, 2)));
          expect(hex(path.subarray(2))).to.equal(hex(sha256(encoder.encode(family + rest))));
        },
      ),
    );
  });

  it("puts a key with fewer than two slashes in a family of its own", () => {
    for (const key of ["params/metering", "height", "a/"]) {
      expect(hex(pathOf(key).subarray(0, 2))).to.equal(hex(sha256(encoder.encode(key)).subarray(0, 2)));
    }
  });

  it("gives the chain's record families distinct subtrees (a shared one would mix hot keys with cold ones)", () => {
    const families = [
      "bank/account/",
      "federation/assigned/",
      "federation/cluster/",
      "federation/open/",
      "federation/operator/",
      "federation/order/",
      "governance/proposal/",
      "market/breach/",
      "market/contract/",
      "market/expiry/",
      "market/lease/",
      "market/payer/",
      "market/rating/",
      "market/replica/",
      "market/served/",
      "metering/batch/",
      "metering/batchcount/",
      "metering/closedpod/",
      "metering/contract/",
      "metering/contributor/",
      "metering/pod/",
      "metering/prune/",
      "metering/retire/",
      "poc/deadline/",
      "poc/demand/",
      "poc/node/",
      "poc/owner/",
      "staking/active/",
      "staking/consensus/",
      "staking/liveness/",
      "staking/loan/",
      "staking/unbonding/",
      "staking/validator/",
      "staking/vote/",
    ];
    const leads = new Set(families.map((family) => hex(pathOf(`${family}x`).subarray(0, 2))));
    expect(leads.size).to.equal(families.length);
  });
});
