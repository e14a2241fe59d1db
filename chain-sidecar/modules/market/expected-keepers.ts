// What the market needs from other modules, as narrow interfaces the app wires once (uranus-modules.ts): the market
// never imports their keepers or storage, so no two modules import each other.
import type { StateReader, StateWriter } from "../../state/state-access.js";
import type { BlockInfo } from "../exec-context.js";
import type { ContributorRecord } from "../poc/poc-types.js";

/** Metering's word on a pod, and what it must hear when a contract closes (so its settlements can be archived). */
export interface SettlementReader {
  /** The end of the pod's last billed interval (unix seconds), 0 when never billed. */
  billedTo(state: StateReader, podUid: string): number;
  contractClosed(state: StateWriter, contractId: string, closedAtSeconds: number): void;
}

/** The bank as escrow sees it: budgets and top-ups come in from the payer, refunds go back. */
export interface EscrowBank {
  debit(state: StateWriter, address: string, amount: bigint, field: string): void;
  credit(state: StateWriter, address: string, amount: bigint): void;
}

/** The contributor nodes a lease may be placed on (poc). */
export interface NodeDirectory {
  requireNode(state: StateReader, nodeId: string, field: string): ContributorRecord;
  /** The node's PoC total as seen at `block`. */
  pocTotal(state: StateReader, node: ContributorRecord, block: Pick<BlockInfo, "height" | "timeMs">): bigint;
}

/** What leases, breaches and ratings add to a node's record (poc), for its service score. */
export interface NodeLedger {
  leaseStarted(state: StateWriter, nodeId: string): void;
  leaseEnded(state: StateWriter, nodeId: string, completed: boolean): void;
  addRating(state: StateWriter, nodeId: string, rating: number): void;
  addBreach(state: StateWriter, nodeId: string): void;
}

/** SCU asked for by opened or grown contracts, which steers the PoC coefficients (poc). */
export interface DemandRecorder {
  recordDemand(state: StateWriter, height: number, scu: bigint): void;
}
