// What the market needs from other modules, as narrow interfaces the app wires once (uranus-modules.ts): the market
// never imports their storage, so no two modules import each other.
import type { StateReader } from "../../state/state-access.js";

/** Metering's word on a pod: the end of its last billed interval (unix seconds), 0 when never billed. */
export interface SettlementReader {
  billedTo(state: StateReader, podUid: string): number;
}
