import { expect } from "chai";
import fc from "fast-check";
import { canonicalJson } from "../../../../chain-sidecar/state/canonical-json.js";
import * as codec from "../../../../chain-sidecar/state/record-codec.js";
import { decodeLease, encodeLease } from "../../../../chain-sidecar/modules/market/market-records.js";
import type { Lease } from "../../../../chain-sidecar/modules/market/market-records.js";

const SAMPLE = codec.defineRecord({
  name: codec.text,
  count: codec.integer,
  total: codec.amount,
  on: codec.flag,
  tags: codec.texts,
  phase: codec.oneOf(["a", "b"] as const),
});

describe("record codec: one declaration, its codec and its view", () => {
  it("stores canonical JSON with amounts as decimal strings", () => {
    const bytes = SAMPLE.encode({ name: "x", count: 3, total: 2n ** 70n, on: true, tags: ["t"], phase: "b" });
    expect(new TextDecoder().decode(bytes)).to.equal(
      canonicalJson({
        count: 3,
        name: "x",
        on: true,
        phase: "b",
        tags: ["t"],
        total: (2n ** 70n).toString(),
      }),
    );
  });

  it("decodes what it encodes, for any values", () => {
    fc.assert(
      fc.property(
        fc.record({
          name: fc.string(),
          count: fc.integer(),
          total: fc.bigInt({ min: 0n, max: 2n ** 128n }),
          on: fc.boolean(),
          tags: fc.array(fc.string()),
          phase: fc.constantFrom("a" as const, "b" as const),
        }),
        (record) => {
          expect(SAMPLE.decode(SAMPLE.encode(record))).to.deep.equal(record);
        },
      ),
    );
  });

  it("keeps a lease's stored bytes exactly as the chain committed them before the declaration", () => {
    const lease: Lease = {
      podUid: "pod-1",
      contractId: "0123456789abcdef0123",
      replica: 1,
      nodeId: "node-a",
      contributor: "0xabc",
      pricePerScuHour: 12_345_678_901_234_567_890n,
      scu: 2,
      startedAt: 1_700_000_000,
      endedAt: 0,
      outcome: "",
      recordedHeight: 7,
    };
    const written = {
      podUid: "pod-1",
      contractId: "0123456789abcdef0123",
      replica: 1,
      nodeId: "node-a",
      contributor: "0xabc",
      pricePerScuHour: "12345678901234567890",
      scu: 2,
      startedAt: 1_700_000_000,
      endedAt: 0,
      outcome: "",
      recordedHeight: 7,
    };
    expect(new TextDecoder().decode(encodeLease(lease))).to.equal(canonicalJson(written));
    expect(decodeLease(encodeLease(lease))).to.deep.equal(lease);
  });
});
