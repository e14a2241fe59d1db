import { expect } from "chai";
import fc from "fast-check";
import { SigningKey, getBytes } from "ethers";
import {
  nativeSecp256k1,
  recoverPublicKey,
  recoverWithNoble,
  recoveryBackend,
} from "../../../../chain-sidecar/tx/public-key-recovery.js";

const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_ORDER = SECP256K1_ORDER >> 1n;

function outcome(recover: () => Uint8Array): string {
  try {
    return Buffer.from(recover()).toString("hex");
  } catch {
    return "fails";
  }
}

function word(value: bigint): Uint8Array {
  return Buffer.from(value.toString(16).padStart(64, "0"), "hex");
}

const privateKey = fc.bigInt({ min: 1n, max: SECP256K1_ORDER - 1n }).map(word);
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("chain-sidecar tx: secp256k1 public-key recovery", () => {
  it("uses the native libsecp256k1 binding (the package ships prebuilt binaries for this platform)", () => {
    expect(recoveryBackend).to.equal("libsecp256k1");
    expect(nativeSecp256k1).to.not.equal(undefined);
  });

  it("recovers the signer's key exactly as ethers does, for random keys and digests", () => {
    fc.assert(
      fc.property(privateKey, digest, (key, hash) => {
        const signer = new SigningKey(key);
        const signature = signer.sign(hash);
        const rs = getBytes(signature.serialized).subarray(0, 64);
        const recid = (signature.v - 27) as 0 | 1;
        const recovered = recoverPublicKey(hash, rs, recid);
        expect(Buffer.from(recovered).toString("hex")).to.equal(signer.publicKey.slice(2));
        expect(Buffer.from(recoverWithNoble(hash, rs, recid)).toString("hex")).to.equal(
          signer.publicKey.slice(2),
        );
      }),
      { numRuns: 40 },
    );
  });

  // recoverSender has already refused s = 0 and s above half the order (malleability), so s stays in that range here.
  it("agrees with ethers on arbitrary r, low s and recovery id: the same key or a failure on both sides", () => {
    const r = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
      fc.constantFrom(0n, 1n, SECP256K1_ORDER - 1n, SECP256K1_ORDER, SECP256K1_ORDER + 1n, (1n << 256n) - 1n),
    );
    const lowS = fc.oneof(fc.bigInt({ min: 1n, max: HALF_ORDER }), fc.constantFrom(1n, HALF_ORDER));
    fc.assert(
      fc.property(digest, r, lowS, fc.constantFrom<0 | 1>(0, 1), (hash, r, s, recid) => {
        const rs = Buffer.concat([word(r), word(s)]);
        expect(outcome(() => recoverPublicKey(hash, rs, recid))).to.equal(
          outcome(() => recoverWithNoble(hash, rs, recid)),
        );
      }),
      { numRuns: 150 },
    );
  });
});
