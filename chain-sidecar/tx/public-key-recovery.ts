// secp256k1 public-key recovery through libsecp256k1 (the `secp256k1` package's prebuilt N-API binding): about
// twenty times the pure-JS rate. Where no prebuilt binary loads, ethers' noble-curves recovery gives the same answers.
import { createRequire } from "node:module";
import { SigningKey } from "ethers";

/** The part of the `secp256k1` package's native binding used here. */
interface NativeSecp256k1 {
  /** Throws when the signature does not parse (r or s ≥ n) or no point recovers. */
  ecdsaRecover(
    signature64: Uint8Array,
    recoveryId: number,
    digest: Uint8Array,
    compressed: boolean,
  ): Uint8Array;
  ecdsaSign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaVerify(signature64: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean;
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array;
}

function loadNative(): NativeSecp256k1 | undefined {
  try {
    // The binding itself, not the package root: the root silently falls back to the slow `elliptic` library.
    return createRequire(import.meta.url)("secp256k1/bindings.js") as NativeSecp256k1;
  } catch {
    return undefined;
  }
}

/** libsecp256k1 when its binary loads on this platform, else undefined. */
export const nativeSecp256k1: NativeSecp256k1 | undefined = loadNative();

/** Which implementation recovers keys in this process, for logs and benchmarks. */
export const recoveryBackend: "libsecp256k1" | "noble-curves" =
  nativeSecp256k1 === undefined ? "noble-curves" : "libsecp256k1";

/** Recovery through ethers (noble-curves), the reference the native path is tested against. */
export function recoverWithNoble(digest: Uint8Array, rs: Uint8Array, recoveryId: 0 | 1): Uint8Array {
  const hex = SigningKey.recoverPublicKey(digest, {
    r: `0x${Buffer.from(rs.subarray(0, 32)).toString("hex")}`,
    s: `0x${Buffer.from(rs.subarray(32, 64)).toString("hex")}`,
    v: 27 + recoveryId,
  });
  return Buffer.from(hex.slice(2), "hex");
}

/**
 * The 65-byte uncompressed public key (0x04 ‖ x ‖ y) that signed `digest`, given r ‖ s and the recovery id (0 or 1).
 * Throws when r or s is out of range or no key recovers. Low-s and v rules are the caller's.
 */
export function recoverPublicKey(digest: Uint8Array, rs: Uint8Array, recoveryId: 0 | 1): Uint8Array {
  if (nativeSecp256k1 !== undefined) return nativeSecp256k1.ecdsaRecover(rs, recoveryId, digest, false);
  return recoverWithNoble(digest, rs, recoveryId);
}
