import { expect } from "chai";
import fc from "fast-check";
import { encodeFrame, FrameDecoder, FrameError } from "../../../../chain-sidecar/abci/frame-codec.js";

describe("ABCI frame codec", () => {
  it("prefixes the length as an unsigned varint, as CometBFT v0.38 writes it", () => {
    expect([...encodeFrame(new Uint8Array(1))]).to.deep.equal([1, 0]);
    const big = encodeFrame(new Uint8Array(300));
    // 300 = 0b1_0010_1100 → 0xac 0x02 (a zig-zag varint would give 0xd8 0x04).
    expect([...big.subarray(0, 2)]).to.deep.equal([0xac, 0x02]);
    expect(big.length).to.equal(302);
  });

  it("gets every message back however the stream is cut into reads", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 400 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (messages, cuts) => {
          const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
          const decoder = new FrameDecoder();
          const got: Uint8Array[] = [];
          let offset = 0;
          let i = 0;
          while (offset < stream.length) {
            const size = cuts[i++ % cuts.length]!;
            got.push(...decoder.push(stream.subarray(offset, offset + size)));
            offset += size;
          }
          expect(got.map((m) => [...m])).to.deep.equal(messages.map((m) => [...m]));
          expect(decoder.pendingBytes).to.equal(0);
        },
      ),
    );
  });

  it("refuses a frame longer than the limit before reading its body", () => {
    const decoder = new FrameDecoder(1000);
    expect(() => decoder.push(encodeFrame(new Uint8Array(1001)).subarray(0, 3))).to.throw(
      FrameError,
      /limit of 1000/,
    );
  });

  it("refuses a length prefix that never ends", () => {
    const decoder = new FrameDecoder(Number.MAX_SAFE_INTEGER);
    expect(() => decoder.push(new Uint8Array(11).fill(0x80))).to.throw(FrameError, /longer than 10 bytes/);
  });
});
