// The SLA's recoverWithin, kept: a replica whose replacement became ready later than the contract allows owes a
// `recovery` breach, recorded against the node that failed it and keyed by the replacement pod (one per failure).
import type { ComputeContract, PowerContainer } from "../../crds/types.js";
import { recoverWithinSeconds } from "../compute-contract/contract-terms.js";
import { recordBreach } from "../chain/breach-recorder.js";
import type { Logger } from "../../observability/logger.js";
import type { OperatorContext } from "../operator-context.js";
import { POD_LABEL } from "./pod-keys.js";

/** A replica running again after a migration: how long after the failure, and in which pod. */
export interface Recovery {
  seconds: number;
  podUid: string;
}

export async function judgeRecovery(
  ctx: OperatorContext,
  pc: PowerContainer,
  contract: ComputeContract,
  recovery: Recovery,
  log: Logger,
): Promise<void> {
  const allowed = recoverWithinSeconds(contract);
  const failedNode = pc.status?.lastMigrationNode;
  const contractId = contract.status?.contractId;
  if (recovery.seconds <= allowed || failedNode === undefined || contractId === undefined) return;
  const outcome = await recordBreach(ctx.chain, {
    contractId,
    replica: Number(pc.metadata.labels?.[POD_LABEL.replica] ?? "0"),
    nodeId: failedNode,
    podUid: recovery.podUid,
    kind: "recovery",
    seconds: recovery.seconds,
  });
  const late = `ran again ${recovery.seconds.toFixed(1)} s after node ${failedNode} failed; the SLA allows ${allowed} s`;
  if (outcome === "recorded")
    ctx.runtime.events.record(pc, {
      type: "Warning",
      reason: "RecoveryBreach",
      action: "RecordBreach",
      note: `${late}: recovery breach by node ${failedNode} recorded on chain`,
    });
  else log.info({ node: failedNode, outcome }, `${late}: no new recovery breach (${outcome})`);
}
