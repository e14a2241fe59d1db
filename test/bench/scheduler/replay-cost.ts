// The extender's own cost per request, apart from the machine's load: CPU time of parsing, judging and
// serialising real-sized requests against the benchmark's cluster state, in this process.
import { pino } from "pino";
import { DEFAULT_PLACEMENT_PARAMS } from "../../../chain-sidecar/modules/poc/placement.js";
import type { ClusterState } from "../../../scheduler-extender/cluster-state.js";
import { parseExtenderArgs } from "../../../scheduler-extender/extender-args.js";
import { ExtenderMetrics, type Verb } from "../../../scheduler-extender/extender-metrics.js";
import { PlacementExtender } from "../../../scheduler-extender/placement-extender.js";
import { ScuCalculator } from "../../../scheduler-extender/pod-scu.js";
import { ReplicaGate } from "../../../scheduler-extender/replica-gate.js";
import { uranusPod } from "../../unit/scheduler-extender/contributor-node-fixture.js";

export interface ReplayCost {
  candidates: number;
  verb: Verb;
  cpuP50Ms: number;
  cpuP99Ms: number;
}

export async function replayCost(
  state: ClusterState,
  nodeNames: readonly string[],
  candidateCounts: readonly number[],
  requests = 300,
): Promise<ReplayCost[]> {
  const scu = new ScuCalculator();
  const extender = new PlacementExtender({
    state,
    gate: new ReplicaGate(),
    scu,
    placement: DEFAULT_PLACEMENT_PARAMS,
    metrics: new ExtenderMetrics({ processMetrics: false }),
    log: pino({ level: "silent" }),
  });
  const results: ReplayCost[] = [];
  for (const count of candidateCounts) {
    const bodies = Array.from({ length: requests }, (_, i) => {
      // kube-scheduler sends a window of the node list that moves from pod to pod.
      const start = (i * 97) % nodeNames.length;
      const names = Array.from({ length: count }, (_, k) => nodeNames[(start + k) % nodeNames.length]!);
      const pod = uranusPod({
        name: `replay-${i}`,
        uid: `replay-uid-${i}`,
        contract: `replay-${i}`,
        maxPrice: "10",
      });
      return JSON.stringify({ Pod: pod, NodeNames: names });
    });
    for (const verb of ["filter", "prioritize"] as const) {
      const cpu: number[] = [];
      for (const body of bodies) {
        const before = process.cpuUsage();
        const args = parseExtenderArgs(body);
        JSON.stringify(verb === "filter" ? await extender.filter(args) : extender.prioritize(args));
        const used = process.cpuUsage(before);
        cpu.push((used.user + used.system) / 1000);
      }
      cpu.sort((a, b) => a - b);
      results.push({
        candidates: count,
        verb,
        cpuP50Ms: cpu[Math.floor(cpu.length / 2)]!,
        cpuP99Ms: cpu[Math.ceil(cpu.length * 0.99) - 1]!,
      });
    }
  }
  return results;
}
