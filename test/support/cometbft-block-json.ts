// Reads headers, block ids and times from CometBFT's RPC JSON into cosmjs-types' protobuf shapes.
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { BlockID, Header } from "cosmjs-types/tendermint/types/types";

/** DER prefix of an SPKI ed25519 public key; the 32 raw bytes follow it. */
export const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export interface BlockIdJson {
  hash: string;
  parts: { total: number; hash: string };
}

export interface HeaderJson {
  version: { block: string; app: string };
  chain_id: string;
  height: string;
  time: string;
  last_block_id: BlockIdJson;
  last_commit_hash: string;
  data_hash: string;
  validators_hash: string;
  next_validators_hash: string;
  consensus_hash: string;
  app_hash: string;
  last_results_hash: string;
  evidence_hash: string;
  proposer_address: string;
}

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "hex"));

/** RFC 3339 with up to nine fraction digits, as CometBFT prints times. */
export function fromTimestampText(text: string): Timestamp {
  const match = /^(.*?)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!match) throw new Error(`not a CometBFT time: ${text}`);
  const seconds = BigInt(Math.floor(Date.parse(`${match[1]!}Z`) / 1000));
  return { seconds, nanos: Number((match[2] ?? "").padEnd(9, "0")) };
}

export function blockIdFromJson(json: BlockIdJson): BlockID {
  return { hash: bytes(json.hash), partSetHeader: { total: json.parts.total, hash: bytes(json.parts.hash) } };
}

export function headerFromJson(json: HeaderJson): Header {
  return {
    version: { block: BigInt(json.version.block), app: BigInt(json.version.app) },
    chainId: json.chain_id,
    height: BigInt(json.height),
    time: fromTimestampText(json.time),
    lastBlockId: blockIdFromJson(json.last_block_id),
    lastCommitHash: bytes(json.last_commit_hash),
    dataHash: bytes(json.data_hash),
    validatorsHash: bytes(json.validators_hash),
    nextValidatorsHash: bytes(json.next_validators_hash),
    consensusHash: bytes(json.consensus_hash),
    appHash: bytes(json.app_hash),
    lastResultsHash: bytes(json.last_results_hash),
    evidenceHash: bytes(json.evidence_hash),
    proposerAddress: bytes(json.proposer_address),
  };
}
