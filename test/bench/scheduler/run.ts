// Scheduling throughput with the Uranus extender against the same kube-scheduler without it, and the extender's
// latency per verb, on kwok contributor pools. Not part of npm test:
//   npx tsx test/bench/scheduler/run.ts [--sizes 1000,5000] [--pods 1000] [--rounds 1] [--percentage-of-nodes-to-score N]
import { loadavg } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { installCrds } from "../../../crds/install.js";
import { startControlPlane, type ControlPlane } from "../../../local-cluster/control-plane.js";
import { freePort } from "../../../process/free-port.js";
import { waitFor } from "../../../process/wait-for.js";
import {
  createPods,
  offerNodes,
  type PodPlan,
  uranusExtenderConfig,
} from "../../integration/scheduler-extender/contributor-cluster.js";
import { BindClock } from "./bind-clock.js";
import { ExtenderChild } from "./extender-child.js";
import type { ExtenderReport } from "./extender-process.js";
import type { Verb } from "../../../scheduler-extender/extender-metrics.js";
import { replayHttp } from "./replay-cost.js";
import { startScheduler, stopBuiltInScheduler } from "./scheduler-process.js";

interface BenchOptions {
  sizes: number[];
  pods: number;
  rounds: number;
  percentageOfNodesToScore?: number;
  cpuProfileDir?: string;
  reference?: string;
}

