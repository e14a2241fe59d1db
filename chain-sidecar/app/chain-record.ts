// The app's own record under `chain/`: the chain id fixed at genesis. The last block's height and time live outside
// consensus state (last-block-record.ts), so a block without transactions leaves the app hash as it was.
import { decodeRecord, encodeRecord } from "../state/canonical-json.js";
import type { StateReader, StateWriter } from "../state/state-access.js";

export const CHAIN_ID_KEY = "chain/id";

export function readChainId(state: StateReader): string | undefined {
  const bytes = state.get(CHAIN_ID_KEY);
  return bytes ? (decodeRecord(bytes) as { chainId: string }).chainId : undefined;
}

export function writeChainId(state: StateWriter, chainId: string): void {
  state.set(CHAIN_ID_KEY, encodeRecord({ chainId }));
}
