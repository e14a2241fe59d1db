// A validator's ed25519 consensus key in CometBFT's priv_validator_key.json format, so solo and CometBFT share one file.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

interface PrivValidatorKeyJson {
  address: string;
  pub_key: { type: "tendermint/PubKeyEd25519"; value: string };
  priv_key: { type: string; value: string };
}

// DER prefix of a PKCS#8 ed25519 private key; the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export class ValidatorKey {
  private constructor(
    private readonly privateKey: KeyObject,
    /** The 32-byte ed25519 public key. */
    readonly publicKey: Uint8Array,
  ) {}

  /** CometBFT's validator address: the first 20 bytes of sha256(public key). */
  get address(): Uint8Array {
    return new Uint8Array(createHash("sha256").update(this.publicKey).digest().subarray(0, 20));
  }

  get addressHex(): string {
    return Buffer.from(this.address).toString("hex").toUpperCase();
  }

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.privateKey));
  }

  static generate(): ValidatorKey {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    return new ValidatorKey(privateKey, rawPublicKey(publicKey));
  }

  static fromSeed(seed: Uint8Array): ValidatorKey {
    if (seed.length !== 32) throw new Error(`an ed25519 seed is 32 bytes, got ${seed.length}`);
    const privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
      format: "der",
      type: "pkcs8",
    });
    return new ValidatorKey(privateKey, rawPublicKey(createPublicKey(privateKey)));
  }

  /** Reads a priv_validator_key.json; the key material never appears in the error. */
  static load(path: string): ValidatorKey {
    let json: PrivValidatorKeyJson;
    try {
      json = JSON.parse(readFileSync(path, "utf8")) as PrivValidatorKeyJson;
    } catch (error) {
      // V8's JSON errors quote the text, which here is the key; only a read error is safe to show.
      const reason = error instanceof SyntaxError ? "not JSON" : (error as Error).message;
      throw new Error(`cannot read validator key ${path}: ${reason}`);
    }
    if (json.priv_key.type !== "tendermint/PrivKeyEd25519") {
      throw new Error(`validator key ${path} is not an ed25519 key (type ${json.priv_key.type})`);
    }
    const raw = Buffer.from(json.priv_key.value, "base64");
    if (raw.length !== 64)
      throw new Error(`validator key ${path} has a private key of ${raw.length} bytes, not 64`);
    return ValidatorKey.fromSeed(raw.subarray(0, 32));
  }

  static loadOrCreate(path: string): ValidatorKey {
    if (existsSync(path)) return ValidatorKey.load(path);
    const key = ValidatorKey.generate();
    key.save(path);
    return key;
  }

  save(path: string): void {
    const seed = this.privateKey
      .export({ format: "der", type: "pkcs8" })
      .subarray(PKCS8_ED25519_PREFIX.length);
    const json: PrivValidatorKeyJson = {
      address: this.addressHex,
      pub_key: { type: "tendermint/PubKeyEd25519", value: Buffer.from(this.publicKey).toString("base64") },
      priv_key: {
        type: "tendermint/PrivKeyEd25519",
        value: Buffer.concat([seed, this.publicKey]).toString("base64"),
      },
    };
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(json, null, 2) + "\n", { mode: 0o600 });
  }
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x!, "base64url"));
}
