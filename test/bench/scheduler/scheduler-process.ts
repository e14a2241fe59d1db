// Runs kube-scheduler against an existing control plane, with or without extenders, so a benchmark can create
// its pods first and then time how fast the scheduler places them.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "node:https";
import { binaryPath } from "../../../process/binaries.js";
import {
  schedulerConfigYaml,
  type ControlPlane,
  type SchedulerExtenderConfig,
} from "../../../local-cluster/control-plane.js";
import { freePort } from "../../../process/free-port.js";
import { httpsOk } from "../../../process/health-probe.js";
import { startProcess, type ManagedProcess } from "../../../process/managed-process.js";
import { waitFor } from "../../../process/wait-for.js";
import { prometheusMean } from "../prometheus-mean.js";

/** Stops the scheduler the control plane started, so pods created now stay Pending. */
export async function stopBuiltInScheduler(controlPlane: ControlPlane): Promise<void> {
  const scheduler = controlPlane.processes.find((p) => p.name === "kube-scheduler");
  if (scheduler === undefined) throw new Error("the control plane runs no kube-scheduler");
  await scheduler.stop();
}

export interface SchedulerRun {
  process: ManagedProcess;
  /** kube-scheduler's own mean of one metric family (its `_sum` over its `_count`), read with the admin token. */
  meanOf(metric: string, labels?: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startScheduler(
  controlPlane: ControlPlane,
  label: string,
  extenders: SchedulerExtenderConfig[],
  percentageOfNodesToScore?: number,
): Promise<SchedulerRun> {
  // The control plane wrote this kubeconfig for its own scheduler; it carries the scheduler's identity.
  const kubeconfig = join(controlPlane.dir, "kube-scheduler.kubeconfig");
  const config = join(controlPlane.dir, `kube-scheduler-${label}.yaml`);
  writeFileSync(config, schedulerConfigYaml(kubeconfig, extenders, percentageOfNodesToScore));
  const port = await freePort();
  const process = startProcess(
    `kube-scheduler-${label}`,
    binaryPath("kube-scheduler"),
    [
      `--config=${config}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${port}`,
      `--cert-dir=${join(controlPlane.dir, "pki", `scheduler-${label}`)}`,
      "--v=1",
    ],
    { logFile: join(controlPlane.dir, "logs", `kube-scheduler-${label}.log`) },
  );
  await waitFor(
    async () => {
      if (process.exited()) throw new Error(`kube-scheduler exited:\n${process.logTail(15)}`);
      return (await httpsOk(`https://127.0.0.1:${port}/healthz`)) || undefined;
    },
    { timeoutMs: 60_000, description: `kube-scheduler (${label}) /healthz` },
  );
  const token = controlPlane.kubeConfig.getCurrentUser()?.token ?? "";
  return {
    process,
    meanOf: async (metric, labels = "") => prometheusMean(await scrape(port, token), metric, labels),
    stop: () => process.stop(),
  };
}

function scrape(port: number, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `https://127.0.0.1:${port}/metrics`,
      { rejectUnauthorized: false, timeout: 10_000, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks).toString("utf8"))
            : reject(new Error(`kube-scheduler /metrics: ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}
