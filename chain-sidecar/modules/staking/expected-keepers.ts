// What staking needs from the bank, as a narrow interface the app wires once (uranus-modules.ts).
import type { StateReader, StateWriter } from "../../state/state-access.js";

/** Deposits and loans move between balances and staking; slashes and fees meet in the validators' fee pool. */
export interface StakingBank {
  balance(state: StateReader, address: string): bigint;
  debit(state: StateWriter, address: string, amount: bigint, field: string): void;
  credit(state: StateWriter, address: string, amount: bigint): void;
  /** Supply held by staking rather than a balance (genesis deposits). */
  mintInto(state: StateWriter, amount: bigint): void;
  feePool(state: StateReader): bigint;
  addToFeePool(state: StateWriter, amount: bigint): void;
  payFromFeePool(state: StateWriter, to: string, amount: bigint): void;
}
