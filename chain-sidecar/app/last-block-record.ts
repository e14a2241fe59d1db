// The last committed block's height and time, kept beside the state (not in it) so a block without transactions
// changes no state; CheckTx and queries read the time from here. The time is the store's commit metadata, written in
// the block's own commit, so it can never disagree with the committed height.
import type { CommittedStore } from "../state/committed-store.js";

export interface LastBlock {
  readonly height: number;
  readonly timeMs: number;
}

const TIME_KEY = "lastBlockTimeMs";

/** The last commit's height and time; a fresh or restored store is at time 0 until its next commit. */
export function readLastBlock(store: CommittedStore): LastBlock {
  const time = store.metadata(TIME_KEY);
  return { height: store.height, timeMs: time === undefined ? 0 : Number(new TextDecoder().decode(time)) };
}

/** The commit metadata that records a block's time. */
export function lastBlockMetadata(timeMs: number): [name: string, value: Uint8Array][] {
  return [[TIME_KEY, new TextEncoder().encode(String(timeMs))]];
}
