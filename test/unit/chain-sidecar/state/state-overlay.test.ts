import { expect } from "chai";
import fc from "fast-check";
import type {
  StateChange,
  StateEntry,
  StateReader,
  StateWriter,
} from "../../../../chain-sidecar/state/state-access.js";
import type { ValueCodec } from "../../../../chain-sidecar/state/state-access.js";
import { readValue, StateOverlay, writeValue } from "../../../../chain-sidecar/state/state-overlay.js";

/** A plain sorted key-value base, as committed state reads. */
function baseOf(entries: Map<string, Uint8Array>): StateReader {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    get: (key) => entries.get(key),
    entries: (prefix, range) =>
      sorted
        .filter(([key]) => key.startsWith(prefix) && (range?.from === undefined || key >= range.from))
        .filter(([key]) => range?.to === undefined || key < range.to)
        .slice(0, range?.limit),
  };
}

/** Numbers 1–255 as one byte, counting its calls: values written decoded must be encoded only when asked for. */
function countingCodec(): ValueCodec<number> & { encodes: number; decodes: number } {
  const codec = {
    encodes: 0,
    decodes: 0,
    encode(value: number): Uint8Array {
      codec.encodes++;
      return Uint8Array.of(value);
    },
    decode(bytes: Uint8Array): number {
      codec.decodes++;
      return bytes[0]!;
    },
  };
  return codec;
}

/** A writer that is not an overlay, to see the order merges write in. */
class RecordingWriter implements StateWriter {
  readonly writes: StateChange[] = [];
  get(): Uint8Array | undefined {
    return undefined;
  }
  entries(): StateEntry[] {
    return [];
  }
  set(key: string, value: Uint8Array): void {
    this.writes.push([key, value]);
  }
  delete(key: string): void {
    this.writes.push([key, null]);
  }
}

const key = fc.constantFrom("a/1", "a/2", "a/3", "b/1", "b/2", "c");
const op = fc.oneof(
  fc.record({ set: key, value: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ setValue: key, value: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ del: key }),
  fc.record({ branch: fc.constant(true) }),
  fc.record({ merge: fc.boolean() }),
);