interface RunResult {
  nodes: number;
  /** "reference" is the extender of another checkout (--reference), timed in the same cluster for comparison. */
  mode: "baseline" | "extender" | "reference";
  pods: number;
  podsPerSecond: number;
  podsPerSecondMiddle: number;
  seconds: number;
  /** kube-scheduler's mean scheduling algorithm time per pod (filters, scores and extenders), ms. */
  algorithmMs: number;
}

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
  extender: ExtenderChild,
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
  const extenders = mode !== "baseline" ? [uranusExtenderConfig(extender.url)] : [];
  extender.record(true);
  let algorithmMs = NaN;
  const scheduler = await startScheduler(controlPlane, run, extenders, options.percentageOfNodesToScore);
  try {
    await waitFor(() => clock.boundAt.size >= options.pods || undefined, {
      timeoutMs: 30 * 60_000,
      intervalMs: 200,
      description: `${options.pods} pods of ${run} bound`,
    });
    algorithmMs = 1000 * (await scheduler.meanOf("scheduler_scheduling_algorithm_duration_seconds"));
  } finally {
    extender.record(false);
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
    algorithmMs,
  };
  log(
    `${run}: ${result.podsPerSecond.toFixed(1)} pods/s (5–95 %: ${result.podsPerSecondMiddle.toFixed(1)}) over ` +
      `${result.seconds.toFixed(1)} s; kube-scheduler's algorithm ${algorithmMs.toFixed(2)} ms per pod on average; ` +
      `load average ${loadavg()[0]!.toFixed(1)}`,
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
  let extender: ExtenderChild | undefined;
  let reference: ExtenderChild | undefined;
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

    extender = await ExtenderChild.start(
      controlPlane.kubeconfigPath,
      await freePort(),
      options.cpuProfileDir,
    );
    await extender.waitForContributors(nodes);
    if (options.reference !== undefined) {
      reference = await ExtenderChild.start(
        controlPlane.kubeconfigPath,
        await freePort(),
        undefined,
        join(options.reference, "test/bench/scheduler/extender-process.ts"),
      );
      await reference.waitForContributors(nodes);
    }

    const results: RunResult[] = [];
    const reports = new Map<RunResult["mode"], ExtenderReport>();
    for (let round = 0; round < options.rounds; round++) {
      // Alternate the order so no mode always runs on the fuller cluster.
      const modes: RunResult["mode"][] = [
        "baseline",
        ...(reference === undefined ? [] : ["reference" as const]),
        "extender",
      ];
      if (round % 2 === 1) modes.reverse();
      for (const mode of modes) {
        const child = mode === "reference" ? reference! : extender;
        results.push(
          await timedRun(controlPlane, nodes, mode, `n${nodes}-r${round}-${mode}`, options, child),
        );
        const windowReport = await child.report();
        if (mode === "baseline") {
          log(`  extender while idle in the baseline run: ${describeLoad(windowReport)}`);
          continue;
        }
        log(`  ${mode} extender process while scheduling: ${describeLoad(windowReport)}`);
        const earlier = reports.get(mode);
        if (earlier === undefined) reports.set(mode, windowReport);
        else
          for (const verb of ["filter", "prioritize"] as const)
            earlier.requests[verb].push(...windowReport.requests[verb]);
      }
    }
    const report = reports.get("extender");
    if (report === undefined) throw new Error("no extender run was recorded");
    const latency = (of: ExtenderReport, verb: Verb) => {
      const total = of.requests[verb].map((r) => r.totalMs).sort((a, b) => a - b);
      const body = of.requests[verb].map((r) => r.bodyMs).sort((a, b) => a - b);
      return {
        requests: total.length,
        p50: percentile(total, 0.5),
        p99: percentile(total, 0.99),
        max: total[total.length - 1],
        bodyP50: percentile(body, 0.5),
        bodyP99: percentile(body, 0.99),
        meanCandidateNodes: of.meanCandidates[verb],
      };
    };

    const mean = (
      mode: RunResult["mode"],
      key: "podsPerSecond" | "podsPerSecondMiddle" | "algorithmMs",
    ): number => {
      const runs = results.filter((r) => r.mode === mode);
      return runs.reduce((sum, r) => sum + r[key], 0) / runs.length;
    };
    const nodeNames = Array.from({ length: nodes }, (_, i) => `bench-node-${i}`);
    const candidateCounts = [...new Set([Math.round(report.meanCandidates.filter), nodes])];
    const loadBeforeReplay = loadavg()[0]!;
    const summary = {
      nodes,
      podsPerRun: options.pods,
      rounds: options.rounds,
      baselinePodsPerSecond: mean("baseline", "podsPerSecond"),
      extenderPodsPerSecond: mean("extender", "podsPerSecond"),
      ratio: mean("extender", "podsPerSecond") / mean("baseline", "podsPerSecond"),
      ratioMiddle: mean("extender", "podsPerSecondMiddle") / mean("baseline", "podsPerSecondMiddle"),
      // What the extender adds to each pod's scheduling cycle as kube-scheduler itself measures it (both verbs).
      extenderMsPerPodSeenByScheduler: mean("extender", "algorithmMs") - mean("baseline", "algorithmMs"),
      latencyMs: { filter: latency(report, "filter"), prioritize: latency(report, "prioritize") },
      reference:
        reports.get("reference") === undefined
          ? undefined
          : {
              checkout: options.reference,
              podsPerSecond: mean("reference", "podsPerSecond"),
              ratio: mean("reference", "podsPerSecond") / mean("baseline", "podsPerSecond"),
              ratioMiddle: mean("reference", "podsPerSecondMiddle") / mean("baseline", "podsPerSecondMiddle"),
              extenderMsPerPodSeenByScheduler:
                mean("reference", "algorithmMs") - mean("baseline", "algorithmMs"),
              latencyMs: {
                filter: latency(reports.get("reference")!, "filter"),
                prioritize: latency(reports.get("reference")!, "prioritize"),
              },
            },
      extenderProcess: { ...report, requests: undefined },
      loadAverage: loadBeforeReplay,
      cpuPerRequest: await extender.replay(nodeNames, candidateCounts),
      httpRoundTrip: (
        await Promise.all(candidateCounts.map((count) => replayHttp(extender!.url, nodeNames, count)))
      ).flat(),
    };
    console.log(`RESULT ${JSON.stringify(summary)}`);
    const f = (n: number | undefined): string => (n === undefined ? "-" : n.toFixed(2));
    console.log(
      [
        `${nodes} nodes, ${options.pods} pods per run, ${options.rounds} round(s):`,
        `  throughput without extender ${f(summary.baselinePodsPerSecond)} pods/s, with ${f(summary.extenderPodsPerSecond)} pods/s` +
          ` → ratio ${f(summary.ratio)} (5–95 % window: ${f(summary.ratioMiddle)}; target ≥ 0.8)`,
        `  kube-scheduler's scheduling algorithm per pod: +${f(summary.extenderMsPerPodSeenByScheduler)} ms with the ` +
          `extender (filter + prioritize round trips as kube-scheduler sees them)`,
        ...(["filter", "prioritize"] as const).map((verb) => {
          const l = summary.latencyMs[verb];
          return (
            `  ${verb.padEnd(10)} p50 ${f(l.p50)} ms  p99 ${f(l.p99)} ms  max ${f(l.max)} ms  ` +
            `(body read p50 ${f(l.bodyP50)} p99 ${f(l.bodyP99)}; ${l.requests} requests, ` +
            `${l.meanCandidateNodes.toFixed(0)} candidate nodes each on average; target p99 ≤ 5 ms)`
          );
        }),
        ...(summary.reference === undefined
          ? []
          : [
              `  reference extender (${summary.reference.checkout}), same cluster: ${f(summary.reference.podsPerSecond)} ` +
                `pods/s → ratio ${f(summary.reference.ratio)} (5–95 %: ${f(summary.reference.ratioMiddle)}); ` +
                `kube-scheduler's algorithm +${f(summary.reference.extenderMsPerPodSeenByScheduler)} ms per pod; ` +
                (["filter", "prioritize"] as const)
                  .map((verb) => {
                    const l = summary.reference!.latencyMs[verb];
                    return `${verb} p50 ${f(l.p50)} p99 ${f(l.p99)} ms`;
                  })
                  .join(", "),
            ]),
        `  extender process while scheduling: ${describeLoad(report)}`,
        ...summary.httpRoundTrip.map(
          (c) =>
            `  HTTP round trip per ${c.verb} request with ${c.candidates} candidates, one keep-alive client, after ` +
            `the runs: p50 ${f(c.p50Ms)} ms  p99 ${f(c.p99Ms)} ms`,
        ),
        ...summary.cpuPerRequest.map(
          (c) =>
            `  CPU per ${c.verb} request with ${c.candidates} candidates (parse + judge + serialise, no load ` +
            `queueing): p50 ${f(c.cpuP50Ms)} ms  p99 ${f(c.cpuP99Ms)} ms`,
        ),
      ].join("\n"),
    );
  } finally {
    await extender?.stop();
    await reference?.stop();
    await controlPlane.stop();
    running.delete(stopControlPlane);
  }
}

