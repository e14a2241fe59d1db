// Private keys come only from Secrets, are held as ethers Wallets, and are never logged or put in an error: a
// failure says which Secret and which entry, never what it held.
//
// Keys the operator uses:
// - its own key (a Secret in its namespace): signs leases, breaches, heartbeats and metering batches, which the
//   chain accepts from an operator address that the payer (at OpenContract) or the node's owner (at
//   RegisterNode) named;
// - contributor owner keys (one Secret in its namespace, an entry per owner address): RegisterNode and
//   DeregisterNode, which the chain accepts only from the owner;
// - a contract's payer key (a Secret in the contract's namespace): OpenContract and CloseContract.
import { LRUCache } from "lru-cache";
import { Wallet } from "ethers";
import type { PayerSecretReference } from "../../crds/types.js";
import { DEFAULTS } from "../../crds/types.js";
import { SECRET } from "../../kube-runtime/builtin-resources.js";
import { isNotFound } from "../../kube-runtime/kube-api-error.js";
import type { KubeClient } from "../../kube-runtime/kube-client.js";
import type { KubeObject } from "../../kube-runtime/resource.js";

export type KeyProblem = "SecretMissing" | "KeyMissing" | "KeyInvalid";

export class KeyUnavailable extends Error {
  override readonly name = "KeyUnavailable";

  constructor(
    readonly problem: KeyProblem,
    message: string,
  ) {
    super(message);
  }
}

interface SecretObject extends KubeObject {
  data?: Record<string, string>;
}

export interface SecretKeyRef {
  namespace: string;
  name: string;
  key: string;
}

export interface KeyVaultOptions {
  client: KubeClient;
  /** The operator's own key. */
  operatorKey: SecretKeyRef;
  /** The Secret whose entries are contributor owner keys, each under its owner's 0x address. */
  contributorKeys: { namespace: string; name: string };
}

/** Wallets by the Secret entry they came from: deriving a key's address costs milliseconds, and payers repeat. */
const wallets = new LRUCache<string, Wallet>({ max: 1024 });

function walletFrom(encoded: string, where: string): Wallet {
  const known = wallets.get(encoded);
  if (known !== undefined) return known;
  const wallet = deriveWallet(encoded, where);
  wallets.set(encoded, wallet);
  return wallet;
}

function deriveWallet(encoded: string, where: string): Wallet {
  const text = Buffer.from(encoded, "base64").toString("utf8").trim();
  const hex = text.startsWith("0x") ? text : `0x${text}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex))
    throw new KeyUnavailable("KeyInvalid", `${where} does not hold a hex secp256k1 private key (32 bytes)`);
  try {
    return new Wallet(hex);
  } catch {
    throw new KeyUnavailable("KeyInvalid", `${where} does not hold a valid secp256k1 private key`);
  }
}

/** A payer's Secret is read again after this long: a rollout of many contracts reads it once, a rotation shows soon. */
const PAYER_SECRET_TTL_MS = 5_000;

export class KeyVault {
  private operator: Wallet | undefined;
  /** Payer Secrets found recently (absent ones are asked again each time, so a new Secret shows at once). */
  private readonly payerSecrets = new LRUCache<string, SecretObject>({ max: 1024, ttl: PAYER_SECRET_TTL_MS });

  constructor(private readonly options: KeyVaultOptions) {}

  private async secret(namespace: string, name: string): Promise<SecretObject | undefined> {
    try {
      return await this.options.client.get<SecretObject>(SECRET, { namespace, name });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async keyAt(ref: SecretKeyRef, cached = false): Promise<Wallet> {
    const cacheKey = `${ref.namespace}/${ref.name}`;
    let secret = cached ? this.payerSecrets.get(cacheKey) : undefined;
    if (secret === undefined) {
      secret = await this.secret(ref.namespace, ref.name);
      if (cached && secret !== undefined) this.payerSecrets.set(cacheKey, secret);
    }
    if (secret === undefined)
      throw new KeyUnavailable("SecretMissing", `Secret ${ref.namespace}/${ref.name} does not exist`);
    const encoded = secret.data?.[ref.key];
    if (encoded === undefined)
      throw new KeyUnavailable("KeyMissing", `Secret ${ref.namespace}/${ref.name} has no entry "${ref.key}"`);
    return walletFrom(encoded, `entry "${ref.key}" of Secret ${ref.namespace}/${ref.name}`);
  }

  /** The operator's own key, read once. */
  async operatorWallet(): Promise<Wallet> {
    this.operator ??= await this.keyAt(this.options.operatorKey);
    return this.operator;
  }

  async operatorAddress(): Promise<string> {
    return (await this.operatorWallet()).address.toLowerCase();
  }

  /** The owner's key, or a KeyUnavailable that says what is missing. */
  async ownerWallet(owner: string): Promise<Wallet> {
    const { namespace, name } = this.options.contributorKeys;
    const secret = await this.secret(namespace, name);
    if (secret === undefined)
      throw new KeyUnavailable(
        "SecretMissing",
        `Secret ${namespace}/${name} (contributor owner keys) does not exist`,
      );
    const wanted = owner.toLowerCase();
    const entry = Object.entries(secret.data ?? {}).find(([address]) => address.toLowerCase() === wanted);
    if (entry === undefined)
      throw new KeyUnavailable("KeyMissing", `Secret ${namespace}/${name} has no key for owner ${wanted}`);
    const wallet = walletFrom(entry[1], `the entry for ${wanted} in Secret ${namespace}/${name}`);
    if (wallet.address.toLowerCase() !== wanted)
      throw new KeyUnavailable(
        "KeyInvalid",
        `the entry for ${wanted} in Secret ${namespace}/${name} is the key of a different address`,
      );
    return wallet;
  }

  /**
   * The payer's key named by a contract's spec.payer.secretRef, in the contract's namespace. `recent` accepts a Secret
   * read in the last few seconds (for opening many contracts at once); otherwise the Secret is read now.
   */
  payerWallet(namespace: string, ref: PayerSecretReference, recent = false): Promise<Wallet> {
    return this.keyAt({ namespace, name: ref.name, key: ref.key ?? DEFAULTS.payerSecretKey }, recent);
  }
}
