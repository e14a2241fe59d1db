import { RLP } from "@ethereumjs/rlp";
import { expect } from "chai";
import fc from "fast-check";
import { decodeRlp, encodeRlp, type RlpInput } from "../../../../chain-sidecar/state/node-rlp.js";

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

describe("chain-sidecar state: RLP of trie nodes", () => {
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

  it("decodes what it encodes, byte strings as views into the encoded bytes", () => {
    fc.assert(
      fc.property(item, (value) => {
        const encoded = encodeRlp(value);
        const decoded = decodeRlp(encoded);
        expect(hex(encodeRlp(decoded))).to.equal(hex(encoded));
        expect(decoded).to.deep.equal(RLP.decode(encoded));
        if (decoded instanceof Uint8Array && decoded.length > 0)
          expect(decoded.buffer).to.equal(encoded.buffer);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses what @ethereumjs/rlp refuses: truncated, trailing or non-canonical bytes", () => {
    const outcome = (decode: () => unknown): string => {
      try {
        return hex(encodeRlp(decode() as RlpInput));
      } catch {
        return "refused";
      }
    };
    // Encoded items with a byte changed, cut short or extended: every kind of damage a node could carry.
    const damaged = fc
      .tuple(item, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("change", "cut", "extend"))
      .map(([value, at, byte, how]) => {
        const bytes = encodeRlp(value);
        const i = at % bytes.length;
        if (how === "cut") return bytes.subarray(0, i);
        if (how === "extend") return Uint8Array.of(...bytes, byte);
        const changed = Uint8Array.from(bytes);
        changed[i] = byte;
        return changed;
      });
    fc.assert(
      // @ethereumjs/rlp decodes no bytes as an empty string; no node is empty, so that is refused (below).
      fc.property(
        fc.oneof(damaged, fc.uint8Array({ maxLength: 70 })).filter((bytes) => bytes.length > 0),
        (bytes) => {
          expect(outcome(() => decodeRlp(bytes))).to.equal(outcome(() => RLP.decode(bytes)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("names where a damaged node goes wrong", () => {
    expect(() => decodeRlp(new Uint8Array(0))).to.throw(/RLP item at byte 0 runs past its end/);
    expect(() => decodeRlp(Uint8Array.of(0xf9, 0x02))).to.throw(/RLP length at byte 0 runs past its end/);
    expect(() => decodeRlp(Uint8Array.of(0x82, 0x01))).to.throw(/RLP string at byte 0 runs past its end/);
    expect(() => decodeRlp(Uint8Array.of(0x81, 0x05))).to.throw(/should not have a prefix/);
    expect(() => decodeRlp(Uint8Array.of(0xb8, 0x05, 1, 2, 3, 4, 5))).to.throw(/should use the short form/);
    expect(() => decodeRlp(Uint8Array.of(0x01, 0x02))).to.throw(/1 bytes after its item/);
  });
});
