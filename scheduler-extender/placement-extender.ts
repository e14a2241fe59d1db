// The extender's verbs on parsed requests: who may run a pod (filter) and in which order (prioritize).
import type { Logger } from "pino";
import type { PlacementParams } from "../chain-sidecar/modules/poc/placement.js";
import type { ClusterState } from "./cluster-state.js";
import { candidateNames, type ExtenderArgs, type ExtenderFilterResult } from "./extender-args.js";
import type { ExtenderMetrics } from "./extender-metrics.js";
import { filterNodes, rejectAll, type FilterOutcome } from "./node-filter.js";
import { scoreCandidates, scoresJson } from "./node-scores.js";
import type { ScuCalculator } from "./pod-scu.js";
import { readPodTerms } from "./pod-terms.js";
import type { ReplicaGate } from "./replica-gate.js";

export interface PlacementExtenderParts {
  state: ClusterState;
  gate: ReplicaGate;
  scu: ScuCalculator;
  placement: PlacementParams;
  metrics: ExtenderMetrics;
  log: Logger;
}

export class PlacementExtender {
  constructor(private readonly parts: PlacementExtenderParts) {}

  async filter(args: ExtenderArgs): Promise<ExtenderFilterResult> {
    const { state, gate, scu, metrics, log } = this.parts;
    const names = candidateNames(args);
    metrics.candidates.observe({ verb: "filter" }, names.length);
    const pod = args.Pod.metadata;
    const read = readPodTerms(args.Pod, scu);
    if (read.kind === "foreign") return filterResult(args, { passed: names, failed: {}, unresolvable: {} });
    if (read.kind === "invalid") {
      log.warn(
        { pod: `${pod.namespace ?? "default"}/${pod.name}`, problem: read.problem },
        "pod cannot be placed",
      );
      metrics.rejections.inc({ reason: "invalid pod" }, names.length);
      return filterResult(args, rejectAll(names, read.problem));
    }
    const { terms } = read;
    const waited = await gate.waitForOtherReplicas(terms.contractKey, pod.uid);
    if (waited !== "clear") metrics.replicaWaits.inc({ outcome: waited });
    const outcome = filterNodes(state, terms, names);
    if (outcome.passed.length > 0) gate.markPending(terms.contractKey, pod.uid);
    const rejected = countReasons(outcome);
    for (const [reason, count] of rejected) metrics.rejections.inc({ reason }, count);
    log.debug(
      {
        pod: `${pod.namespace ?? "default"}/${pod.name}`,
        passed: outcome.passed.length,
        rejected: Object.fromEntries(rejected),
      },
      "filtered",
    );
    return filterResult(args, outcome);
  }

  /** The HostPriority list as JSON text, written from per-node fragments (see scoresJson). */
  prioritizeJson(args: ExtenderArgs): string {
    const { state, gate, scu, placement, metrics } = this.parts;
    const names = candidateNames(args);
    metrics.candidates.observe({ verb: "prioritize" }, names.length);
    const read = readPodTerms(args.Pod, scu);
    if (read.kind !== "uranus") return "[]";
    gate.markPending(read.terms.contractKey, args.Pod.metadata.uid);
    return scoresJson(
      scoreCandidates(state, args.Pod.metadata.uid, read.terms.contractKey, names, placement),
    );
  }
}

function countReasons(outcome: FilterOutcome): Map<string, number> {
  const counts = new Map<string, number>();
  for (const reason of [...Object.values(outcome.failed), ...Object.values(outcome.unresolvable)]) {
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return counts;
}

/** Answers in the form the request came in: NodeNames for a node-cache-capable call, Nodes otherwise. */
function filterResult(args: ExtenderArgs, outcome: FilterOutcome): ExtenderFilterResult {
  const common = { FailedNodes: outcome.failed, FailedAndUnresolvableNodes: outcome.unresolvable, Error: "" };
  if (Array.isArray(args.NodeNames)) return { NodeNames: outcome.passed, ...common };
  const passed = new Set(outcome.passed);
  return {
    Nodes: { items: (args.Nodes?.items ?? []).filter((node) => passed.has(node.metadata.name)) },
    ...common,
  };
}
