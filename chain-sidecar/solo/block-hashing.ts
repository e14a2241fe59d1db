// The hashes and commits of a solo block, laid out as CometBFT lays them out (Header fields, last commit, results
// hash), so light clients and the explorer read solo blocks like CometBFT's.
import { createHash } from "node:crypto";
import {
  ExecTxResult,
  type CommitInfo,
  type ResponseFinalizeBlock,
} from "cosmjs-types/tendermint/abci/types";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import type { BlockID, Commit } from "cosmjs-types/tendermint/types/types";
import type { ValidatorKey } from "../node/validator-key.js";
import type { ChainPosition } from "./chain-position.js";

export const ZERO_TIME: Timestamp = { seconds: -62135596800n, nanos: 0 };
export const EMPTY_BLOCK_ID: BlockID = {
  hash: new Uint8Array(),
  partSetHeader: { total: 0, hash: new Uint8Array() },
};

export const sha256 = (data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash("sha256").update(data).digest());
export const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "hex"));

/** CometBFT's LastResultsHash: over the deterministic fields of each tx result. */
export function resultsHash(results: ResponseFinalizeBlock): Uint8Array {
  return sha256(
    Buffer.concat(
      results.txResults.map((r) =>
        ExecTxResult.encode(
          ExecTxResult.fromPartial({
            code: r.code,
            data: r.data,
            gasWanted: r.gasWanted,
            gasUsed: r.gasUsed,
          }),
        ).finish(),
      ),
    ),
  );
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

export function lastCommit(p: ChainPosition, key: ValidatorKey): Commit {
  if (p.blockId.hash.length === 0) {
    return { height: p.height, round: 0, blockId: EMPTY_BLOCK_ID, signatures: [] };
  }
  const time = {
    seconds: BigInt(Math.floor(p.timeMillis / 1000)),
    nanos: (p.timeMillis % 1000) * 1_000_000,
  };
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
            // Solo signs the block hash itself, not CometBFT's canonical vote bytes.
            signature: key.sign(p.blockId.hash),
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
