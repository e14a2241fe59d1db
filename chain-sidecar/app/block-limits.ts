// The consensus limits a block must keep, as genesis set them (each tx asks 1 gas, so max_gas is its tx count), kept
// in state so every validator, a restarted one and a state-synced one judge proposals alike. CometBFT's reaping keeps
// honest proposers within them; these checks hold a byzantine one to them too.
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { decodeRecord, encodeRecord } from "../state/canonical-json.js";
import type { StateReader, StateWriter } from "../state/state-access.js";

export const BLOCK_LIMITS_KEY = "chain/block-limits";

export interface BlockLimits {
  /** The most txs a block holds; -1 for no limit (CometBFT's convention). */
  readonly maxTxs: number;
  /** The most bytes a block's txs take; -1 for no limit of the app's own. */
  readonly maxTxBytes: number;
}

const UNLIMITED: BlockLimits = { maxTxs: -1, maxTxBytes: -1 };

export function writeBlockLimits(state: StateWriter, params: ConsensusParams | undefined): void {
  const block = params?.block;
  const limits: BlockLimits = {
    maxTxs: block === undefined ? -1 : Number(block.maxGas),
    maxTxBytes: block === undefined || block.maxBytes <= 0n ? -1 : Number(block.maxBytes),
  };
  state.set(BLOCK_LIMITS_KEY, encodeRecord({ ...limits }));
}

export function readBlockLimits(state: StateReader): BlockLimits {
  const bytes = state.get(BLOCK_LIMITS_KEY);
  return bytes ? (decodeRecord(bytes) as unknown as BlockLimits) : UNLIMITED;
}

/** Why a proposal breaks the limits, or undefined when it keeps them. */
export function proposalOverLimits(limits: BlockLimits, txs: readonly Uint8Array[]): string | undefined {
  if (limits.maxTxs >= 0 && txs.length > limits.maxTxs) {
    return `the proposal holds ${txs.length} txs, more than block.max_gas ${limits.maxTxs} (1 gas each)`;
  }
  const bytes = txs.reduce((sum, tx) => sum + tx.length, 0);
  if (limits.maxTxBytes >= 0 && bytes > limits.maxTxBytes) {
    return `the proposal's txs take ${bytes} bytes, more than block.max_bytes ${limits.maxTxBytes}`;
  }
  return undefined;
}
