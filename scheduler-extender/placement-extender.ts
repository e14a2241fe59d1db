// The extender's verbs on parsed requests: who may run a pod (filter) and in which order (prioritize).
import type { Logger } from "pino";
import type { PlacementParams } from "../chain-sidecar/modules/poc/poc-types.js";
import type { ClusterState, ContributorCandidate } from "./cluster-state.js";
import { candidateNames, type ExtenderArgs, type ExtenderFilterResult } from "./extender-args.js";
import type { ExtenderMetrics } from "./extender-metrics.js";
import { filterNodes, rejectAll, type FilterOutcome } from "./node-filter.js";
import { scoreCandidates, scoresJson } from "./node-scores.js";
import type { ScuCalculator } from "../units/pod-scu.js";
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

/** Filters whose passed nodes are kept for the prioritize call that follows; more are dropped oldest first. */
const MAX_REMEMBERED_FILTERS = 1024;

interface RememberedFilter {
  readonly names: readonly string[];
  readonly candidates: ContributorCandidate[];
  readonly epoch: number;
}

export class PlacementExtender {
  /**
   * Pod UID → the nodes its last filter passed. kube-scheduler sends prioritize exactly those names next, so
   * prioritize compares names instead of looking each one up again (the lookups are most of its cost).
   */
  private readonly rememberedFilters = new Map<string, RememberedFilter>();

  constructor(private readonly parts: PlacementExtenderParts) {}

  async filter(args: ExtenderArgs): Promise<ExtenderFilterResult> {
    const { state, gate, scu, metrics, log } = this.parts;
    const names = candidateNames(args);
    metrics.candidates.observe({ verb: "filter" }, names.length);
    const pod = args.Pod.metadata;
    const read = readPodTerms(args.Pod, scu);
    if (read.kind === "foreign")
      return filterResult(args, { passed: names, passedCandidates: [], failed: {}, unresolvable: {} });
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
    this.remember(pod.uid, {
      names: outcome.passed,
      candidates: outcome.passedCandidates,
      epoch: state.candidateEpoch,
    });
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
    const uid = args.Pod.metadata.uid;
    gate.markPending(read.terms.contractKey, uid);
    const filtered = this.rememberedFilters.get(uid);
    this.rememberedFilters.delete(uid);
    const candidates =
      filtered !== undefined && filtered.epoch === state.candidateEpoch && sameNames(filtered.names, names)
        ? { candidates: state.inPocOrder(filtered.candidates), unknown: [] }
        : state.candidatesByPoc(names);
    return scoresJson(scoreCandidates(state, uid, read.terms.contractKey, candidates, placement));
  }

  private remember(podUid: string, filtered: RememberedFilter): void {
    this.rememberedFilters.delete(podUid);
    this.rememberedFilters.set(podUid, filtered);
    // A pod with one feasible node gets no prioritize call; its entry ages out here.
    if (this.rememberedFilters.size > MAX_REMEMBERED_FILTERS) {
      this.rememberedFilters.delete(this.rememberedFilters.keys().next().value!);
    }
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
