// The extender as the benchmark runs it: its own process, as in a deployment, so the benchmark's own watches and
// pod creation do not share its event loop. The parent drives it over IPC and collects what it measured:
//   fork("extender-process.ts", [kubeconfigPath, port]) → {type:"ready"}; then record / report / replay / stop.
import {
  constants as perfConstants,
  monitorEventLoopDelay,
  performance as nodePerformance,
  PerformanceObserver,
} from "node:perf_hooks";
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import type { Verb } from "../../../scheduler-extender/extender-metrics.js";
import { startSchedulerExtender } from "../../../scheduler-extender/scheduler-extender.js";
import { replayCost, type ReplayCost } from "./replay-cost.js";

export type ParentMessage =
  | { type: "record"; on: boolean }
  | { type: "report" }
  | { type: "replay"; nodeNames: string[]; candidateCounts: number[] }
  | { type: "stop" };

/** One request as the extender timed it, in milliseconds: from its headers to its answer, and of that the body. */
export interface TimedRequest {
  totalMs: number;
  bodyMs: number;
}

export interface ExtenderReport {
  requests: Record<Verb, TimedRequest[]>;
  /** Delay of the event loop in the recording window, in milliseconds. */
  eventLoopDelayMs: { p50: number; p99: number; max: number; mean: number };
  /** Fraction of the recording window the event loop was busy. */
  eventLoopUtilization: number;
  gc: { count: number; totalMs: number; majorCount: number; majorMs: number; maxMs: number };
  cpuMs: number;
  wallMs: number;
  /** Informer events in the recording window, by `resource/event`. */
  informerEvents: Record<string, number>;
  /** TCP connections the extender accepted in the recording window. */
  connections: number;
  /** Mean candidate nodes per request since the start, by verb. */
  meanCandidates: Record<Verb, number>;
}

export type ChildMessage =
  | { type: "ready"; url: string }
  | { type: "contributors"; count: number }
  | { type: "report"; report: ExtenderReport }
  | { type: "replay"; results: ReplayCost[] }
  | { type: "error"; message: string };

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [kubeconfigPath, portText] = process.argv.slice(2);
  if (kubeconfigPath === undefined || portText === undefined) {
    throw new Error("usage: extender-process.ts <kubeconfig> <port>");
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);

  let recording = false;
  let requests: Record<Verb, TimedRequest[]> = { filter: [], prioritize: [] };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const gc = { count: 0, totalMs: 0, majorCount: 0, majorMs: 0, maxMs: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    if (!recording) return;
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
      if (
        (entry as unknown as { detail?: { kind?: number } }).detail?.kind ===
        perfConstants.NODE_PERFORMANCE_GC_MAJOR
      ) {
        gc.majorCount++;
        gc.majorMs += entry.duration;
      }
    }
  });
  gcObserver.observe({ entryTypes: ["gc"] });
  let window = {
    cpu: process.cpuUsage(),
    wall: performance.now(),
    elu: nodePerformance.eventLoopUtilization(),
    events: new Map<string, number>(),
    connections: 0,
  };

  const extender = await startSchedulerExtender({
    kubeConfig,
    port: Number(portText),
    log: pino({ level: "warn" }),
    processMetrics: false,
    onTimed: (verb, seconds, bodySeconds) => {
      if (recording) requests[verb].push({ totalMs: seconds * 1000, bodyMs: bodySeconds * 1000 });
    },
  });
  await extender.informers.whenSynced();

  const informerEvents = async (): Promise<Map<string, number>> => {
    const counts = new Map<string, number>();
    for (const value of (await extender.metrics.informerEvents.get()).values) {
      counts.set(`${value.labels.resource}/${value.labels.event}`, value.value);
    }
    return counts;
  };

  const connections = async (): Promise<number> =>
    (await extender.metrics.connections.get()).values[0]?.value ?? 0;

  process.on("message", (message: ParentMessage) => {
    void (async () => {
      switch (message.type) {
        case "record":
          if (message.on) {
            requests = { filter: [], prioritize: [] };
            Object.assign(gc, { count: 0, totalMs: 0, majorCount: 0, majorMs: 0, maxMs: 0 });
            delay.reset();
            delay.enable();
            window = {
              cpu: process.cpuUsage(),
              wall: performance.now(),
              elu: nodePerformance.eventLoopUtilization(),
              events: await informerEvents(),
              connections: await connections(),
            };
          } else {
            delay.disable();
          }
          recording = message.on;
          break;
        case "report": {
          const cpu = process.cpuUsage(window.cpu);
          const now = await informerEvents();
          const candidates = (await extender.metrics.candidates.get()).values;
          const meanCandidates = (verb: Verb): number => {
            const of = (suffix: string): number =>
              candidates.find((v) => v.labels.verb === verb && v.metricName?.endsWith(suffix))?.value ?? 0;
            return of("_count") === 0 ? 0 : of("_sum") / of("_count");
          };
          const ms = (nanoseconds: number): number => nanoseconds / 1e6;
          send({
            type: "report",
            report: {
              requests,
              eventLoopDelayMs: {
                p50: ms(delay.percentile(50)),
                p99: ms(delay.percentile(99)),
                max: ms(delay.max),
                mean: ms(delay.mean),
              },
              eventLoopUtilization: nodePerformance.eventLoopUtilization(window.elu).utilization,
              gc: { ...gc },
              cpuMs: (cpu.user + cpu.system) / 1000,
              wallMs: performance.now() - window.wall,
              informerEvents: Object.fromEntries(
                [...now].map(([key, count]) => [key, count - (window.events.get(key) ?? 0)]),
              ),
              connections: (await connections()) - window.connections,
              meanCandidates: { filter: meanCandidates("filter"), prioritize: meanCandidates("prioritize") },
            },
          });
          break;
        }
        case "replay":
          send({
            type: "replay",
            results: await replayCost(extender.state, message.nodeNames, message.candidateCounts),
          });
          break;
        case "stop":
          gcObserver.disconnect();
          await extender.stop();
          // Exit rather than wait for handles to drain; a --cpu-prof profile is still written on exit.
          process.exit(0);
          break;
      }
    })().catch((error: unknown) => send({ type: "error", message: String(error) }));
  });

  send({ type: "ready", url: extender.url });
  const poll = setInterval(() => send({ type: "contributors", count: extender.state.contributorCount }), 500);
  process.once("disconnect", () => clearInterval(poll));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
