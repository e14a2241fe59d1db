// The hashes and commits of a solo block, computed as CometBFT v0.38 computes them (header hash, data, results,
// commit, consensus params, block parts), so light clients and the explorer verify solo blocks like CometBFT's.
import { BinaryWriter } from "cosmjs-types/binary";
import type { CommitInfo, ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { HashedParams, type ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import {
  BlockID,
  CommitSig,
  type Commit,
  type Header,
  type PartSetHeader,
} from "cosmjs-types/tendermint/types/types";
import { Consensus } from "cosmjs-types/tendermint/version/types";
import type { ValidatorKey } from "../node/validator-key.js";
import type { ChainPosition } from "./chain-position.js";
import { sha256 } from "../state/sha256.js";
import { merkleRoot } from "./simple-merkle.js";
import { precommitSignBytes } from "./vote-sign-bytes.js";

export const ZERO_TIME: Timestamp = { seconds: -62135596800n, nanos: 0 };
export const EMPTY_BLOCK_ID: BlockID = {
  hash: new Uint8Array(),
  partSetHeader: { total: 0, hash: new Uint8Array() },
};
/** CometBFT's types.BlockPartSizeBytes. */
const BLOCK_PART_BYTES = 65_536;

export const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "hex"));

/** gogoproto's wrapper messages (StringValue, Int64Value, BytesValue): field 1, left out when empty. */
function wrapped(write: (writer: BinaryWriter) => void, empty: boolean): Uint8Array {
  const writer = new BinaryWriter();
  if (!empty) write(writer);
  return writer.finish();
}

/** CometBFT's Header.Hash(): the Merkle root over the header's fields, each proto-encoded on its own. */
export function headerHash(header: Header): Uint8Array {
  const bytes = (value: Uint8Array): Uint8Array =>
    wrapped((w) => w.uint32(10).bytes(value), value.length === 0);
  return merkleRoot([
    Consensus.encode(header.version).finish(),
    wrapped((w) => w.uint32(10).string(header.chainId), header.chainId === ""),
    wrapped((w) => w.uint32(8).int64(header.height), header.height === 0n),
    Timestamp.encode(header.time).finish(),
    BlockID.encode(header.lastBlockId).finish(),
    bytes(header.lastCommitHash),
    bytes(header.dataHash),
    bytes(header.validatorsHash),
    bytes(header.nextValidatorsHash),
    bytes(header.consensusHash),
    bytes(header.appHash),
    bytes(header.lastResultsHash),
    bytes(header.evidenceHash),
    bytes(header.proposerAddress),
  ]);
}

/** Data hash: the Merkle root over the txs' sha256 hashes. */
export function dataHash(txs: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(txs.map(sha256));
}

/** LastResultsHash: the Merkle root over each tx result's deterministic fields (code, data, gas wanted and used). */
export function resultsHash(results: ResponseFinalizeBlock): Uint8Array {
  return merkleRoot(
    results.txResults.map((r) => {
      const writer = new BinaryWriter();
      if (r.code !== 0) writer.uint32(8).uint32(r.code);
      if (r.data.length > 0) writer.uint32(18).bytes(r.data);
      if (r.gasWanted !== 0n) writer.uint32(40).int64(r.gasWanted);
      if (r.gasUsed !== 0n) writer.uint32(48).int64(r.gasUsed);
      return writer.finish();
    }),
  );
}

/** LastCommitHash: the Merkle root over the commit's signatures. */
export function commitHash(commit: Commit): Uint8Array {
  return merkleRoot(commit.signatures.map((sig) => CommitSig.encode(sig).finish()));
}

/** ConsensusHash: sha256 of the params CometBFT hashes (block max bytes and max gas). */
export function consensusHash(params: ConsensusParams): Uint8Array {
  return sha256(
    HashedParams.encode({
      blockMaxBytes: params.block?.maxBytes ?? 0n,
      blockMaxGas: params.block?.maxGas ?? 0n,
    }).finish(),
  );
}

/** The block's part set header: 64 KiB parts under a Merkle root. */
export function partSetHeader(encodedBlock: Uint8Array): PartSetHeader {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < encodedBlock.length; at += BLOCK_PART_BYTES)
    parts.push(encodedBlock.subarray(at, at + BLOCK_PART_BYTES));
  return { total: parts.length, hash: merkleRoot(parts) };
}

export function lastCommitInfo(p: ChainPosition, self: string): CommitInfo {
  return {
    round: 0,
    votes: p.lastValidators.members.map((m) => ({
      validator: { address: fromHex(m.address), power: m.power },
      blockIdFlag: m.address === self ? BlockIDFlag.BLOCK_ID_FLAG_COMMIT : BlockIDFlag.BLOCK_ID_FLAG_ABSENT,
    })),
  };
}

/** The commit of the last block: this validator's precommit, signed over CometBFT's canonical vote bytes. */
export function lastCommit(p: ChainPosition, key: ValidatorKey, chainId: string): Commit {
  if (p.blockId.hash.length === 0) {
    return { height: p.height, round: 0, blockId: EMPTY_BLOCK_ID, signatures: [] };
  }
  const time = {
    seconds: BigInt(Math.floor(p.timeMillis / 1000)),
    nanos: (p.timeMillis % 1000) * 1_000_000,
  };
  const signBytes = precommitSignBytes({ chainId, height: p.height, round: 0, blockId: p.blockId, time });
  return {
    height: p.height,
    round: 0,
    blockId: p.blockId,
    signatures: p.lastValidators.members.map((m) =>
      m.address === key.addressHex
        ? {
            blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_COMMIT,
            validatorAddress: fromHex(m.address),
            timestamp: time,
            signature: key.sign(signBytes),
          }
        : {
            blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_ABSENT,
            validatorAddress: new Uint8Array(),
            timestamp: ZERO_TIME,
            signature: new Uint8Array(),
          },
    ),
  };
}
