import type { RequestFinalizeBlock } from "cosmjs-types/tendermint/abci/types";

/** A FinalizeBlock request with no votes and no misbehaviour, as a lone validator's chain sends one; zero hashes. */
export function bareBlockRequest(txs: Uint8Array[], height: bigint, seconds: bigint): RequestFinalizeBlock {
  return {
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32),
    height,
    time: { seconds, nanos: 0 },
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  };
}
