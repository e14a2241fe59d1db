import { expect } from "chai";
import fc from "fast-check";
import { TypedDataEncoder, hexlify } from "ethers";
import { uranusCatalog } from "../../../../chain-sidecar/modules/uranus-modules.js";
import { eip712Domain } from "../../../../chain-sidecar/tx/eip712-domain.js";
import type { MessageSpec } from "../../../../chain-sidecar/tx/message-spec.js";
import { signingDigest } from "../../../../chain-sidecar/tx/signing.js";
import type { TypedValue } from "../../../../chain-sidecar/tx/typed-rlp.js";

/** Random decoded values of an EIP-712 type, in the form the tx decoder produces them. */
function arbitraryOf(type: string, spec: MessageSpec<unknown>): fc.Arbitrary<TypedValue> {
  if (type.endsWith("[]")) return fc.array(arbitraryOf(type.slice(0, -2), spec), { maxLength: 3 });
  const struct = spec.types[type];
  if (struct) {
    return fc.record(Object.fromEntries(struct.map((f) => [f.name, arbitraryOf(f.type, spec)])));
  }
  if (type === "address") return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => hexlify(b));
  if (type === "bool") return fc.boolean();
  if (type === "string") return fc.string({ unit: "grapheme", maxLength: 20 });
  if (type === "bytes") return fc.uint8Array({ maxLength: 40 }).map((b) => hexlify(b));
  const uint = /^uint(\d+)$/.exec(type);
  if (uint) return fc.bigInt({ min: 0n, max: (1n << BigInt(Number(uint[1]))) - 1n });
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed)
    return fc.uint8Array({ minLength: Number(fixed[1]), maxLength: Number(fixed[1]) }).map((b) => hexlify(b));
  throw new Error(`no generator for ${type}`);
}

describe("chain-sidecar tx: EIP-712 hashing agrees with ethers' TypedDataEncoder", () => {
  for (const spec of uranusCatalog.all()) {
    it(`${spec.primaryType}: same digest for random messages`, () => {
      const message = arbitraryOf(spec.primaryType, spec).map((v) => {
        const { nonce: _nonce, ...rest } = v as Record<string, TypedValue>;
        return rest;
      });
      fc.assert(
        fc.property(
          message,
          fc.nat(),
          fc.constantFrom("uranus-1", "uranus-test-1"),
          (value, nonce, chainId) => {
            const ours = signingDigest(chainId, spec, value, nonce);
            const theirs = TypedDataEncoder.hash(eip712Domain(chainId), spec.types, {
              ...value,
              nonce: BigInt(nonce),
            });
            expect(ours).to.equal(theirs);
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});
