// The extender's HTTP path alone, without a cluster: an extender process holding N contributor nodes, and this
// process calling filter then prioritize for one pod after another on one keep-alive connection, as kube-scheduler
// does. Prints the round trip per verb and the extender process's CPU per request. Not part of npm test:
//   npx tsx test/bench/scheduler/http-loop.ts [--nodes 5000] [--candidates 500] [--pods 2000]
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";
import { Command } from "commander";
import { pino } from "pino";
import { DEFAULT_PLACEMENT_PARAMS } from "../../../chain-sidecar/modules/poc/placement.js";
import { ClusterState } from "../../../scheduler-extender/cluster-state.js";
import { ExtenderMetrics } from "../../../scheduler-extender/extender-metrics.js";
import { createExtenderHttpServer } from "../../../scheduler-extender/http-server.js";
import { PlacementExtender } from "../../../scheduler-extender/placement-extender.js";
import { ScuCalculator } from "../../../units/pod-scu.js";
import { ReplicaGate } from "../../../scheduler-extender/replica-gate.js";
import { contributorNode } from "../../unit/scheduler-extender/contributor-node-fixture.js";
import { replayHttp } from "./replay-cost.js";

const options = new Command("http-loop")
  .option("--nodes <n>", "contributor nodes", Number, 5000)
  .option("--candidates <n>", "node names per request", Number, 500)
  .option("--pods <n>", "pods (one filter and one prioritize each)", Number, 2000)
  .option("--serve <port>", "internal: be the extender process")
  .parse(process.argv)
  .opts<{ nodes: number; candidates: number; pods: number; serve?: string }>();

const names = Array.from({ length: options.nodes }, (_, i) => `bench-node-${i}`);

if (options.serve !== undefined) {
  const scu = new ScuCalculator();
  const state = new ClusterState(scu);
  names.forEach((name, i) =>
    state.upsertContributor(
      contributorNode({ name, poc: 1_000 + ((i * 7_919) % options.nodes), capacitySCU: 1_000, price: "5" }),
    ),
  );
  const metrics = new ExtenderMetrics({ processMetrics: false });
  const log = pino({ level: "warn" });
  const extender = new PlacementExtender({
    state,
    gate: new ReplicaGate(),
    scu,
    placement: DEFAULT_PLACEMENT_PARAMS,
    metrics,
    log,
  });
  const server = createExtenderHttpServer(extender, metrics, log, {
    maxBodyBytes: 8 << 20,
    ready: () => true,
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send?.({ port: typeof address === "object" && address !== null ? address.port : 0 });
  });
  const gc = { count: 0, ms: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.ms += entry.duration;
    }
  }).observe({ entryTypes: ["gc"] });
  process.on("message", (message: string) => {
    if (message === "cpu") {
      const used = process.cpuUsage();
      process.send?.({ user: used.user, system: used.system, gcCount: gc.count, gcMs: gc.ms });
    } else process.exit(0);
  });
} else {
  const child = fork(fileURLToPath(import.meta.url), ["--nodes", String(options.nodes), "--serve", "0"], {
    execArgv: [
      ...process.execArgv,
      ...(process.env.LOOP_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.LOOP_PROF}`] : []),
    ],
  });
  const next = <T>(): Promise<T> => new Promise((resolve) => child.once("message", (m) => resolve(m as T)));
  const { port } = await next<{ port: number }>();
  const url = `http://127.0.0.1:${port}`;
  await replayHttp(url, names, options.candidates, 300); // warm up
  child.send("cpu");
  const before = await next<{ user: number; system: number; gcCount: number; gcMs: number }>();
  const trips = await replayHttp(url, names, options.candidates, options.pods);
  child.send("cpu");
  const after = await next<{ user: number; system: number; gcCount: number; gcMs: number }>();
  const per = (micros: number): string => (micros / 1000 / (2 * options.pods)).toFixed(3);
  for (const t of trips) {
    console.log(
      `${t.verb.padEnd(10)} ${t.candidates} candidates: round trip p50 ${t.p50Ms.toFixed(3)} ms  p99 ${t.p99Ms.toFixed(3)} ms`,
    );
  }
  console.log(
    `extender CPU per request: user ${per(after.user - before.user)} ms, system ${per(after.system - before.system)} ms; ` +
      `GC ${after.gcCount - before.gcCount}× ${(after.gcMs - before.gcMs).toFixed(0)} ms for ${2 * options.pods} ` +
      `requests; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  child.send("exit");
}
