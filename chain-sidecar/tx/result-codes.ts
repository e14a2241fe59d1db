// Result codes of the Uranus chain. Published codes never change meaning; new ones are appended.
export const CODESPACE = "uranus";

export const ResultCode = {
  OK: 0,
  UNDECODABLE: 1,
  OVERSIZE: 2,
  UNKNOWN_TYPE: 3,
  WRONG_CHAIN_ID: 4,
  BAD_SIGNATURE: 5,
  STALE_NONCE: 6,
  FUTURE_NONCE: 7,
  INSUFFICIENT_FUNDS: 8,
  INVALID_FIELD: 9,
  UNAUTHORISED: 10,
  NOT_FOUND: 11,
  ALREADY_EXISTS: 12,
  JAILED: 13,
  NOT_JAILED: 14,
  TOO_EARLY: 15,
  HEIGHT_UNAVAILABLE: 16,
  PROOF_UNAVAILABLE: 17,
  /** The contract, lease, node or proposal is not in a state that allows this (paused, closed, offline, expired). */
  WRONG_STATE: 18,
  /** A metering record covers seconds of a pod that were already billed. */
  DOUBLE_BILLED: 19,
  /** A metering record or lease change names a pod, replica or node that holds no matching lease. */
  NO_LEASE: 20,
  /** A metering batch's Merkle root does not match its records. */
  ROOT_MISMATCH: 21,
  /** A lease breaks the contract's placement terms: price above its maximum, region, minimum PoC or spread. */
  PLACEMENT_REJECTED: 22,
  /**
   * The message repeats one already applied (the same opening, the lease of the same pod, the breach of the same pod
   * and kind, a second rating of a node for a contract); the log names what exists. A client that retries takes it as success.
   */
  DUPLICATE: 23,
  /**
   * The message names an epoch of a federation order other than its current assignment: the sender holds an
   * assignment the chain has since given to another cluster (the log names both epochs).
   */
  STALE_EPOCH: 24,
  /**
   * The node holds as many transactions waiting for a block as it takes (the app's pending limit, or CometBFT's
   * mempool is full). Nothing was checked or executed and the nonce is not used: send the same bytes again after a
   * back-off of a block time or more.
   */
  OVERLOADED: 25,
  /** A query's answer would be larger than CometBFT takes (4 MiB): ask for a page, or a narrower path. */
  ANSWER_TOO_LARGE: 26,
  INTERNAL: 99,
} as const;

export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode];

const names = new Map<number, string>(Object.entries(ResultCode).map(([name, code]) => [code, name]));

/** The symbolic name of a code, e.g. `STALE_NONCE`, or `CODE_<n>` for codes newer than this build. */
export function resultCodeName(code: number): string {
  return names.get(code) ?? `CODE_${code}`;
}
