// The app's own records under `chain/`: the chain id fixed at genesis and the last block's height and time.
import { decodeRecord, encodeRecord } from "../state/canonical-json.js";
import type { StateReader, StateWriter } from "../state/state-access.js";

export const CHAIN_ID_KEY = "chain/id";
export const LAST_BLOCK_KEY = "chain/lastBlock";

export function readChainId(state: StateReader): string | undefined {
  const bytes = state.get(CHAIN_ID_KEY);
  return bytes ? (decodeRecord(bytes) as { chainId: string }).chainId : undefined;
}

export function writeChainId(state: StateWriter, chainId: string): void {
  state.set(CHAIN_ID_KEY, encodeRecord({ chainId }));
}

export function readLastBlockTimeMs(state: StateReader): number {
  const bytes = state.get(LAST_BLOCK_KEY);
  return bytes ? (decodeRecord(bytes) as { timeMs: number }).timeMs : 0;
}

export function writeLastBlock(state: StateWriter, height: number, timeMs: number): void {
  state.set(LAST_BLOCK_KEY, encodeRecord({ height, timeMs }));
}
