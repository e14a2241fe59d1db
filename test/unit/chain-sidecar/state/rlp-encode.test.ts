import { RLP } from "@ethereumjs/rlp";
import { expect } from "chai";
import fc from "fast-check";
import { encodeRlp, type RlpInput } from "../../../../chain-sidecar/state/rlp-encode.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/** Byte strings around RLP's boundaries (single bytes, 55/56-byte strings, 256+ bytes) nested in lists. */
const item: fc.Arbitrary<RlpInput> = fc.letrec<{ item: RlpInput }>((tie) => ({
  item: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.uint8Array({ maxLength: 2 }),
    fc.uint8Array({ minLength: 54, maxLength: 58 }),
    fc.uint8Array({ minLength: 250, maxLength: 300 }),
    fc.array(tie("item"), { maxLength: 17 }),
  ),
})).item;

describe("chain-sidecar state: RLP encoding of trie nodes", () => {
  it("gives @ethereumjs/rlp's bytes for any nesting of byte strings and lists", () => {
    fc.assert(
      fc.property(item, (value) => {
        expect(hex(encodeRlp(value))).to.equal(hex(RLP.encode(value as Uint8Array)));
      }),
      { numRuns: 500 },
    );
  });

  it("encodes a list whose payload needs a multi-byte length (a branch of 16 hashes)", () => {
    const branch = [...Array.from({ length: 16 }, (_, i) => new Uint8Array(32).fill(i)), new Uint8Array(0)];
    const encoded = encodeRlp(branch);
    expect(encoded.length).to.equal(3 + 16 * 33 + 1);
    expect(hex(encoded.subarray(0, 3))).to.equal("f90211");
  });
});
