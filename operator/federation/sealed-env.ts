// Env values from Secrets cross to another cluster only sealed: ECIES on secp256k1 (eciesjs) to the assigned
// cluster's registered key, which is its operator's own, so only that operator can open them.
import { decrypt, encrypt } from "eciesjs";

/** The values as hex ciphertext for the holder of `publicKey` (0x-hex, compressed or not). */
export function sealEnv(values: Record<string, string>, publicKey: string): string {
  const plain = Buffer.from(JSON.stringify(values), "utf8");
  return `0x${Buffer.from(encrypt(publicKey.replace(/^0x/, ""), plain)).toString("hex")}`;
}

/** The values sealed to the key `privateKey` (0x-hex); throws when they were sealed to another key. */
export function openEnv(sealed: string, privateKey: string): Record<string, string> {
  const plain = decrypt(privateKey.replace(/^0x/, ""), Buffer.from(sealed.replace(/^0x/, ""), "hex"));
  const values = JSON.parse(Buffer.from(plain).toString("utf8")) as unknown;
  if (typeof values !== "object" || values === null || Array.isArray(values))
    throw new Error("the sealed environment is not an object of names to values");
  for (const [name, value] of Object.entries(values))
    if (typeof value !== "string") throw new Error(`the sealed environment's ${name} is not a string`);
  return values as Record<string, string>;
}
