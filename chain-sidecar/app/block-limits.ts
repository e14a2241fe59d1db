// The consensus limits a block must keep, kept in state so every validator, a restarted one and a state-synced one
// judge proposals alike. CometBFT's reaping keeps honest proposers within them; these checks hold a byzantine one to
// them too. The byte limit is the genesis document's; the tx count (block.max_gas, 1 gas a tx) is the `block`
// parameter, which governance may change: the block that changes it hands CometBFT the new limit for the next one.
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { blockParams } from "../modules/params/block-params.js";
import { readParams, writeParams } from "../modules/params/params-keeper.js";
import { decodeRecord, encodeRecord } from "../state/canonical-json.js";
import type { StateReader, StateWriter } from "../state/state-access.js";
import { invalidField } from "../tx/tx-error.js";

/** The genesis block.max_bytes (-1: none), beside the `block` parameter section. */
export const BLOCK_BYTES_KEY = "chain/block-bytes";

export interface BlockLimits {
  /** The most txs a block holds; -1 for no limit (CometBFT's convention). */
  readonly maxTxs: number;
  /** The most bytes a block's txs take; -1 for no limit of the app's own. */
  readonly maxTxBytes: number;
}

/**
 * At InitChain: the limits of the genesis document's consensus params (CometBFT sends them filled in). The tx limit
 * comes from there only, so app_state may not set the `block` section a second way.
 */
export function writeBlockLimits(
  state: StateWriter,
  params: ConsensusParams | undefined,
  appState: object,
): void {
  const sections = (appState as { params?: unknown }).params;
  if (typeof sections === "object" && sections !== null && blockParams.module in sections) {
    throw invalidField(
      `genesis.params.${blockParams.module}`,
      "set by the genesis document's consensus_params.block.max_gas, not in app_state",
    );
  }
  const block = params?.block;
  const maxTxBytes = block === undefined || block.maxBytes <= 0n ? -1 : Number(block.maxBytes);
  state.set(BLOCK_BYTES_KEY, encodeRecord({ maxTxBytes }));
  writeParams(state, blockParams, { maxTxs: block === undefined ? -1 : Number(block.maxGas) });
}

export function readBlockLimits(state: StateReader): BlockLimits {
  const bytes = state.get(BLOCK_BYTES_KEY);
  const maxTxBytes = bytes ? (decodeRecord(bytes) as { maxTxBytes: number }).maxTxBytes : -1;
  return { maxTxs: readParams(state, blockParams).maxTxs, maxTxBytes };
}

/**
 * The consensus param update for FinalizeBlock when the block changed the tx limit, else undefined. CometBFT replaces
 * max_bytes and max_gas together, so max_bytes goes back as it was; CometBFT applies it from the next height on.
 */
export function blockLimitUpdate(before: StateReader, after: StateReader): ConsensusParams | undefined {
  if (readParams(after, blockParams).maxTxs === readParams(before, blockParams).maxTxs) return undefined;
  const limits = readBlockLimits(after);
  return { block: { maxBytes: BigInt(limits.maxTxBytes), maxGas: BigInt(limits.maxTxs) } };
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
