// CometBFT's vote sign bytes: the CanonicalVote protobuf, length-delimited, which a validator's ed25519 key signs.
// Encoded here because cosmjs-types ships no tendermint/types/canonical.
import { BinaryWriter } from "cosmjs-types/binary";
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { BlockID } from "cosmjs-types/tendermint/types/types";

const PRECOMMIT = 2;

export interface PrecommitVote {
  readonly chainId: string;
  readonly height: bigint;
  readonly round: number;
  readonly blockId: BlockID;
  readonly time: Timestamp;
}

/** What a precommit for `blockId` signs (types.VoteSignBytes). */
export function precommitSignBytes(vote: PrecommitVote): Uint8Array {
  const canonical = new BinaryWriter();
  canonical.uint32(8).int32(PRECOMMIT);
  if (vote.height !== 0n) canonical.uint32(17).sfixed64(vote.height);
  if (vote.round !== 0) canonical.uint32(25).sfixed64(BigInt(vote.round));
  const blockId = canonical.uint32(34).fork();
  if (vote.blockId.hash.length > 0) blockId.uint32(10).bytes(vote.blockId.hash);
  const parts = blockId.uint32(18).fork();
  const { total, hash } = vote.blockId.partSetHeader;
  if (total !== 0) parts.uint32(8).uint32(total);
  if (hash.length > 0) parts.uint32(18).bytes(hash);
  parts.ldelim();
  blockId.ldelim();
  Timestamp.encode(vote.time, canonical.uint32(42).fork()).ldelim();
  if (vote.chainId !== "") canonical.uint32(50).string(vote.chainId);
  const body = canonical.finish();
  return new BinaryWriter().bytes(body).finish();
}
