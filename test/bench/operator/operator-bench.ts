// Benchmark (not part of npm test): N contracts × 1 replica on N kwok nodes, against N bare pods through the same
// apiserver and scheduler, run once before the contracts and once after. Prints p50/p99 from apply to Running, the
// total time as a ratio to the bare pods' mean (target ≤ 1.3), the operator's peak RSS (target ≤ 250 MB) and its
// reconciles per second.
//   npx tsx test/bench/operator/operator-bench.ts [contracts=1000]
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import type { ManagedProcess } from "../../../process/managed-process.js";
import { waitFor } from "../../../process/wait-for.js";
import { binaryPath } from "../../../process/binaries.js";
import { POD } from "../../../kube-runtime/builtin-resources.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { stopSharedFixtures } from "../../support/fixtures.js";
import { sharedControlPlane } from "../../support/control-plane.js";
import { prometheusMean } from "../prometheus-mean.js";
import { startOperatorProcess } from "../../integration/operator/support/operator-process.js";
import {
  GROUP_LABEL,
  contractManifest,
  createWorld,
  waitForContributors,
} from "../../integration/operator/support/operator-world.js";

type Pod = V1Pod & { metadata: NonNullable<V1Pod["metadata"]> };

const COUNT = Number(process.argv[2] ?? 1000);
const CONCURRENCY = 20;

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** User plus system CPU time of a process so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? "0");
  return kb / 1024;
}

/** Milliseconds from `started` until each labelled pod runs, polled from the apiserver. */
async function runningTimes(
  list: () => Promise<Pod[]>,
  key: (pod: Pod) => string,
  started: Map<string, number>,
  description: string,
): Promise<number[]> {
  const seen = new Map<string, number>();
  await waitFor(
    async () => {
      const now = performance.now();
      for (const pod of await list()) {
        if (pod.status?.phase !== "Running" || pod.metadata.deletionTimestamp !== undefined) continue;
        const k = key(pod);
        if (!seen.has(k) && started.has(k)) seen.set(k, now - started.get(k)!);
      }
      return seen.size >= started.size ? true : undefined;
    },
    { timeoutMs: 1_800_000, intervalMs: 500, description },
  );
  return [...seen.values()].sort((a, b) => a - b);
}

