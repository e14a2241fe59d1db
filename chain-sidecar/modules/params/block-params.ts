// How many transactions a block holds: CometBFT's block.max_gas (every Uranus tx asks 1 gas). The genesis document's
// consensus params set it; governance changes it like any module's parameter, and the app hands the change to CometBFT.
import { defineParams } from "./param-section.js";

export interface BlockParams {
  /** The most transactions a block holds; -1 for no limit (only a genesis document can say so). */
  maxTxs: number;
}

/** CometBFT's largest block is 100 MiB; a million of the smallest txs would not fit in it. */
const MOST_TXS = 1_000_000;

export const blockParams = defineParams<BlockParams>(
  "block",
  {
    maxTxs: {
      kind: "integer",
      min: -1,
      max: MOST_TXS,
      describe: "transactions a block holds (CometBFT's block.max_gas; -1: no limit)",
    },
  },
  { maxTxs: -1 },
  ({ maxTxs }) =>
    maxTxs === 0
      ? {
          field: "maxTxs",
          reason:
            "0 would admit no transaction, not even one raising it again: the chain could never move; " +
            "give at least 1",
        }
      : undefined,
);