describe("chain-sidecar state: overlays", () => {
  it("read as a model map through any nesting of branches, merges and dropped branches", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const base = new Map([
          ["a/1", Uint8Array.of(9)],
          ["a/2", Uint8Array.of(8)],
          ["b/1", Uint8Array.of(7)],
        ]);
        const root = new StateOverlay(baseOf(base));
        const codec = countingCodec();
        // Each level: the overlay and the model of what reads through it.
        const stack: { layer: StateOverlay; model: Map<string, number> }[] = [
          {
            layer: root,
            model: new Map([
              ["a/1", 9],
              ["a/2", 8],
              ["b/1", 7],
            ]),
          },
        ];
        for (const o of ops) {
          const top = stack[stack.length - 1]!;
          if ("set" in o) {
            top.layer.set(o.set, Uint8Array.of(o.value));
            top.model.set(o.set, o.value);
          } else if ("setValue" in o) {
            top.layer.setValue(o.setValue, codec, o.value);
            top.model.set(o.setValue, o.value);
          } else if ("del" in o) {
            top.layer.delete(o.del);
            top.model.delete(o.del);
          } else if ("branch" in o) {
            stack.push({ layer: top.layer.branch(), model: new Map(top.model) });
          } else if (stack.length > 1) {
            stack.pop();
            // merge: true keeps the branch's writes, false drops them.
            if (o.merge) {
              top.layer.mergeInto(stack[stack.length - 1]!.layer);
              stack[stack.length - 1]!.model = top.model;
            }
          }
          const { layer, model } = stack[stack.length - 1]!;
          const expected = [...model].sort(([a], [b]) => (a < b ? -1 : 1));
          expect(layer.entries("").map(([k, v]) => [k, v[0]])).to.deep.equal(expected);
          expect(layer.entries("a/").map(([k]) => k)).to.deep.equal(
            expected.filter(([k]) => k.startsWith("a/")).map(([k]) => k),
          );
          for (const k of ["a/1", "b/2", "c"]) {
            expect(readValue(layer, k, codec)).to.equal(model.get(k));
            expect(layer.get(k)?.[0]).to.equal(model.get(k));
          }
          // A limited scan is the first entries of the unlimited one, whatever the layers deleted or added.
          for (const limit of [0, 1, 2, 3]) {
            expect(layer.entries("", { limit }).map(([k]) => k)).to.deep.equal(
              expected.slice(0, limit).map(([k]) => k),
            );
            expect(layer.entries("", { from: "a/2", limit }).map(([k]) => k)).to.deep.equal(
              expected
                .filter(([k]) => k >= "a/2")
                .slice(0, limit)
                .map(([k]) => k),
            );
          }
        }
        const changes = root.sortedChanges().map(([k]) => k);
        expect(changes).to.deep.equal([...changes].sort());
      }),
      { numRuns: 300 },
    );
  });

  it("merges into a writer that is not an overlay in key order", () => {
    const layer = new StateOverlay(baseOf(new Map()));
    for (const k of ["c", "a", "b"]) layer.set(k, Uint8Array.of(1));
    layer.delete("aa");
    const target = new RecordingWriter();
    layer.mergeInto(target);
    expect(target.writes.map(([k, v]) => [k, v === null])).to.deep.equal([
      ["a", false],
      ["aa", true],
      ["b", false],
      ["c", false],
    ]);
  });

  it("refuses keys outside printable ASCII and empty values", () => {
    const layer = new StateOverlay(baseOf(new Map()));
    expect(() => layer.set("a b", Uint8Array.of(1))).to.throw("printable ASCII");
    expect(() => layer.set("a", new Uint8Array())).to.throw("empty values");
    expect(() => layer.delete("")).to.throw("printable ASCII");
  });

  it("keeps values written decoded unencoded through reads, branches and merges into overlays", () => {
    const codec = countingCodec();
    const block = new StateOverlay(baseOf(new Map([["a", Uint8Array.of(5)]])));
    const tx = block.branch();
    writeValue(tx, "a", codec, 6);
    writeValue(tx, "b", codec, 7);
    expect(readValue(tx, "a", codec)).to.equal(6);
    tx.mergeInto(block);
    const next = block.branch();
    expect(readValue(next, "b", codec)).to.equal(7);
    expect(codec.encodes).to.equal(0);
    expect(codec.decodes).to.equal(0);
  });

  it("encodes a value once, when its bytes are first asked for, and decodes bytes it did not write", () => {
    const codec = countingCodec();
    const layer = new StateOverlay(baseOf(new Map([["a", Uint8Array.of(5)]])));
    expect(readValue(layer, "a", codec)).to.equal(5);
    expect(codec.decodes).to.equal(1);
    layer.setValue("b", codec, 9);
    expect(layer.get("b")).to.deep.equal(Uint8Array.of(9));
    expect(layer.entries("")).to.deep.equal([
      ["a", Uint8Array.of(5)],
      ["b", Uint8Array.of(9)],
    ]);
    expect(layer.sortedChanges()).to.deep.equal([["b", Uint8Array.of(9)]]);
    const target = new RecordingWriter();
    layer.mergeInto(target);
    expect(target.writes).to.deep.equal([["b", Uint8Array.of(9)]]);
    expect(codec.encodes).to.equal(1);
  });

  it("decodes a value written through another codec from its bytes", () => {
    const first = countingCodec();
    const second = countingCodec();
    const layer = new StateOverlay(baseOf(new Map()));
    layer.setValue("a", first, 3);
    expect(readValue(layer, "a", second)).to.equal(3);
    expect([first.encodes, second.decodes]).to.deep.equal([1, 1]);
  });

  it("writes encoded bytes to a writer that is not an overlay", () => {
    const codec = countingCodec();
    const target = new RecordingWriter();
    writeValue(target, "a", codec, 4);
    expect(target.writes).to.deep.equal([["a", Uint8Array.of(4)]]);
  });

  it("refuses a value that encodes to no bytes when its bytes are asked for", () => {
    const empty: ValueCodec<number> = { encode: () => new Uint8Array(), decode: () => 0 };
    const layer = new StateOverlay(baseOf(new Map()));
    layer.setValue("a", empty, 1);
    expect(() => layer.get("a")).to.throw("empty values");
  });
});
