import { expect } from "chai";
import fc from "fast-check";
import { keccak256 } from "ethers";
import {
  keccak256Bytes,
  keccak256WithEthers,
  keccakBackend,
  keccakReady,
} from "../../../../chain-sidecar/tx/keccak.js";

const hex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString("hex")}`;

describe("chain-sidecar tx: keccak256", () => {
  before(() => keccakReady);

  it("hashes through WebAssembly once it has loaded", () => {
    expect(keccakBackend()).to.equal("wasm");
  });

  it("gives the known digests of the empty input and of 'abc'", () => {
    expect(hex(keccak256Bytes(new Uint8Array()))).to.equal(
      "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(hex(keccak256Bytes(new TextEncoder().encode("abc")))).to.equal(
      "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
  });

  it("agrees with ethers' keccak256 on random inputs, across the 136-byte block boundary", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(hex(keccak256Bytes(bytes))).to.equal(keccak256(bytes));
        expect(hex(keccak256WithEthers(bytes))).to.equal(keccak256(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("hashes several parts as their concatenation, through WebAssembly and through the ethers path used before it loads", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 5 }), (parts) => {
        expect(hex(keccak256Bytes(...parts))).to.equal(keccak256(Buffer.concat(parts)));
        expect(hex(keccak256WithEthers(...parts))).to.equal(keccak256(Buffer.concat(parts)));
      }),
    );
  });

  it("hashes a view into a larger buffer by its own bytes only", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = a % bytes.length;
        const end = start + (b % (bytes.length - start + 1));
        const view = new Uint8Array(bytes.buffer, start, end - start);
        expect(hex(keccak256Bytes(view))).to.equal(keccak256(bytes.slice(start, end)));
      }),
    );
  });

  it("returns a fresh 32-byte digest each call, so a kept digest never changes", () => {
    const first = keccak256Bytes(Uint8Array.of(1));
    const copy = hex(first);
    keccak256Bytes(Uint8Array.of(2));
    expect(first.length).to.equal(32);
    expect(hex(first)).to.equal(copy);
  });
});
