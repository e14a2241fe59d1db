// A ComputeContract's status: its phase from the chain contract's state, the conditions that explain it, and the
// one write of both.
import type { Contract } from "../../chain-sidecar/modules/market/market-types.js";
import {
  CONDITION,
  FIELD_MANAGER,
  REASON,
  type ComputeContract,
  type ComputeContractPhase,
  type ComputeContractStatus,
} from "../../crds/types.js";
import { condition, type ConditionUpdate } from "../../kube-runtime/conditions.js";
import { writeStatus } from "../../kube-runtime/status.js";
import type { OperatorContext } from "../operator-context.js";
import { COMPUTE_CONTRACT } from "../uranus-resources.js";

export const PHASE_OF_STATE: Record<Contract["state"], ComputeContractPhase> = {
  open: "Running",
  paused: "Paused",
  closed: "Closed",
};

const { Opened, Funded, Ready } = CONDITION.ComputeContract;

export function openedCondition(
  cc: ComputeContract,
  status: ConditionUpdate["status"],
  reason: string,
  message: string,
): ConditionUpdate {
  return condition(Opened, status, reason, message, cc.metadata.generation);
}

export function fundedCondition(cc: ComputeContract, contract: Contract): ConditionUpdate {
  const generation = cc.metadata.generation;
  if (contract.state === "open")
    return condition(
      Funded,
      "True",
      REASON.Funded.EscrowFunded,
      `${contract.escrow} left in escrow`,
      generation,
    );
  const message =
    contract.state === "paused"
      ? `${contract.escrow} left in escrow cannot pay the next interval; top up to resume`
      : `the contract is closed on chain (${contract.closeReason})`;
  return condition(Funded, "False", REASON.Funded.EscrowExhausted, message, generation);
}

export function unfundedCondition(cc: ComputeContract, message: string): ConditionUpdate {
  return condition(Funded, "False", REASON.Funded.InsufficientPayerBalance, message, cc.metadata.generation);
}

/** Ready: every slot's replica ready; `note` tells why the slots are fewer than asked for. */
export function readyCondition(
  cc: ComputeContract,
  phase: ComputeContractPhase,
  ready: number,
  slots: number,
  note: string,
): ConditionUpdate {
  const generation = cc.metadata.generation;
  if (phase === "Paused")
    return condition(
      Ready,
      "False",
      REASON.Ready.ContractPaused,
      `paused: replicas are stopped until the escrow is topped up${note}`,
      generation,
    );
  const counted = `${ready} of ${slots} replicas ready${note}`;
  return ready >= slots && slots > 0
    ? condition(Ready, "True", REASON.Ready.ReplicasReady, counted, generation)
    : condition(Ready, "False", REASON.Ready.ReplicasNotReady, counted, generation);
}

export function writeContractStatus(
  ctx: OperatorContext,
  cc: ComputeContract,
  changes: Partial<ComputeContractStatus>,
  conditions: ConditionUpdate[],
): Promise<void> {
  return writeStatus(ctx.runtime.client, COMPUTE_CONTRACT, cc, {
    changes,
    conditions,
    now: ctx.now(),
    fieldManager: FIELD_MANAGER,
  });
}
