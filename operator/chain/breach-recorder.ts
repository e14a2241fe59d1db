// Records one SLA breach on chain. A repeat of the same pod and kind is refused as DUPLICATE and taken as done, so
// a crash between the transaction and what the caller writes down afterwards never records a breach twice.
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import { type BREACH_KINDS, RecordBreachMsg } from "../../chain-sidecar/modules/market/market-types.js";
import { ResultCode } from "../../chain-sidecar/tx/tx-types.js";
import type { ChainGateway } from "./chain-gateway.js";

/** availability: the node failed the pod; recovery: its replacement ran later than recoverWithin; migrations: it
 * failed after the SLA's maxMigrations were used. */
export type BreachKind = (typeof BREACH_KINDS)[number];

export interface Breach {
  contractId: string;
  replica: number;
  /** The node that broke the SLA. */
  nodeId: string;
  /** The pod the breach is about: with the kind, what makes a repeat recognisable. */
  podUid: string;
  kind: BreachKind;
  seconds: number;
}

/** recorded, repeat (an earlier attempt recorded it) or not-served (the node never held a lease of the contract). */
export type BreachOutcome = "recorded" | "repeat" | "not-served";

export async function recordBreach(chain: ChainGateway, breach: Breach): Promise<BreachOutcome> {
  try {
    await chain.submitter.submit(await chain.keys.operatorWallet(), RecordBreachMsg, {
      contractId: breach.contractId,
      replica: BigInt(breach.replica),
      nodeId: breach.nodeId,
      podUid: breach.podUid,
      kind: breach.kind,
      seconds: BigInt(Math.max(0, Math.round(breach.seconds))),
    });
    return "recorded";
  } catch (error) {
    if (error instanceof ChainTxError && error.code === ResultCode.DUPLICATE) return "repeat";
    if (error instanceof ChainTxError && error.code === ResultCode.NO_LEASE) return "not-served";
    throw error;
  }
}
