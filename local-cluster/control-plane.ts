// A real local Kubernetes control plane on loopback: etcd → kube-apiserver → kube-controller-manager →
// kube-scheduler → kwok (fake kubelets for nodes annotated kwok.x-k8s.io/node=fake) → optionally real nodes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { binaryPath } from "../process/binaries.js";
import { freePorts } from "../process/free-port.js";
import { httpOk, httpsOk } from "../process/health-probe.js";
import { startProcess, stopPid, type ManagedProcess } from "../process/managed-process.js";
import { waitFor } from "../process/wait-for.js";
import { issueClientCertificate, kubeconfigYaml, writeClusterCa, writeCredentials } from "./credentials.js";
import type { UranusImages } from "./images/uranus-images.js";
import { SERVICE_CIDR } from "./real-node/cluster-network.js";
import type { NodeServices } from "./real-node/node-services.js";
import type { RealNode } from "./real-node/real-node.js";
import { startRealNodes, type RealNodes } from "./real-node/real-nodes.js";
import { realNodeUnsupportedReason } from "./real-node/support.js";
import { stopRealNodesInDir } from "./real-node/teardown.js";

export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";
/** kwok's settings and pod stages (local-cluster/kwok.yaml), for every kwok we start. */
export const KWOK_CONFIG = fileURLToPath(new URL("kwok.yaml", import.meta.url));

export interface SchedulerExtenderConfig {
  urlPrefix: string;
  filterVerb?: string;
  prioritizeVerb?: string;
  weight?: number;
  nodeCacheCapable?: boolean;
  ignorable?: boolean;
  httpTimeout?: string;
  managedResources?: { name: string; ignoredByScheduler?: boolean }[];
}

export interface ControlPlaneOptions {
  /** Directory for data, certificates, logs and the state file; a fresh temp dir when omitted. */
  dir?: string;
  /** Remove the directory on stop; default true for a fresh temp dir, false for a given one. */
  removeDirOnStop?: boolean;
  /** Extenders registered in kube-scheduler's configuration. */
  schedulerExtenders?: SchedulerExtenderConfig[];
  /**
   * Real nodes (containerd + kubelet) named real-node-<i>, with kube-proxy and CoreDNS for their pods; none, with the
   * reason in progress, where the machine can't.
   */
  realNodes?: number;
  /** kube-apiserver serves /debug/pprof (for benchmarks); off by default. */
  profiling?: boolean;
  /** Progress lines for people; silent when omitted. */
  progress?: (line: string) => void;
  timeoutMs?: number;
}

export interface ControlPlaneState {
  dir: string;
  removeDirOnStop: boolean;
  kubeconfig: string;
  server: string;
  pids: { name: string; pid: number }[];
}

export interface ControlPlane {
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly server: string;
  readonly kubeConfig: KubeConfig;
  readonly processes: ManagedProcess[];
  /** Every loopback port the control plane listens on. */
  readonly ports: number[];
  readonly realNodes: RealNode[];
  /** kube-proxy and CoreDNS (cluster.local) serving the real nodes' pods and this machine; undefined without them. */
  readonly nodeServices: NodeServices | undefined;
  /** uranus.local/pause, web and burner as the real nodes hold them (reference by digest); undefined without them. */
  readonly images: UranusImages | undefined;
  /** Restarts kube-apiserver on the same port and data (for reconnect tests). */
  restartApiserver(): Promise<void>;
  stop(): Promise<void>;
}

