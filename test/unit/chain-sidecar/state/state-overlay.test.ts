import { expect } from "chai";
import fc from "fast-check";
import type {
  StateChange,
  StateEntry,
  StateReader,
  StateWriter,
} from "../../../../chain-sidecar/state/state-access.js";
import { StateOverlay } from "../../../../chain-sidecar/state/state-overlay.js";

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
          for (const k of ["a/1", "b/2", "c"]) expect(layer.get(k)?.[0]).to.equal(model.get(k));
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
});
