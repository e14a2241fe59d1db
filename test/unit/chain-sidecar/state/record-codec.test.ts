import { expect } from "chai";
import fc from "fast-check";
import { canonicalJson, encodeRecord, utf8Bytes } from "../../../../chain-sidecar/state/canonical-json.js";
import * as codec from "../../../../chain-sidecar/state/record-codec.js";
import { decodeLease, encodeLease } from "../../../../chain-sidecar/modules/market/market-records.js";
import type { Lease } from "../../../../chain-sidecar/modules/market/market-records.js";
import { POD_SETTLEMENT_RECORD } from "../../../../chain-sidecar/modules/metering/metering-records.js";

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

  it("writes the same bytes as the generic canonical encoder, for any field names and values", () => {
    const names = fc.uniqueArray(fc.string({ unit: "binary", minLength: 1, maxLength: 6 }), {
      minLength: 0,
      maxLength: 8,
    });
    const value = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.string(), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        names.chain((keys) =>
          fc.tuple(fc.constant(keys), fc.array(value, { minLength: keys.length, maxLength: keys.length })),
        ),
        ([keys, values]) => {
          const shape = Object.fromEntries(keys.map((k) => [k, codec.text as codec.FieldCodec<unknown>]));
          const record = Object.fromEntries(keys.map((k, i) => [k, values[i]]));
          const declared = codec.defineRecord(shape);
          const bytes = declared.encode(record);
          expect(Buffer.from(bytes).toString()).to.equal(
            Buffer.from(encodeRecord(declared.toJson(record as never))).toString(),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("writes a pod settlement exactly as the generic encoder does", () => {
    const amountValue = fc.bigInt({ min: 0n, max: 2n ** 100n });
    const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(
        fc.record({
          podUid: fc.uuid(),
          contractId: fc.string(),
          replica: safe,
          nodeId: fc.string(),
          contributor: fc.string(),
          scu: safe,
          pricePerScuHour: amountValue,
          billing: fc.constantFrom("reserved" as const, "used" as const),
          firstFrom: safe,
          billedTo: safe,
          seconds: safe,
          measuredSeconds: safe,
          cpuMilliSeconds: amountValue,
          memoryByteSeconds: amountValue,
          billedMilliScuSeconds: amountValue,
          charged: amountValue,
          fee: amountValue,
          unpaid: amountValue,
          carry: amountValue,
          intervals: safe,
          lastBatch: fc.string(),
          lastHeight: safe,
        }),
        (pod) => {
          const bytes = POD_SETTLEMENT_RECORD.encode(pod);
          expect(bytes).to.deep.equal(encodeRecord(POD_SETTLEMENT_RECORD.toJson(pod)));
          expect(POD_SETTLEMENT_RECORD.decode(bytes)).to.deep.equal(pod);
        },
      ),
    );
  });

  it("refuses an unsafe integer, naming the field", () => {
    expect(() =>
      SAMPLE.encode({ name: "x", count: 2 ** 60, total: 0n, on: false, tags: [], phase: "a" }),
    ).to.throw("$.count: only safe integers");
  });

  it("reads back a record of scalars it wrote or read as equal copies that callers may change freely", () => {
    const FLAT = codec.defineRecord({ name: codec.text, count: codec.integer, total: codec.amount });
    // An amount given as a number by mistake still reads back as the bigint the stored text means.
    const bytes = FLAT.encode({ name: "a", count: 1, total: 5, extra: "not declared" } as never);
    const first = FLAT.decode(bytes);
    expect(first).to.deep.equal({ name: "a", count: 1, total: 5n });
    first.count = 99;
    first.total = 0n;
    expect(FLAT.decode(bytes)).to.deep.equal({ name: "a", count: 1, total: 5n });
    const stored = new TextEncoder().encode('{"count":2,"name":"b","total":"7"}');
    FLAT.decode(stored).name = "changed";
    expect(FLAT.decode(stored)).to.deep.equal({ name: "b", count: 2, total: 7n });
  });

  it("hands out fresh lists each time for records holding lists", () => {
    const bytes = SAMPLE.encode({ name: "x", count: 1, total: 1n, on: false, tags: ["t"], phase: "a" });
    SAMPLE.decode(bytes).tags.push("changed");
    expect(SAMPLE.decode(bytes).tags).to.deep.equal(["t"]);
    const written = { name: "x", count: 1, total: 1n, on: false, tags: ["u"], phase: "a" as const };
    const writtenBytes = SAMPLE.encode(written);
    written.tags.push("changed after writing");
    expect(SAMPLE.decode(writtenBytes).tags).to.deep.equal(["u"]);
  });

  it("writes records as plain Uint8Arrays holding exactly their own UTF-8 bytes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "binary", maxLength: 300 }), { minLength: 2, maxLength: 5 }),
        (texts) => {
          const written = texts.map((t) => utf8Bytes(t));
          written.forEach((bytes, i) => {
            expect(Object.getPrototypeOf(bytes)).to.equal(Uint8Array.prototype);
            expect(bytes).to.deep.equal(new TextEncoder().encode(texts[i]));
          });
          // Pooled memory is shared, never overlapping: changing one record's bytes leaves the others as written.
          written[0]!.fill(0);
          written
            .slice(1)
            .forEach((bytes, i) => expect(bytes).to.deep.equal(new TextEncoder().encode(texts[i + 1])));
        },
      ),
    );
  });
});