/** Apiserver requests so far (watches aside), by verb and resource (from the apiserver's own metrics). */
async function apiserverRequests(): Promise<Map<string, number>> {
  const text = (await world.kube.kubectl(["get", "--raw", "/metrics"])).stdout;
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^apiserver_request_total\{([^}]*)\} (\d+)/gm)) {
    const verb = /verb="([A-Z]+)"/.exec(m[1]!)?.[1] ?? "";
    if (verb === "WATCH" || verb === "CONNECT") continue;
    const resource = /resource="([^"]*)"/.exec(m[1]!)?.[1] ?? "";
    const subresource = /subresource="([^"]*)"/.exec(m[1]!)?.[1] ?? "";
    const key = `${verb} ${resource}${subresource === "" ? "" : "/" + subresource}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(m[2]));
  }
  return counts;
}

/** Requests between two readings, per object, largest first. */
function requestsPer(
  before: Map<string, number>,
  after: Map<string, number>,
  objects: number,
): Record<string, number> {
  const delta = [...after].map(([key, n]) => [key, (n - (before.get(key) ?? 0)) / objects] as const);
  const total = delta.reduce((sum, [, n]) => sum + n, 0);
  return Object.fromEntries(
    [["total", total] as const, ...delta.filter(([, n]) => n >= 0.05).sort((a, b) => b[1] - a[1])].map(
      ([key, n]) => [key, Number(n.toFixed(2))],
    ),
  );
}

/** CPU seconds so far of the system's own processes, by name: control plane, chain (this process), operator. */
function systemCpu(): Map<string, number> {
  const named = [
    { name: "chain+bench", pid: process.pid },
    ...world.kube.controlPlane.processes.map((p) => ({ name: p.name, pid: p.pid })),
    ...(operator === undefined ? [] : [{ name: "operator", pid: operator.pid }]),
  ];
  return new Map(named.map(({ name, pid }) => [name, cpuSeconds(pid)]));
}

/** CPU seconds per object between two readings, by process, with their total. */
function cpuPer(
  before: Map<string, number>,
  after: Map<string, number>,
  objects: number,
): Record<string, number> {
  const delta = [...after].map(([name, s]) => [name, (s - (before.get(name) ?? 0)) / objects] as const);
  const total = delta.reduce((sum, [, s]) => sum + s, 0);
  return Object.fromEntries(
    [["total", total] as const, ...delta.sort((a, b) => b[1] - a[1])].map(([name, s]) => [
      name,
      Number((s * 1000).toFixed(1)),
    ]),
  );
}

interface BareRun {
  /** Milliseconds from create to Running, sorted. */
  times: number[];
  totalSeconds: number;
  cpu: Record<string, number>;
  requests: Record<string, number>;
}

/**
 * Baseline: COUNT bare pods of the same size and placement through the same apiserver and scheduler, timed like the
 * contracts, then deleted. Run before and after the contracts, so neither side has the fresher cluster to itself.
 */
async function runBarePods(round: string): Promise<BareRun> {
  const label = `bare-${round}`;
  const started = new Map<string, number>();
  const requestsBefore = await apiserverRequests();
  const cpuBefore = systemCpu();
  const t0 = performance.now();
  await inParallel(
    Array.from({ length: COUNT }, (_, i) => `${label}-${i}`),
    async (name) => {
      started.set(name, performance.now());
      await world.client.create(POD, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: world.namespace, labels: { bench: label } },
        spec: {
          containers: [
            {
              name: "main",
              image: "registry.example/worker:1.0",
              resources: { requests: { cpu: "1", memory: "2Gi" } },
            },
          ],
          nodeSelector: { [GROUP_LABEL]: world.group },
          terminationGracePeriodSeconds: 0,
        },
      } as KubeObject);
    },
  );
  const list = async (): Promise<Pod[]> =>
    (await world.client.list<Pod>(POD, { namespace: world.namespace, labelSelector: `bench=${label}` }))
      .items;
  const times = await runningTimes(list, (pod) => pod.metadata.name!, started, `${COUNT} bare pods running`);
  const run: BareRun = {
    times,
    totalSeconds: (performance.now() - t0) / 1000,
    cpu: cpuPer(cpuBefore, systemCpu(), COUNT),
    requests: requestsPer(requestsBefore, await apiserverRequests(), COUNT),
  };
  await inParallel(await list(), async (pod) => {
    await world.client.delete(
      POD,
      { namespace: world.namespace, name: pod.metadata.name! },
      { gracePeriodSeconds: 0 },
    );
  });
  await waitFor(async () => ((await list()).length === 0 ? true : undefined), {
    timeoutMs: 600_000,
    intervalMs: 1_000,
    description: `${label} pods gone`,
  });
  return run;
}

/** How many of the one payer's OpenContract transactions each block after `from` carried (blocks with any). */
async function openingsPerBlock(from: number): Promise<{ mean: number; max: number; blocks: number }> {
  const comet = world.chain.client.comet;
  const to = (await comet.status()).syncInfo.latestBlockHeight;
  const payer = world.payer.address.toLowerCase();
  const counts: number[] = [];
  for (let height = from + 1; height <= to; height++) {
    const results = await comet.blockResults(height);
    const opened = results.results.filter((tx) =>
      tx.events.some(
        (e) =>
          e.type === "contract_opened" &&
          e.attributes.some((a) => a.key === "payer" && a.value.toLowerCase() === payer),
      ),
    ).length;
    if (opened > 0) counts.push(opened);
  }
  const sum = counts.reduce((a, b) => a + b, 0);
  return {
    mean: counts.length === 0 ? 0 : Number((sum / counts.length).toFixed(1)),
    max: Math.max(0, ...counts),
    blocks: counts.length,
  };
}

const KUBECTL = binaryPath("kubectl");
const BUILT_CLI = "dist/cli/uranus-main.js";
execFileSync("bash", ["hack/build.sh"], { stdio: "inherit" });

// URANUS_BENCH_APISERVER_PROFILE=file: the apiserver's CPU profile (pprof) over the first 15 s of the rollout.
const apiserverProfile = process.env.URANUS_BENCH_APISERVER_PROFILE;
if (apiserverProfile !== undefined) await sharedControlPlane({ profiling: true });
const world = await createWorld({
  nodes: COUNT,
  nodesPerOwner: 10,
  capacity: { cpu: "4", memory: "16Gi", pods: "20" },
  // Every contract's default budget (10¹²) twice over, so the payer never runs short (fees included).
  payerBalance: 2n * BigInt(COUNT) * 10n ** 12n,
  chain: {
    params: { market: { meteringIntervalSeconds: 60 } },
    blockIntervalMs: 500,
  },
});
const logDir = mkdtempSync(join(tmpdir(), "uranus-bench-"));
let operator: ManagedProcess | undefined;
const cleanUp = async (): Promise<void> => {
  await operator?.stop();
  await world.stop().catch(() => undefined);
  await stopSharedFixtures();
  rmSync(logDir, { recursive: true, force: true });
};
// Interrupted, it still stops every process it started.
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    void cleanUp().finally(() => process.exit(130));
  });
try {
  const bareBefore = await runBarePods("before");

  operator = startOperatorProcess(world, join(logDir, "operator.log"), {
    // As images run it: compiled, with no TypeScript compiler in the process.
    entry: BUILT_CLI,
    // The operator's defaults (operator-settings.ts): what a user who sets nothing runs.
    heartbeat: "10s",
    metering: "60s",
    contractPoll: "15s",
    workers: Number(process.env.URANUS_BENCH_WORKERS ?? 4),
    health: "127.0.0.1:18081",
  });
  await waitForContributors(world, 1_800_000);
  const started = new Map<string, number>();
  const firstHeight = (await world.chain.client.comet.status()).syncInfo.latestBlockHeight;
  const requestsBefore = await apiserverRequests();
  const cpuBefore = systemCpu();
  const t0 = performance.now();
  const profiled =
    apiserverProfile === undefined
      ? undefined
      : new Promise<void>((resolve) => {
          execFile(
            KUBECTL,
            ["--kubeconfig", world.kube.kubeconfigPath, "get", "--raw", "/debug/pprof/profile?seconds=15"],
            { encoding: "buffer", maxBuffer: 1 << 28 },
            (error, stdout) => {
              if (error === null) writeFileSync(apiserverProfile, stdout);
              else console.error(`apiserver profile: ${error.message}`);
              resolve();
            },
          );
        });
  await inParallel(
    Array.from({ length: COUNT }, (_, i) => `bench-${i}`),
    async (name) => {
      started.set(name, performance.now());
      await world.client.create(COMPUTE_CONTRACT, contractManifest(world, { name }));
    },
  );
  const listPods = async (): Promise<Pod[]> =>
    (await world.client.list<Pod>(POD, { namespace: world.namespace })).items;
  const times = await runningTimes(
    listPods,
    (pod) => pod.metadata.labels!["uranus.io/contract"]!,
    started,
    `${COUNT} contracts' pods running`,
  );
  const total = (performance.now() - t0) / 1000;
  await profiled;
  const contractCpu = cpuPer(cpuBefore, systemCpu(), COUNT);
  const contractRequests = requestsPer(requestsBefore, await apiserverRequests(), COUNT);
  const metrics = await (await fetch("http://127.0.0.1:18081/metrics")).text();
  const reconciles = [...metrics.matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  // Where an open's time goes: the chain round trip (sign, broadcast, inclusion) per transaction type.
  const txSeconds = (type: string): number =>
    prometheusMean(metrics, "uranus_chain_tx_seconds", `type="${type}"`);
  const rss = peakRssMb(operator.pid);
  const cpu = cpuSeconds(operator.pid);
  const perController = Object.fromEntries(
    [
      ...metrics.matchAll(
        /^controller_runtime_reconcile_total\{controller="([^"]+)",result="([^"]+)"\} (\d+)/gm,
      ),
    ]
      .filter((m) => Number(m[3]) > 0)
      .map((m) => [`${m[1]}/${m[2]}`, Number(m[3])]),
  );
  const openings = await openingsPerBlock(firstHeight);
  await operator.stop();
  operator = undefined;
  const bareAfter = await runBarePods("after");
  const bareMean = (figure: (run: BareRun) => number): number => (figure(bareBefore) + figure(bareAfter)) / 2;
  const bareTotal = bareMean((run) => run.totalSeconds);
  const bareP99 = bareMean((run) => percentile(run.times, 99));
  const figures = {
    contracts: COUNT,
    applyToRunningP50Ms: Math.round(percentile(times, 50)),
    applyToRunningP99Ms: Math.round(percentile(times, 99)),
    totalSeconds: Number(total.toFixed(1)),
    barePodsTotalSeconds: Number(bareTotal.toFixed(1)),
    barePodsTotalSecondsBeforeAndAfter: [bareBefore, bareAfter].map((b) => Number(b.totalSeconds.toFixed(1))),
    barePodP50Ms: Math.round(bareMean((run) => percentile(run.times, 50))),
    ratioToBarePods: Number((total / bareTotal).toFixed(2)),
    operatorPeakRssMb: Math.round(rss),
    reconcilesPerSecond: Number((reconciles / total).toFixed(1)),
    operatorCpuSeconds: Number(cpu.toFixed(1)),
    reconciles: perController,
    meanReconcileMs: Object.fromEntries(
      ["computecontract", "powercontainer", "lease", "contributornode"].map((c) => [
        c,
        Math.round(
          prometheusMean(metrics, "controller_runtime_reconcile_time_seconds", `controller="${c}"`) * 1000,
        ),
      ]),
    ),
    meanOpenContractTxMs: Math.round(txSeconds("OpenContract") * 1000),
    meanRecordLeaseTxMs: Math.round(txSeconds("RecordLease") * 1000),
    barePodP99Ms: Math.round(bareP99),
    p99OverBareMs: Math.round(percentile(times, 99) - bareP99),
    cpuMsPerContract: contractCpu,
    cpuMsPerBarePod: { before: bareBefore.cpu, after: bareAfter.cpu },
    apiserverRequestsPerContract: contractRequests,
    apiserverRequestsPerBarePod: { before: bareBefore.requests, after: bareAfter.requests },
    payerOpeningsPerBlockMean: openings.mean,
    payerOpeningsPerBlockMax: openings.max,
    blocksWithOpenings: openings.blocks,
  };
  console.log(JSON.stringify(figures, null, 2));
  console.log(
    `ratio ${figures.ratioToBarePods} (target ≤ 1.3), p99 ${figures.p99OverBareMs} ms over the bare pods' (target ≤ 5000), ` +
      `peak RSS ${figures.operatorPeakRssMb} MB (target ≤ 250), the payer's openings per block mean ${openings.mean} max ${openings.max}`,
  );
} finally {
  await cleanUp();
}
