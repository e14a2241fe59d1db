import { expect } from "chai";
import fc from "fast-check";
import { RLP, type Input } from "@ethereumjs/rlp";
import { MAX_RLP_DEPTH, RlpError, decodeCanonicalRlp } from "../../../../chain-sidecar/tx/canonical-rlp.js";
import type { RlpItem } from "../../../../chain-sidecar/tx/typed-rlp.js";

type Tree = Uint8Array | Tree[];

/** Byte strings of the lengths where RLP's forms change (0, 1, 55, 56, long), and lists of them, nested. */
const leaf = fc.oneof(
  fc.uint8Array({ maxLength: 3 }),
  fc.uint8Array({ minLength: 54, maxLength: 58 }),
  fc.uint8Array({ minLength: 250, maxLength: 300 }),
);
const { tree } = fc.letrec<{ tree: Tree }>((self) => ({
  tree: fc.oneof({ depthSize: "small" }, leaf, fc.array(self("tree"), { maxLength: 6 })),
}));

/** A plain copy of a decoded item, so views and copies compare equal. */
function plain(item: RlpItem | Uint8Array | unknown[]): unknown {
  if (item instanceof Uint8Array) return Buffer.from(item).toString("hex");
  return (item as RlpItem[]).map((i) => plain(i));
}

/** @ethereumjs/rlp's verdict plus a re-encode check: the rule this decoder replaces. */
function referenceDecode(bytes: Uint8Array): unknown {
  try {
    const decoded = RLP.decode(bytes);
    if (Buffer.compare(RLP.encode(decoded), bytes) !== 0) return "refused";
    return plain(decoded);
  } catch {
    return "refused";
  }
}

function ourDecode(bytes: Uint8Array): unknown {
  try {
    return plain(decodeCanonicalRlp(bytes));
  } catch (error) {
    if (!(error instanceof RlpError)) throw error;
    return "refused";
  }
}

describe("chain-sidecar tx: canonical RLP decoding", () => {
  it("decodes whatever RLP encodes back to the same tree", () => {
    fc.assert(
      fc.property(tree, (value) => {
        expect(ourDecode(RLP.encode(value))).to.deep.equal(plain(value));
      }),
      { numRuns: 400 },
    );
  });

  it("accepts and refuses exactly what decode-then-re-encode accepts, on mutated encodings", () => {
    const mutated = fc
      .tuple(
        tree,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.integer({ min: -2, max: 2 }),
      )
      .map(([value, edits, trim]) => {
        const bytes = Uint8Array.from(RLP.encode(value as Input));
        for (const [at, byte] of edits) if (bytes.length > 0) bytes[at % bytes.length] = byte;
        if (trim < 0) return bytes.subarray(0, Math.max(0, bytes.length + trim));
        return Uint8Array.from([...bytes, ...new Array<number>(trim).fill(0x80)]);
      });
    fc.assert(
      fc.property(mutated, (bytes) => {
        expect(ourDecode(bytes)).to.deep.equal(referenceDecode(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses the non-canonical forms by name", () => {
    const cases: [string, number[], string][] = [
      ["a small byte in long form", [0x81, 0x05], "its own encoding"],
      ["a short string in the long form", [0xb8, 0x01, 0xaa], "short form"],
      ["a length with a leading zero", [0xb9, 0x00, 0x40, ...new Array<number>(64).fill(1)], "leading zero"],
      ["a short list in the long form", [0xf8, 0x01, 0x80], "short form"],
      ["a string past the end", [0x83, 0x01], "past the end"],
      ["a list past the end", [0xc3, 0x80], "past the end"],
      ["two items", [0x80, 0x80], "follow"],
      ["nothing", [], "ends inside"],
    ];
    for (const [name, bytes, why] of cases) {
      expect(() => decodeCanonicalRlp(Uint8Array.from(bytes)), name).to.throw(RlpError, why);
    }
  });

  it("refuses lists nested deeper than the limit instead of exhausting the stack", () => {
    // `depth` lists, each the only item of the one around it: [[[...[]...]]].
    const nested = (depth: number): Uint8Array => {
      let value: Tree = [];
      for (let i = 1; i < depth; i++) value = [value];
      return RLP.encode(value);
    };
    expect(() => decodeCanonicalRlp(nested(MAX_RLP_DEPTH))).to.not.throw();
    expect(() => decodeCanonicalRlp(nested(MAX_RLP_DEPTH + 1))).to.throw(RlpError, "deeper");
    const deep = new Uint8Array(200_000).fill(0xc0);
    expect(() => decodeCanonicalRlp(deep)).to.throw(RlpError);
  });

  it("returns byte strings as views into the input, not copies", () => {
    const bytes = Uint8Array.from(RLP.encode([Uint8Array.of(1, 2, 3)]));
    const [item] = decodeCanonicalRlp(bytes) as Uint8Array[];
    expect(item!.buffer).to.equal(bytes.buffer);
  });
});
