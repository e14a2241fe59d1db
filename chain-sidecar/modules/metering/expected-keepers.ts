// What metering needs from other modules, as narrow interfaces the app wires once (uranus-modules.ts).
import type { StateReader, StateWriter } from "../../state/state-access.js";
import type { Contract, ContractState, Lease, MarketParams } from "../market/market-types.js";
import type { ContributorRecord, PocParams } from "../poc/poc-types.js";

/** The market's leases and contract escrow, as metering bills them. */
export interface ContractLedger {
  lease(state: StateReader, podUid: string): Lease | undefined;
  requireContract(state: StateReader, id: string, field: string): Contract;
  /** Takes up to `amount` from the contract's escrow (in memory); `save` stores it. */
  charge(
    state: StateReader,
    contract: Contract,
    amount: bigint,
  ): { charged: bigint; unpaid: bigint; moved?: ContractState };
  save(state: StateWriter, contract: Contract): void;
  params(state: StateReader): Pick<MarketParams, "clockSkewSeconds">;
}

/** The bank as settlement pays out: the contributor's earnings and the validators' fee. */
export interface SettlementBank {
  credit(state: StateWriter, address: string, amount: bigint): void;
  addToFeePool(state: StateWriter, amount: bigint): void;
}

/** Contributor nodes (poc), for who may operate a node, and the SCU that measured use is billed in. */
export interface NodeReader {
  node(state: StateReader, nodeId: string): ContributorRecord | undefined;
  params(state: StateReader): Pick<PocParams, "scuCpuMillicores" | "scuMemoryBytes">;
}
