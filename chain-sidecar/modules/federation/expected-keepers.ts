// What the federation needs from other modules, as narrow interfaces the app wires once (uranus-modules.ts).
import type { StateReader, StateWriter } from "../../state/state-access.js";
import type { BlockInfo } from "../exec-context.js";
import type { Contract, Lease, OpenContract } from "../market/market-types.js";
import type { ContributorRecord } from "../poc/poc-types.js";

/** The market's contracts: an order opens one, and the cluster holding the order operates it. */
export interface ContractMarket {
  /** Opens as OpenContract does (escrow, id, duplicate check); errors name the fields of `message`. */
  open(state: StateWriter, sender: string, msg: OpenContract, block: BlockInfo, message: string): Contract;
  contract(state: StateReader, id: string): Contract | undefined;
  /** Makes `operator` ("" for none) the contract's operator and ends its active leases as failed. */
  handOver(state: StateWriter, id: string, operator: string, block: BlockInfo): Lease[];
}

/** The contributor nodes (poc), whose PoC ranks the clusters their operators run. */
export interface NodePoc {
  nodes(state: StateReader): ContributorRecord[];
  pocTotal(state: StateReader, node: ContributorRecord, block: Pick<BlockInfo, "height" | "timeMs">): bigint;
}

/** Staking's validators, by the consensus address a commit's votes name. */
export interface ValidatorDirectory {
  operatorOfConsensusAddress(state: StateReader, consensusAddress: string): string | undefined;
}
