// The filter verb's judgement: which candidate nodes may run a Uranus pod, and why each other one may not.
import { usedScuOf, type ClusterState, type ContributorCandidate } from "./cluster-state.js";
import type { ContributorView } from "./contributor-view.js";
import type { PodTerms } from "./pod-terms.js";

/**
 * Why a node was turned down. kube-scheduler counts identical reasons into one FailedScheduling event
 * ("0/50 nodes are available: 3 contributor node is offline, …"), so reasons name the cause, not the node.
 */
export const REJECTION = {
  notOffered: "node is not offered to Uranus (no ContributorNode)",
  notRegistered: "contributor node is not registered on chain",
  jailed: "contributor node is jailed",
  offline: "contributor node is offline",
  unschedulable: "contributor node is marked unschedulable by its owner",
  overPrice: "contributor node asks more than the contract's max price per SCU-hour",
  outsideRegions: "contributor node is outside the contract's regions",
  belowMinPoC: "contributor node's PoC is below the contract's minimum",
  noKata: "contributor node does not offer kata isolation",
  noFreeScu: "contributor node has too little free SCU",
} as const;
export type Rejection = (typeof REJECTION)[keyof typeof REJECTION];

export interface FilterOutcome {
  readonly passed: string[];
  /** The passed nodes' candidates, in the same order, for a prioritize call that follows. */
  readonly passedCandidates: ContributorCandidate[];
  /** Nodes that could take the pod if other pods left (preemption may help). */
  readonly failed: Record<string, string>;
  /** Nodes that cannot take the pod whatever is evicted. */
  readonly unresolvable: Record<string, string>;
}

/** The first rule the node breaks, or undefined when it may take the pod. */
export function rejectionOf(
  view: ContributorView | undefined,
  terms: PodTerms,
  usedScu: number,
): Rejection | undefined {
  if (view === undefined) return REJECTION.notOffered;
  if (!view.registered) return REJECTION.notRegistered;
  if (view.jailed) return REJECTION.jailed;
  if (!view.online) return REJECTION.offline;
  if (view.unschedulable) return REJECTION.unschedulable;
  if (view.pricePerSCUHour === undefined || view.pricePerSCUHour > terms.maxPricePerSCUHour) {
    return REJECTION.overPrice;
  }
  if (terms.regions !== undefined && !terms.regions.has(view.region)) return REJECTION.outsideRegions;
  if (view.poc < terms.minPoC) return REJECTION.belowMinPoC;
  if (terms.needsKata && !view.offersKata) return REJECTION.noKata;
  if (view.capacitySCU - usedScu < terms.scu) return REJECTION.noFreeScu;
  return undefined;
}

export function filterNodes(
  state: ClusterState,
  terms: PodTerms,
  nodeNames: readonly string[],
): FilterOutcome {
  const passed: string[] = [];
  const passedCandidates: ContributorCandidate[] = [];
  const failed = reasonMap();
  const unresolvable = reasonMap();
  for (const nodeName of nodeNames) {
    const record = state.node(nodeName);
    const rejection = rejectionOf(record?.view, terms, usedScuOf(record));
    if (rejection === undefined) {
      passed.push(nodeName);
      // A node with a view always has its candidate.
      passedCandidates.push(record!.candidate!);
    } else if (rejection === REJECTION.noFreeScu) failed[nodeName] = rejection;
    else unresolvable[nodeName] = rejection;
  }
  return { passed, passedCandidates, failed, unresolvable };
}

/** Every node turned down for one pod-level problem (a missing or malformed annotation, say). */
export function rejectAll(nodeNames: readonly string[], problem: string): FilterOutcome {
  const unresolvable = reasonMap();
  for (const nodeName of nodeNames) unresolvable[nodeName] = problem;
  return { passed: [], passedCandidates: [], failed: {}, unresolvable };
}

/** Node name → reason, without a prototype: a request may name a node "__proto__". */
function reasonMap(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}
