// Bank parameters: the flat fee every transaction pays and the largest transaction accepted.
import { defineParams } from "../params/param-section.js";

export interface BankParams {
  txFee: bigint;
  maxTxBytes: number;
}

export const bankParams = defineParams<BankParams>(
  "bank",
  {
    txFee: { kind: "amount", describe: "flat fee per transaction, paid into the validators' fee pool" },
    maxTxBytes: { kind: "integer", min: 128, max: 1 << 22, describe: "largest transaction in bytes" },
  },
  { txFee: 100n, maxTxBytes: 65_536 },
);
