import { expect } from "chai";
import fc from "fast-check";
import { encodeAccount } from "../../../../chain-sidecar/modules/bank/bank-keeper.js";
import { encodeRecord } from "../../../../chain-sidecar/state/canonical-json.js";

describe("chain-sidecar bank: account records", () => {
  it("encodeAccount writes exactly the canonical JSON that encodeRecord writes", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}`),
          fc.string({ unit: "binary", maxLength: 30 }),
        ),
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        (address, balance, nonce) => {
          const fast = encodeAccount({ address, balance, nonce });
          const generic = encodeRecord({ address, balance: balance.toString(), nonce });
          expect(Buffer.from(fast).toString("utf8")).to.equal(Buffer.from(generic).toString("utf8"));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a nonce that is not a safe integer, as encodeRecord does", () => {
    expect(() => encodeAccount({ address: "0x00", balance: 1n, nonce: 2 ** 53 })).to.throw("safe integer");
    expect(() => encodeAccount({ address: "0x00", balance: 1n, nonce: 1.5 })).to.throw("safe integer");
  });
});
