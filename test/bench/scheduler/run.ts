// Scheduling throughput with the Uranus extender against the same kube-scheduler without it, and the extender's
// latency per verb, on kwok contributor pools. Not part of npm test:
//   npx tsx test/bench/scheduler/run.ts [--sizes 1000,5000] [--pods 1000] [--rounds 1] [--percentage-of-nodes-to-score N]
import { loadavg } from "node:os";
import { Command } from "commander";
import { pino } from "pino";
import { installCrds } from "../../../crds/install.js";
import { startControlPlane, type ControlPlane } from "../../../hack/control-plane.js";
import { freePort } from "../../../hack/free-port.js";
import { waitFor } from "../../../hack/wait-for.js";
import type { Verb } from "../../../scheduler-extender/extender-metrics.js";
import {
  startSchedulerExtender,
  type RunningSchedulerExtender,
} from "../../../scheduler-extender/scheduler-extender.js";
import {
  createPods,
  offerNodes,
  type PodPlan,
} from "../../integration/scheduler-extender/contributor-cluster.js";
import { BindClock } from "./bind-clock.js";
import { replayCost } from "./replay-cost.js";
import { startScheduler, stopBuiltInScheduler } from "./scheduler-process.js";

interface BenchOptions {
  sizes: number[];
  pods: number;
  rounds: number;
  percentageOfNodesToScore?: number;
}

interface RunResult {
  nodes: number;
  mode: "baseline" | "extender";
  pods: number;
  podsPerSecond: number;
  podsPerSecondMiddle: number;
  seconds: number;
}

const EXTENDER_WEIGHT = 130;

