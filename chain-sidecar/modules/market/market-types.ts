// The market module as other code sees it: its messages, records with their codecs and ids, and parameters.
// Everything else in this folder (the keeper, state keys, the handlers) is internal to the chain.
export * from "./market-messages.js";
export {
  BILLING_MODES,
  BREACH_KINDS,
  LEASE_OUTCOMES,
  contractIdFor,
  decodeContract,
  decodeLease,
  type BillingMode,
  type CloseReason,
  type Contract,
  type ContractState,
  type Lease,
  type LeaseOutcome,
} from "./market-records.js";
export type { MarketParams } from "./market-params.js";
