// CometBFT's genesis.json, read and written with the field names and string-encoded integers CometBFT uses.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

export interface GenesisValidatorJson {
  address: string;
  /** Always "tendermint/PubKeyEd25519" in a valid genesis; typed wide because it is read from a file. */
  pub_key: { type: string; value: string };
  power: string;
  name: string;
}

export interface ConsensusParamsJson {
  block: { max_bytes: string; max_gas: string };
  evidence: { max_age_num_blocks: string; max_age_duration: string; max_bytes: string };
  validator: { pub_key_types: string[] };
  version: { app: string };
  abci: { vote_extensions_enable_height: string };
}

export interface GenesisDoc {
  genesis_time: string;
  chain_id: string;
  initial_height: string;
  consensus_params: ConsensusParamsJson;
  validators: GenesisValidatorJson[];
  app_hash: string;
  app_state?: unknown;
}

/**
 * Every Uranus tx asks for 1 gas (CheckTx's gas_wanted), so block.max_gas is the most txs a block takes: CometBFT
 * reaps no more for a proposal. 1000 txs (FinalizeBlock about 0.2 s, Commit less) and 4 MiB (64 txs of the largest
 * `bank.maxTxBytes`) fit a 1 s block on one core; CometBFT's unbounded gas and 21 MiB let a block take minutes.
 */
export const DEFAULT_MAX_BLOCK_TXS = 1000;
export const DEFAULT_MAX_BLOCK_BYTES = 4 * 1024 * 1024;

export function defaultConsensusParams(): ConsensusParamsJson {
  return {
    block: { max_bytes: String(DEFAULT_MAX_BLOCK_BYTES), max_gas: String(DEFAULT_MAX_BLOCK_TXS) },
    evidence: { max_age_num_blocks: "100000", max_age_duration: "172800000000000", max_bytes: "1048576" },
    validator: { pub_key_types: ["ed25519"] },
    version: { app: "0" },
    abci: { vote_extensions_enable_height: "0" },
  };
}

export interface GenesisValidatorInput {
  /** 32-byte ed25519 consensus public key. */
  publicKey: Uint8Array;
  power: bigint;
  name?: string;
}

export function newGenesisDoc(options: {
  chainId: string;
  validators: GenesisValidatorInput[];
  appState?: unknown;
  genesisTime?: Date;
  consensusParams?: ConsensusParamsJson;
}): GenesisDoc {
  return {
    genesis_time: (options.genesisTime ?? new Date()).toISOString(),
    chain_id: options.chainId,
    initial_height: "1",
    consensus_params: options.consensusParams ?? defaultConsensusParams(),
    validators: options.validators.map((v) => ({
      address: createHash("sha256")
        .update(v.publicKey)
        .digest()
        .subarray(0, 20)
        .toString("hex")
        .toUpperCase(),
      pub_key: { type: "tendermint/PubKeyEd25519", value: Buffer.from(v.publicKey).toString("base64") },
      power: String(v.power),
      name: v.name ?? "",
    })),
    app_hash: "",
    ...(options.appState === undefined ? {} : { app_state: options.appState }),
  };
}

export function readGenesisDoc(path: string): GenesisDoc {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read genesis ${path}: ${(error as Error).message}`);
  }
  return validateGenesisDoc(parsed, path);
}

export function writeGenesisDoc(path: string, genesis: GenesisDoc): void {
  writeFileSync(path, JSON.stringify(genesis, null, 2) + "\n");
}

export function validateGenesisDoc(value: unknown, source = "genesis"): GenesisDoc {
  const doc = value as Partial<GenesisDoc> | null;
  const problem = (what: string): Error => new Error(`${source}: ${what}`);
  if (doc === null || typeof doc !== "object") throw problem("is not a JSON object");
  if (typeof doc.chain_id !== "string" || doc.chain_id === "") throw problem("chain_id is missing");
  if (typeof doc.genesis_time !== "string" || Number.isNaN(Date.parse(doc.genesis_time))) {
    throw problem("genesis_time is not an RFC 3339 time");
  }
  const initialHeight = doc.initial_height ?? "1";
  if (!/^\d+$/.test(initialHeight) || BigInt(initialHeight) < 1n) throw problem("initial_height must be ≥ 1");
  const validators = doc.validators ?? [];
  validators.forEach((v, i) => {
    if (v.pub_key.type !== "tendermint/PubKeyEd25519") {
      throw problem(`validators[${i}].pub_key.type ${JSON.stringify(v.pub_key.type)} is not ed25519`);
    }
    if (Buffer.from(v.pub_key.value, "base64").length !== 32)
      throw problem(`validators[${i}].pub_key is not 32 bytes`);
    if (!/^\d+$/.test(v.power)) throw problem(`validators[${i}].power is not a non-negative integer`);
  });
  return {
    genesis_time: doc.genesis_time,
    chain_id: doc.chain_id,
    initial_height: initialHeight,
    consensus_params: doc.consensus_params ?? defaultConsensusParams(),
    validators,
    app_hash: doc.app_hash ?? "",
    ...(doc.app_state === undefined ? {} : { app_state: doc.app_state }),
  };
}
