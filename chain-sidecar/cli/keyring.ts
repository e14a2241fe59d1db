// Named secp256k1 keys in a directory, each an ethers encrypted JSON keystore; private keys never leave in plain text.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Mnemonic, Wallet, encryptKeystoreJson, getAddress, type HDNodeWallet } from "ethers";

export const DEFAULT_SCRYPT_N = 1 << 17;
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface KeyInfo {
  name: string;
  address: string;
}

export function defaultKeyringDir(): string {
  return process.env.URANUS_KEYRING_DIR ?? join(homedir(), ".uranus", "keyring");
}

export class Keyring {
  constructor(readonly dir: string) {}

  private path(name: string): string {
    if (!namePattern.test(name)) {
      throw new Error(
        `key name ${JSON.stringify(name)} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      );
    }
    return join(this.dir, `${name}.json`);
  }

  private async store(
    name: string,
    wallet: Wallet | HDNodeWallet,
    password: string,
    scryptN: number,
  ): Promise<KeyInfo> {
    const path = this.path(name);
    if (existsSync(path)) throw new Error(`key ${name} already exists in ${this.dir}`);
    if (password.length === 0) throw new Error("the keyring password is empty");
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const json = await encryptKeystoreJson(
      { address: wallet.address, privateKey: wallet.privateKey },
      password,
      { scrypt: { N: scryptN } },
    );
    writeFileSync(path, json, { mode: 0o600, flag: "wx" });
    return { name, address: wallet.address };
  }

  /** A new random key. */
  async create(name: string, password: string, scryptN = DEFAULT_SCRYPT_N): Promise<KeyInfo> {
    return this.store(name, Wallet.createRandom(), password, scryptN);
  }

  /** Imports a 0x private key or a BIP-39 mnemonic (first Ethereum account, m/44'/60'/0'/0/0). */
  async import(name: string, secret: string, password: string, scryptN = DEFAULT_SCRYPT_N): Promise<KeyInfo> {
    const text = secret.trim();
    let wallet: Wallet | HDNodeWallet;
    if (/^(0x)?[0-9a-fA-F]{64}$/.test(text)) {
      wallet = new Wallet(text.startsWith("0x") ? text : `0x${text}`);
    } else if (Mnemonic.isValidMnemonic(text)) {
      wallet = Wallet.fromPhrase(text);
    } else {
      throw new Error("the secret is neither a 32-byte hex private key nor a valid BIP-39 mnemonic");
    }
    return this.store(name, wallet, password, scryptN);
  }

  show(name: string): KeyInfo {
    const path = this.path(name);
    if (!existsSync(path)) throw new Error(`no key named ${name} in ${this.dir}`);
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { address?: string };
    if (typeof parsed.address !== "string") throw new Error(`${path} is not an encrypted JSON keystore`);
    return { name, address: getAddress(`0x${parsed.address.replace(/^0x/, "")}`) };
  }

  list(): KeyInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length))
      .filter((name) => namePattern.test(name))
      .sort()
      .map((name) => this.show(name));
  }

  /** Decrypts a key for signing. */
  async unlock(name: string, password: string): Promise<Wallet | HDNodeWallet> {
    const path = this.path(name);
    if (!existsSync(path)) throw new Error(`no key named ${name} in ${this.dir}`);
    try {
      return await Wallet.fromEncryptedJson(readFileSync(path, "utf8"), password);
    } catch {
      throw new Error(`cannot decrypt key ${name}: wrong password or damaged keystore file`);
    }
  }
}
