// Starts the scheduler extender: informers feeding the cluster state, and the HTTP server kube-scheduler calls.
import type { AddressInfo } from "node:net";
import { pino, type Logger } from "pino";
import {
  DEFAULT_PLACEMENT_PARAMS,
  validatePlacementParams,
  type PlacementParams,
} from "../chain-sidecar/modules/poc/poc-types.js";
import type { KubeConnection } from "../kube-runtime/kube-config.js";
import { ClusterState } from "./cluster-state.js";
import { ExtenderMetrics, type Verb } from "./extender-metrics.js";
import { createExtenderHttpServer, DEFAULT_MAX_BODY_BYTES } from "./http-server.js";
import { startStateInformers, type StateInformers } from "./informers.js";
import { PlacementExtender } from "./placement-extender.js";
import { DEFAULT_SCU_UNIT, ScuCalculator, type ScuUnit } from "../units/pod-scu.js";
import { DEFAULT_REPLICA_GATE_OPTIONS, ReplicaGate, type ReplicaGateOptions } from "./replica-gate.js";

export interface SchedulerExtenderOptions {
  kubeConfig: KubeConnection;
  /** Address to listen on; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxBodyBytes?: number;
  scuUnit?: ScuUnit;
  placement?: PlacementParams;
  replicaGate?: ReplicaGateOptions;
  log?: Logger;
  /** Every verb's duration, and the part of it spent receiving the body, in seconds; for benchmarks. */
  onTimed?: (verb: Verb, seconds: number, bodySeconds: number) => void;
  /** Register process metrics (off when several extenders share a process in tests). */
  processMetrics?: boolean;
}

export interface RunningSchedulerExtender {
  /** Base URL kube-scheduler's urlPrefix points at. */
  readonly url: string;
  readonly port: number;
  readonly state: ClusterState;
  readonly metrics: ExtenderMetrics;
  readonly informers: StateInformers;
  ready(): boolean;
  stop(): Promise<void>;
}

export async function startSchedulerExtender(
  options: SchedulerExtenderOptions,
): Promise<RunningSchedulerExtender> {
  const log = options.log ?? pino({ name: "scheduler-extender" });
  const placement = options.placement ?? DEFAULT_PLACEMENT_PARAMS;
  validatePlacementParams(placement);
  const scu = new ScuCalculator(options.scuUnit ?? DEFAULT_SCU_UNIT);
  const state = new ClusterState(scu);
  const gate = new ReplicaGate(options.replicaGate ?? DEFAULT_REPLICA_GATE_OPTIONS);
  state.onPodSettled((uid) => gate.settle(uid));
  const metrics = new ExtenderMetrics({ processMetrics: options.processMetrics ?? true });
  const extender = new PlacementExtender({ state, gate, scu, placement, metrics, log });
  const informers = startStateInformers(options.kubeConfig, state, metrics, log);
  const server = createExtenderHttpServer(extender, metrics, log, {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    ready: () => informers.synced(),
    onTimed: options.onTimed,
  });
  const host = options.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await informers.stop();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  log.info({ host, port, tierWeights: placement.tierWeights }, "scheduler extender listening");
  void informers.whenSynced().then(() => log.info("informers synced; serving filter and prioritize"));
  return {
    url: `http://${urlHost}:${port}`,
    port,
    state,
    metrics,
    informers,
    ready: () => informers.synced(),
    async stop(): Promise<void> {
      await informers.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