function describeLoad(report: ExtenderReport): string {
  const events = Object.entries(report.informerEvents)
    .filter(([, count]) => count > 0)
    .map(([key, count]) => `${key} ${((count * 1000) / report.wallMs).toFixed(0)}/s`)
    .join(", ");
  return (
    `CPU ${((100 * report.cpuMs) / report.wallMs).toFixed(0)} % of one core, event loop busy ` +
    `${(100 * report.eventLoopUtilization).toFixed(0)} %, loop delay p50 ${report.eventLoopDelayMs.p50.toFixed(2)} ms ` +
    `p99 ${report.eventLoopDelayMs.p99.toFixed(2)} ms max ${report.eventLoopDelayMs.max.toFixed(1)} ms, ` +
    `GC ${report.gc.count}× ${report.gc.totalMs.toFixed(0)} ms (major ${report.gc.majorCount}× ` +
    `${report.gc.majorMs.toFixed(0)} ms, longest ${report.gc.maxMs.toFixed(1)} ms) in ${(report.wallMs / 1000).toFixed(1)} s; ` +
    `informer events ${events || "none"}; ${report.connections} TCP connection(s) accepted`
  );
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
  .option(
    "--reference <dir>",
    "also time the extender of another checkout (say, an earlier commit unpacked with git archive) in the same cluster",
  )
  .option("--cpu-profile-dir <dir>", "write a V8 CPU profile of the extender process here (node --cpu-prof)")
  .parse(process.argv);
const options = program.opts<BenchOptions>();
for (const size of options.sizes) await benchSize(size, options);
