// A contract another member cluster may run (placement.clusters Any or Others): opened as an order that carries
// its workload, and mirrored from the chain, where the assigned cluster reports what its copy does.
import type { Contract } from "../../chain-sidecar/modules/market/market-types.js";
import type { OpenOrder, Order } from "../../chain-sidecar/modules/federation/federation-types.js";
import type { ComputeContract, ComputeContractPhase, FederatedPlacement } from "../../crds/types.js";
import type { ScuScale } from "../../units/scu-scale.js";
import { workloadJson } from "../federation/order-workload.js";
import { openContractMessage, type OpeningParty } from "./contract-terms.js";
import { PHASE_OF_STATE } from "./contract-status.js";

export function isRemote(cc: ComputeContract): boolean {
  const clusters = cc.spec.placement?.clusters;
  return clusters !== undefined && clusters !== "Local";
}

/** The OpenOrder message: the contract's terms (no operator: the chain hands it to the assigned cluster's). */
export function openOrderMessage(
  cc: ComputeContract,
  scale: ScuScale,
  party: Omit<OpeningParty, "operator">,
): OpenOrder {
  const { operator: _operator, ...terms } = openContractMessage(cc, scale, { ...party, operator: "" });
  return {
    ...terms,
    placement: cc.spec.placement!.clusters === "Others" ? "others" : "any",
    isolation: cc.spec.template.spec.isolation ?? "",
    workload: workloadJson(cc.spec.template.spec),
  };
}

const REPORTED_PHASES: readonly ComputeContractPhase[] = ["Pending", "Running", "Paused", "Failed"];

/** The home object's phase, ready replicas and placement, from the chain contract and its order. */
export function mirroredStatus(
  contract: Contract,
  order: Order | undefined,
): { phase: ComputeContractPhase; readyReplicas: number; placement: FederatedPlacement } {
  const placement: FederatedPlacement = {};
  if (order !== undefined) {
    if (order.assignedCluster !== "") placement.cluster = order.assignedCluster;
    placement.epoch = order.epoch;
    placement.endpoints = [...order.endpoints];
    if (order.previousClusters.length > 0) placement.previousClusters = [...order.previousClusters];
  }
  if (contract.state !== "open" || order === undefined)
    return { phase: PHASE_OF_STATE[contract.state], readyReplicas: 0, placement };
  const reported = REPORTED_PHASES.find((phase) => phase === order.phase);
  const assigned = order.state === "assigned";
  return {
    phase: assigned && reported !== undefined ? reported : "Pending",
    readyReplicas: assigned ? order.readyReplicas : 0,
    placement,
  };
}
