// The extender's own cost per request, apart from the machine's load: CPU time of parsing, judging and
// serialising real-sized requests against the benchmark's cluster state, in this process.
import { Agent, request } from "node:http";
import { pino } from "pino";
import { DEFAULT_PLACEMENT_PARAMS } from "../../../chain-sidecar/modules/poc/placement.js";
import type { ClusterState } from "../../../scheduler-extender/cluster-state.js";
import { parseExtenderArgs } from "../../../scheduler-extender/extender-args.js";
import { ExtenderMetrics, type Verb } from "../../../scheduler-extender/extender-metrics.js";
import { PlacementExtender } from "../../../scheduler-extender/placement-extender.js";
import { ScuCalculator } from "../../../units/pod-scu.js";
import { ReplicaGate } from "../../../scheduler-extender/replica-gate.js";
import { uranusPod } from "../../unit/scheduler-extender/contributor-node-fixture.js";

export interface ReplayCost {
  candidates: number;
  verb: Verb;
  cpuP50Ms: number;
  cpuP99Ms: number;
}

/** Bodies shaped like kube-scheduler's: a Uranus pod and a window of the node list that moves from pod to pod. */
function requestBodies(nodeNames: readonly string[], count: number, requests: number, tag: string): string[] {
  return Array.from({ length: requests }, (_, i) => {
    const start = (i * 97) % nodeNames.length;
    const names = Array.from({ length: count }, (_, k) => nodeNames[(start + k) % nodeNames.length]!);
    const pod = uranusPod({
      name: `${tag}-${i}`,
      uid: `${tag}-uid-${i}`,
      contract: `${tag}-${i}`,
      maxPrice: "10",
    });
    return JSON.stringify({ Pod: pod, NodeNames: names });
  });
}

export interface RoundTrip {
  candidates: number;
  verb: Verb;
  p50Ms: number;
  p99Ms: number;
}

/** Wall time of filter then prioritize per pod as an HTTP client on one keep-alive connection sees it. */
export async function replayHttp(
  url: string,
  nodeNames: readonly string[],
  count: number,
  requests = 300,
): Promise<RoundTrip[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (path: string, body: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(
        `${url}${path}`,
        { method: "POST", agent, headers: { "content-type": "application/json" } },
        (res) => {
          res.resume();
          res.on("end", () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const times: Record<Verb, number[]> = { filter: [], prioritize: [] };
  try {
    for (const body of requestBodies(nodeNames, count, requests, `http-${count}`)) {
      for (const verb of ["filter", "prioritize"] as const) {
        const started = performance.now();
        await post(`/${verb}`, body);
        times[verb].push(performance.now() - started);
      }
    }
  } finally {
    agent.destroy();
  }
  return (["filter", "prioritize"] as const).map((verb) => {
    const sorted = times[verb].sort((a, b) => a - b);
    return {
      candidates: count,
      verb,
      p50Ms: sorted[Math.floor(sorted.length / 2)]!,
      p99Ms: sorted[Math.ceil(sorted.length * 0.99) - 1]!,
    };
  });
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
    const bodies = requestBodies(nodeNames, count, requests, "replay");
    for (const verb of ["filter", "prioritize"] as const) {
      const cpu: number[] = [];
      for (const body of bodies) {
        const before = process.cpuUsage();
        const args = parseExtenderArgs(body);
        if (verb === "filter") JSON.stringify(await extender.filter(args));
        else extender.prioritizeJson(args);
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
