// What went wrong talking to the chain, in the words a condition and an Event need: a CamelCase reason, a
// message naming the cause, and whether trying again later can help.
import { ChainQueryError, ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import { KubeApiError } from "../../kube-runtime/kube-api-error.js";
import { KeyUnavailable } from "./key-vault.js";
import { TxOutcomeUnknown } from "./tx-submitter.js";

export interface ChainFailure {
  reason: "ChainRejected" | "ChainPending" | "ChainUnreachable" | "KeyUnavailable" | "KubernetesError";
  message: string;
  /** The chain's symbolic result code when it refused something, e.g. INSUFFICIENT_FUNDS. */
  codeName?: string;
}

export function describeChainFailure(error: unknown): ChainFailure {
  if (error instanceof ChainTxError)
    return { reason: "ChainRejected", codeName: error.codeName, message: `${error.codeName}: ${error.log}` };
  if (error instanceof ChainQueryError)
    return { reason: "ChainRejected", codeName: error.codeName, message: error.message };
  if (error instanceof TxOutcomeUnknown) return { reason: "ChainPending", message: error.message };
  if (error instanceof KeyUnavailable) return { reason: "KeyUnavailable", message: error.message };
  if (error instanceof KubeApiError) return { reason: "KubernetesError", message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { reason: "ChainUnreachable", message: `the chain node cannot be reached: ${message}` };
}

/** True for failures of the connection rather than answers from the chain. */
export function isChainUnreachable(error: unknown): boolean {
  return describeChainFailure(error).reason === "ChainUnreachable";
}
