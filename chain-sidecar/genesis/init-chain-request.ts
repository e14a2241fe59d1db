// Turns CometBFT's genesis.json into the InitChain request CometBFT would send for it.
import type { RequestInitChain, ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { ConsensusParamsJson, GenesisDoc } from "./genesis-doc.js";

export function timestampFromRfc3339(text: string): Timestamp {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (match === null) throw new Error(`${JSON.stringify(text)} is not an RFC 3339 time`);
  const millis = Date.parse(`${match[1]!}${match[3]!}`);
  if (Number.isNaN(millis)) throw new Error(`${JSON.stringify(text)} is not an RFC 3339 time`);
  return { seconds: BigInt(Math.floor(millis / 1000)), nanos: Number((match[2] ?? "").padEnd(9, "0")) };
}

export function consensusParamsFromJson(json: ConsensusParamsJson): ConsensusParams {
  const durationNanos = BigInt(json.evidence.max_age_duration);
  return {
    block: { maxBytes: BigInt(json.block.max_bytes), maxGas: BigInt(json.block.max_gas) },
    evidence: {
      maxAgeNumBlocks: BigInt(json.evidence.max_age_num_blocks),
      maxAgeDuration: {
        seconds: durationNanos / 1_000_000_000n,
        nanos: Number(durationNanos % 1_000_000_000n),
      },
      maxBytes: BigInt(json.evidence.max_bytes),
    },
    validator: { pubKeyTypes: json.validator.pub_key_types },
    version: { app: BigInt(json.version.app) },
    abci: { voteExtensionsEnableHeight: BigInt(json.abci.vote_extensions_enable_height) },
  };
}

export function genesisValidatorUpdates(genesis: GenesisDoc): ValidatorUpdate[] {
  return genesis.validators.map((v) => ({
    pubKey: { ed25519: new Uint8Array(Buffer.from(v.pub_key.value, "base64")) },
    power: BigInt(v.power),
  }));
}

export function initChainRequest(genesis: GenesisDoc): RequestInitChain {
  return {
    time: timestampFromRfc3339(genesis.genesis_time),
    chainId: genesis.chain_id,
    consensusParams: consensusParamsFromJson(genesis.consensus_params),
    validators: genesisValidatorUpdates(genesis),
    appStateBytes:
      genesis.app_state === undefined
        ? new Uint8Array()
        : new Uint8Array(Buffer.from(JSON.stringify(genesis.app_state))),
    initialHeight: BigInt(genesis.initial_height),
  };
}
