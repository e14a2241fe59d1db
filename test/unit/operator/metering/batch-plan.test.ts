import { expect } from "chai";
import fc from "fast-check";
import { planBatches, type BillablePod } from "../../../../operator/metering/batch-plan.js";

function pod(uid: string, contributor: string, billedTo: number, billUntil: number): BillablePod {
  return {
    podUid: uid,
    contractId: "0123456789abcdef0123",
    replica: 0,
    nodeId: "n1",
    contributor,
    scu: 1,
    billedTo,
    billUntil,
  };
}

describe("metering batch plan", () => {
  it("makes one batch per contributor, in a stable order, skipping pods with nothing to bill", () => {
    const batches = planBatches(
      [
        pod("b", "0xbb", 100, 160),
        pod("a", "0xbb", 100, 130),
        pod("c", "0xaa", 50, 50),
        pod("d", "0xaa", 10, 70),
      ],
      { maxRecordsPerBatch: 400, maxTxBytes: 65_536 },
    );
    expect(batches.map((b) => b.contributor)).to.deep.equal(["0xaa", "0xbb"]);
    expect(batches[0]!.records.map((r) => r.podUid)).to.deep.equal(["d"]);
    expect(batches[1]!.records.map((r) => [r.podUid, r.fromTime, r.toTime])).to.deep.equal([
      ["a", 100n, 130n],
      ["b", 100n, 160n],
    ]);
  });

  it("splits only past the record or byte limit, and covers every billable pod exactly once", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 4 }),
            fc.integer({ min: 0, max: 100 }),
            fc.integer({ min: 0, max: 100 }),
          ),
          {
            maxLength: 300,
          },
        ),
        fc.integer({ min: 1, max: 50 }),
        (specs, limit) => {
          const pods = specs.map(([c, from, length], i) => pod(`p${i}`, `0x${c}`, from, from + length));
          const batches = planBatches(pods, { maxRecordsPerBatch: limit, maxTxBytes: 65_536 });
          const billed = batches.flatMap((b) => b.records.map((r) => r.podUid)).sort();
          const expected = pods
            .filter((p) => p.billUntil > p.billedTo)
            .map((p) => p.podUid)
            .sort();
          const contributors = new Set(batches.map((b) => b.contributor));
          const minimal = [...contributors].every(
            (c) =>
              batches.filter((b) => b.contributor === c).length ===
              Math.ceil(
                expected.filter((uid) => pods.find((p) => p.podUid === uid)!.contributor === c).length /
                  limit,
              ),
          );
          return (
            JSON.stringify(billed) === JSON.stringify(expected) &&
            batches.every((b) => b.records.length <= limit) &&
            minimal
          );
        },
      ),
    );
  });
});
