// What governance needs from staking, as a narrow interface the app wires once (uranus-modules.ts).
import type { StateReader } from "../../state/state-access.js";

/** The active validator set: operator → voting power, which approvals are counted in. */
export interface ActiveValidators {
  activeSet(state: StateReader): ReadonlyMap<string, bigint>;
}