function list(value: string): number[] {
  return value.split(",").map((part) => {
    const number = Number(part);
    if (!Number.isSafeInteger(number) || number <= 0) throw new Error(`not a positive integer: ${part}`);
    return number;
  });
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function log(line: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function timedRun(
  controlPlane: ControlPlane,
  nodes: number,
  mode: RunResult["mode"],
  run: string,
  options: BenchOptions,
  extenderUrl: string,
): Promise<RunResult> {
  const selector = `uranus.bench/run=${run}`;
  const plans: PodPlan[] = Array.from({ length: options.pods }, (_, i) => ({
    name: `${run}-${i}`,
    contract: `${run}-${i}`,
    maxPrice: "10",
    group: "bench",
    labels: { "uranus.bench/run": run },
    // kwok cannot heartbeat thousands of nodes on a loaded machine; readiness is not what is measured.
    tolerations: [{ operator: "Exists" }],
  }));
  const created = performance.now();
  await createPods(controlPlane.kubeConfig, plans, 50);
  log(
    `${run}: created ${options.pods} pending pods in ${((performance.now() - created) / 1000).toFixed(1)} s`,
  );
  const clock = new BindClock(controlPlane.kubeConfig, selector);
  await clock.start();
  const extenders =
    mode === "extender"
      ? [
          {
            urlPrefix: extenderUrl,
            filterVerb: "filter",
            prioritizeVerb: "prioritize",
            weight: EXTENDER_WEIGHT,
            nodeCacheCapable: true,
            ignorable: false,
            httpTimeout: "5s",
          },
        ]
      : [];
  const scheduler = await startScheduler(controlPlane, run, extenders, options.percentageOfNodesToScore);
  try {
    await waitFor(() => clock.boundAt.size >= options.pods || undefined, {
      timeoutMs: 30 * 60_000,
      intervalMs: 200,
      description: `${options.pods} pods of ${run} bound`,
    });
  } finally {
    await scheduler.stop();
    await clock.stop();
  }
  const times = [...clock.boundAt.values()].sort((a, b) => a - b);
  const result: RunResult = {
    nodes,
    mode,
    pods: options.pods,
    podsPerSecond: clock.throughput(),
    podsPerSecondMiddle: clock.throughput(0.05, 0.95),
    seconds: (times[times.length - 1]! - times[0]!) / 1000,
  };
  log(
    `${run}: ${result.podsPerSecond.toFixed(1)} pods/s (5–95 %: ${result.podsPerSecondMiddle.toFixed(1)}) over ` +
      `${result.seconds.toFixed(1)} s; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  return result;
}

/** What must be stopped if the benchmark is interrupted. */
const running = new Set<() => Promise<void>>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void Promise.allSettled([...running].map((stop) => stop())).then(() => process.exit(130));
  });
}

async function benchSize(nodes: number, options: BenchOptions): Promise<void> {
  log(`=== ${nodes} nodes: starting a control plane (load average ${loadavg()[0]!.toFixed(1)})`);
  const controlPlane = await startControlPlane({ progress: (line) => log(line) });
  const stopControlPlane = (): Promise<void> => controlPlane.stop();
  running.add(stopControlPlane);
  let extender: RunningSchedulerExtender | undefined;
  try {
    await stopBuiltInScheduler(controlPlane);
    await installCrds(controlPlane.kubeConfig);
    const offered = performance.now();
    await offerNodes(
      controlPlane.kubeConfig,
      "bench",
      Array.from({ length: nodes }, (_, i) => ({
        name: `bench-node-${i}`,
        // Distinct PoC in no relation to the name.
        poc: 1_000 + ((i * 7_919) % nodes),
        capacitySCU: 1_000,
        price: "5",
      })),
      { concurrency: 50, waitReady: false },
    );
    log(
      `offered ${nodes} nodes with ContributorNodes in ${((performance.now() - offered) / 1000).toFixed(1)} s`,
    );

    const latencies: Record<Verb, number[]> = { filter: [], prioritize: [] };
    let recording = false;
    const port = await freePort();
    extender = await startSchedulerExtender({
      kubeConfig: controlPlane.kubeConfig,
      port,
      log: pino({ level: "warn" }),
      processMetrics: false,
      onTimed: (verb, seconds) => {
        if (recording) latencies[verb].push(seconds * 1000);
      },
    });
    await extender.informers.whenSynced();
    const live = extender;
    await waitFor(() => live.state.contributorCount >= nodes || undefined, {
      timeoutMs: 120_000,
      description: `the extender to see ${nodes} contributor nodes`,
    });

    const results: RunResult[] = [];
    for (let round = 0; round < options.rounds; round++) {
      // Alternate the order so neither mode always runs on the fuller cluster.
      const modes: RunResult["mode"][] =
        round % 2 === 0 ? ["baseline", "extender"] : ["extender", "baseline"];
      for (const mode of modes) {
        recording = mode === "extender";
        results.push(
          await timedRun(controlPlane, nodes, mode, `n${nodes}-r${round}-${mode}`, options, extender.url),
        );
        recording = false;
      }
    }

    const mean = (mode: RunResult["mode"], key: "podsPerSecond" | "podsPerSecondMiddle"): number => {
      const runs = results.filter((r) => r.mode === mode);
      return runs.reduce((sum, r) => sum + r[key], 0) / runs.length;
    };
    const candidates = (await extender.metrics.candidates.get()).values;
    const candidateMean = (verb: Verb): number => {
      const sum =
        candidates.find((v) => v.labels.verb === verb && v.metricName?.endsWith("_sum"))?.value ?? 0;
      const count =
        candidates.find((v) => v.labels.verb === verb && v.metricName?.endsWith("_count"))?.value ?? 0;
      return count === 0 ? 0 : sum / count;
    };
    const summary = {
      nodes,
      podsPerRun: options.pods,
      rounds: options.rounds,
      baselinePodsPerSecond: mean("baseline", "podsPerSecond"),
      extenderPodsPerSecond: mean("extender", "podsPerSecond"),
      ratio: mean("extender", "podsPerSecond") / mean("baseline", "podsPerSecond"),
      ratioMiddle: mean("extender", "podsPerSecondMiddle") / mean("baseline", "podsPerSecondMiddle"),
      latencyMs: Object.fromEntries(
        (["filter", "prioritize"] as const).map((verb) => {
          const sorted = [...latencies[verb]].sort((a, b) => a - b);
          return [
            verb,
            {
              requests: sorted.length,
              p50: percentile(sorted, 0.5),
              p99: percentile(sorted, 0.99),
              max: sorted[sorted.length - 1],
              meanCandidateNodes: candidateMean(verb),
            },
          ];
        }),
      ),
      loadAverage: loadavg()[0],
      cpuPerRequest: await replayCost(
        extender.state,
        Array.from({ length: nodes }, (_, i) => `bench-node-${i}`),
        [...new Set([Math.round(candidateMean("filter")), nodes])],
      ),
    };
    console.log(`RESULT ${JSON.stringify(summary)}`);
    const f = (n: number | undefined): string => (n === undefined ? "-" : n.toFixed(2));
    console.log(
      [
        `${nodes} nodes, ${options.pods} pods per run, ${options.rounds} round(s):`,
        `  throughput without extender ${f(summary.baselinePodsPerSecond)} pods/s, with ${f(summary.extenderPodsPerSecond)} pods/s` +
          ` → ratio ${f(summary.ratio)} (5–95 % window: ${f(summary.ratioMiddle)}; target ≥ 0.8)`,
        ...(["filter", "prioritize"] as const).map((verb) => {
          const l = summary.latencyMs[verb]!;
          return (
            `  ${verb.padEnd(10)} p50 ${f(l.p50)} ms  p99 ${f(l.p99)} ms  max ${f(l.max)} ms  ` +
            `(${l.requests} requests, ${l.meanCandidateNodes.toFixed(0)} candidate nodes each on average; target p99 ≤ 5 ms)`
          );
        }),
        ...summary.cpuPerRequest.map(
          (c) =>
            `  CPU per ${c.verb} request with ${c.candidates} candidates (parse + judge + serialise, no load ` +
            `queueing): p50 ${f(c.cpuP50Ms)} ms  p99 ${f(c.cpuP99Ms)} ms`,
        ),
      ].join("\n"),
    );
  } finally {
    await extender?.stop();
    await controlPlane.stop();
    running.delete(stopControlPlane);
  }
}

const program = new Command("scheduler-bench")
  .option("--sizes <n,n>", "kwok node counts", list, [1000, 5000])
  .option("--pods <n>", "pods per timed run", (v) => list(v)[0]!, 1000)
  .option("--rounds <n>", "baseline + extender pairs per size", (v) => list(v)[0]!, 1)
  .option(
    "--percentage-of-nodes-to-score <n>",
    "kube-scheduler's percentageOfNodesToScore (its default when omitted)",
    (v) => list(v)[0]!,
  )
  .parse(process.argv);
const options = program.opts<BenchOptions>();
for (const size of options.sizes) await benchSize(size, options);
