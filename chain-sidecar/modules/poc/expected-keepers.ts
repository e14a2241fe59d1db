// What the poc module needs from staking for a node's chain score, as a narrow interface the app wires once
// (uranus-modules.ts).
import type { StateReader } from "../../state/state-access.js";

/** An owner's stake: its own validator deposit, what it lends, and whom it votes for. */
export interface StakeReader {
  /** 0 when the address runs no validator. */
  depositOf(state: StateReader, operator: string): bigint;
  lentBy(state: StateReader, lender: string): bigint;
  votesOf(state: StateReader, voter: string): readonly string[];
}