const STATE_FILE = "control-plane.json";
const READY_TIMEOUT_MS = 90_000;

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const progress = options.progress ?? ((): void => undefined);
  const removeDirOnStop = options.removeDirOnStop ?? options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "uranus-cp-"));
  const timeoutMs = options.timeoutMs ?? READY_TIMEOUT_MS;
  for (const sub of ["etcd", "pki", "logs"]) mkdirSync(join(dir, sub), { recursive: true });
  const ports = await freePorts(6);
  const [etcdClient, etcdPeer, apiserverPort, kcmPort, schedulerPort, kwokPort] = ports as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const server = `https://127.0.0.1:${apiserverPort}`;
  const processes: ManagedProcess[] = [];
  const state: ControlPlaneState = {
    dir,
    removeDirOnStop,
    kubeconfig: join(dir, "kubeconfig"),
    server,
    pids: [],
  };
  const record = (p: ManagedProcess): ManagedProcess => {
    processes.push(p);
    state.pids.push({ name: p.name, pid: p.pid });
    writeFileSync(join(dir, STATE_FILE), JSON.stringify(state, null, 2));
    return p;
  };
  let realNodes: RealNodes | undefined;
  const stop = async (): Promise<void> => {
    let realNodeFailure: Error | undefined;
    await realNodes?.stop().catch((error: unknown) => (realNodeFailure ??= error as Error));
    // From the state files, for nodes whose start failed half-way; a no-op for those stopped above.
    await stopRealNodesInDir(dir).catch((error: unknown) => (realNodeFailure ??= error as Error));
    for (const p of [...processes].reverse()) await p.stop();
    processes.length = 0;
    // A real node that could not be torn down may still have mounts in the directory: keep it for another try.
    if (realNodeFailure !== undefined) throw realNodeFailure;
    if (removeDirOnStop) rmSync(dir, { recursive: true, force: true });
    else rmSync(join(dir, STATE_FILE), { force: true });
  };

  try {
    const t0 = performance.now();
    const tokens = writeCredentials(dir);
    const clusterCa = writeClusterCa(join(dir, "pki"));
    // The apiserver's identity towards kubelets (logs, exec, node proxy), which admit any client the CA signed.
    const kubeletClient = issueClientCertificate(
      clusterCa,
      join(dir, "pki"),
      "apiserver-kubelet-client",
      "kube-apiserver-kubelet-client",
      ["system:masters"],
    );

    progress("starting etcd");
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = record(
      startProcess(
        "etcd",
        binaryPath("etcd"),
        [
          "--name=uranus",
          `--data-dir=${join(dir, "etcd")}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
          `--initial-cluster=uranus=http://127.0.0.1:${etcdPeer}`,
          "--unsafe-no-fsync",
          "--quota-backend-bytes=8589934592",
          "--log-level=warn",
        ],
        {
          logFile: join(dir, "logs", "etcd.log"),
          env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch },
        },
      ),
    );
    await waitFor(async () => healthy(etcd, httpOk(`${etcdUrl}/health`)), {
      timeoutMs,
      description: "etcd /health",
    });

    progress("starting kube-apiserver");
    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiserverPort}`,
      `--cert-dir=${join(dir, "pki")}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`,
      "--authorization-mode=Node,RBAC",
      `--client-ca-file=${clusterCa.cert}`,
      `--kubelet-client-certificate=${kubeletClient.cert}`,
      `--kubelet-client-key=${kubeletClient.key}`,
      "--kubelet-preferred-address-types=InternalIP,Hostname",
      `--service-account-key-file=${join(dir, "sa.pub")}`,
      `--service-account-signing-key-file=${join(dir, "sa.key")}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      "--max-requests-inflight=2000",
      "--max-mutating-requests-inflight=1000",
      `--profiling=${options.profiling === true}`,
      "--v=1",
    ];
    const startApiserver = (): ManagedProcess =>
      record(
        startProcess("kube-apiserver", binaryPath("kube-apiserver"), apiserverArgs, {
          logFile: join(dir, "logs", "kube-apiserver.log"),
        }),
      );
    let apiserver = startApiserver();
    const waitApiserver = async (): Promise<void> => {
      await waitFor(async () => healthy(apiserver, httpsOk(`${server}/readyz`, tokens.admin)), {
        timeoutMs,
        description: "kube-apiserver /readyz",
      });
    };
    await waitApiserver();
    const ca = readFileSync(join(dir, "pki", "apiserver.crt"));
    const kubeconfigFor = (user: string, token: string): string => {
      const path = join(dir, `${user}.kubeconfig`);
      writeFileSync(path, kubeconfigYaml(server, ca, user, { token }));
      return path;
    };
    const adminKubeconfig = kubeconfigFor("admin", tokens.admin);
    writeFileSync(state.kubeconfig, readFileSync(adminKubeconfig));

    /** A component with its own credentials, serving on loopback, logging to logs/<name>.log. */
    const component = (
      name: "kube-controller-manager" | "kube-scheduler",
      kubeconfig: string,
      port: number,
      certDir: string,
      args: string[],
    ): ManagedProcess =>
      record(
        startProcess(
          name,
          binaryPath(name),
          [
            ...args,
            `--authentication-kubeconfig=${kubeconfig}`,
            `--authorization-kubeconfig=${kubeconfig}`,
            "--bind-address=127.0.0.1",
            `--secure-port=${port}`,
            `--cert-dir=${join(dir, "pki", certDir)}`,
            "--v=1",
          ],
          { logFile: join(dir, "logs", `${name}.log`) },
        ),
      );

    progress("starting kube-controller-manager");
    const kcmKubeconfig = kubeconfigFor("kube-controller-manager", tokens.controllerManager);
    const kcm = component("kube-controller-manager", kcmKubeconfig, kcmPort, "kcm", [
      `--kubeconfig=${kcmKubeconfig}`,
      `--service-account-private-key-file=${join(dir, "sa.key")}`,
      `--root-ca-file=${join(dir, "pki", "apiserver.crt")}`,
      "--use-service-account-credentials=true",
      "--leader-elect=false",
      // Fake nodes renew their leases every 30 s (local-cluster/kwok.yaml); tests fail nodes explicitly, never by silence.
      "--node-monitor-grace-period=120s",
      "--kube-api-qps=500",
      "--kube-api-burst=1000",
      // Autoscalers act within seconds here (the default looks every 15 s).
      "--horizontal-pod-autoscaler-sync-period=3s",
      "--controllers=*,-csrsigning,-csrapproving,-csrcleaner,-bootstrapsigner,-tokencleaner",
    ]);

    progress("starting kube-scheduler");
    const schedulerKubeconfig = kubeconfigFor("kube-scheduler", tokens.scheduler);
    const schedulerConfig = join(dir, "kube-scheduler.yaml");
    writeFileSync(
      schedulerConfig,
      schedulerConfigYaml(schedulerKubeconfig, options.schedulerExtenders ?? []),
    );
    const scheduler = component("kube-scheduler", schedulerKubeconfig, schedulerPort, "scheduler", [
      `--config=${schedulerConfig}`,
    ]);

    progress("starting kwok");
    const kwokKubeconfig = kubeconfigFor("kwok", tokens.kwok);
    const kwok = record(
      startProcess(
        "kwok",
        binaryPath("kwok"),
        [
          `--kubeconfig=${kwokKubeconfig}`,
          `--config=${KWOK_CONFIG}`,
          "--manage-all-nodes=false",
          `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
          "--cidr=10.244.0.0/16",
          "--node-ip=10.240.0.1",
          `--server-address=127.0.0.1:${kwokPort}`,
        ],
        { logFile: join(dir, "logs", "kwok.log"), cwd: dir, env: { ...process.env, HOME: dir } },
      ),
    );

    await waitFor(
      async () =>
        (await healthy(kcm, httpsOk(`https://127.0.0.1:${kcmPort}/healthz`))) &&
        (await healthy(scheduler, httpsOk(`https://127.0.0.1:${schedulerPort}/healthz`))) &&
        (await healthy(kwok, httpOk(`http://127.0.0.1:${kwokPort}/healthz`))),
      { timeoutMs, description: "kube-controller-manager, kube-scheduler and kwok /healthz" },
    );
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(state.kubeconfig);
    // Pods need the namespace's default ServiceAccount, which the controller manager creates.
    await waitFor(
      () =>
        healthy(kcm, httpsOk(`${server}/api/v1/namespaces/default/serviceaccounts/default`, tokens.admin)),
      {
        timeoutMs,
        description: "the default ServiceAccount",
      },
    );
    progress(`control plane ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${server})`);
    const unsupported = (options.realNodes ?? 0) > 0 ? realNodeUnsupportedReason() : undefined;
    if (unsupported !== undefined) progress(`no real nodes, kwok nodes only: ${unsupported}`);
    else if ((options.realNodes ?? 0) > 0) {
      const count = options.realNodes ?? 0;
      realNodes = await startRealNodes({
        count,
        dir,
        server,
        apiserverCa: ca,
        clusterCa,
        kubeConfig,
        progress,
        timeoutMs,
      });
    }

    return {
      dir,
      kubeconfigPath: state.kubeconfig,
      server,
      kubeConfig,
      processes,
      ports,
      realNodes: realNodes?.nodes ?? [],
      nodeServices: realNodes?.services,
      images: realNodes?.images,
      async restartApiserver(): Promise<void> {
        await apiserver.stop();
        processes.splice(processes.indexOf(apiserver), 1);
        state.pids = state.pids.filter((p) => p.pid !== apiserver.pid);
        apiserver = startApiserver();
        // Keep apiserver before its dependents in stop order.
        processes.splice(processes.indexOf(apiserver), 1);
        processes.splice(1, 0, apiserver);
        await waitApiserver();
      },
      stop,
    };
  } catch (error) {
    const logs = processes.map((p) => `--- ${p.name} (${p.logFile})\n${p.logTail(15)}`).join("\n");
    await stop();
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
}

/** Stops a control plane started by another process, from the state file in its directory. */
export async function stopControlPlaneInDir(dir: string): Promise<boolean> {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return false;
  const state = JSON.parse(readFileSync(file, "utf8")) as ControlPlaneState;
  await stopRealNodesInDir(dir);
  for (const { pid } of [...state.pids].reverse()) await stopPid(pid);
  if (state.removeDirOnStop) rmSync(dir, { recursive: true, force: true });
  else rmSync(file, { force: true });
  return true;
}

/** A readiness probe of a process we started: a process that already exited fails the wait at once. */
async function healthy(p: ManagedProcess, probe: Promise<boolean>): Promise<boolean> {
  if (await probe) return true;
  if (p.exited()) throw new Error(`${p.name} exited; log tail:\n${p.logTail(15)}`);
  return false;
}

/** The KubeSchedulerConfiguration of a local kube-scheduler: its client, no leader election, the extenders. */
export function schedulerConfigYaml(
  kubeconfig: string,
  extenders: SchedulerExtenderConfig[],
  percentageOfNodesToScore?: number,
): string {
  return stringify({
    apiVersion: "kubescheduler.config.k8s.io/v1",
    kind: "KubeSchedulerConfiguration",
    clientConnection: { kubeconfig, qps: 500, burst: 1000 },
    leaderElection: { leaderElect: false },
    ...(percentageOfNodesToScore === undefined ? {} : { percentageOfNodesToScore }),
    ...(extenders.length > 0 ? { extenders } : {}),
  });
}
