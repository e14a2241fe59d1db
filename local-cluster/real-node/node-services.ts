// Services and DNS for the real nodes' pods: one kube-proxy (iptables) for the machine they share, and CoreDNS as a
// host process answering cluster names on each bridge's address. Both are reached from the host and from pods; the
// confining rules keep what kube-proxy forwards or masquerades on the bridges.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RbacAuthorizationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { binaryPath } from "../../process/binaries.js";
import { freePorts } from "../../process/free-port.js";
import { httpOk } from "../../process/health-probe.js";
import { startProcess, type ManagedProcess } from "../../process/managed-process.js";
import { waitFor } from "../../process/wait-for.js";
import { issueClientCertificate, kubeconfigYaml, type CertificateFiles } from "../credentials.js";
import {
  confineScript,
  COREDNS_USER,
  corednsRbac,
  corefile,
  KUBE_PROXY_USER,
  kubeProxyConfigYaml,
  SERVICE_CIDR,
} from "./cluster-network.js";
import { recordHostState } from "./host-state.js";
import type { RealNode } from "./real-node.js";
import {
  bridgeForwardingFile,
  saveServicesState,
  tearDownNodeServices,
  type NodeServicesState,
} from "./services-teardown.js";

export interface NodeServicesOptions {
  /** The services' own directory, created if missing. */
  dir: string;
  server: string;
  apiserverCa: Buffer;
  /** Signs kube-proxy's and CoreDNS's client certificates. */
  clusterCa: CertificateFiles;
  /** An admin client, for CoreDNS's RBAC. */
  kubeConfig: KubeConfig;
  /** Started and Ready; kube-proxy runs under the first one's name. */
  nodes: readonly RealNode[];
  progress?: (line: string) => void;
  timeoutMs?: number;
}

export interface NodeServices {
  /** Where CoreDNS answers: each node's bridge address, which is that node's clusterDNS. */
  readonly dnsAddresses: string[];
  readonly processes: ManagedProcess[];
  /** From kube-proxy's start to its first full sync (/healthz 200). */
  readonly kubeProxyReadyMs: number;
  /** From CoreDNS's start to its kubernetes plugin having synced (/ready 200). */
  readonly corednsReadyMs: number;
  stop(): Promise<void>;
}

const BRIDGE_NF = "/proc/sys/net/bridge/bridge-nf-call-iptables";

export async function startNodeServices(options: NodeServicesOptions): Promise<NodeServices> {
  const progress = options.progress ?? ((): void => undefined);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const [first] = options.nodes;
  if (first === undefined) throw new Error("kube-proxy and CoreDNS need a real node");
  const pki = join(options.dir, "pki");
  const logs = join(options.dir, "logs");
  for (const dir of [pki, logs]) mkdirSync(dir, { recursive: true });
  const bridges = options.nodes.map((node) => node.network.bridge);
  const state: NodeServicesState = {
    dir: options.dir,
    pids: [],
    host: recordHostState(),
    bridgeForwarding: Object.fromEntries(
      bridges.map((bridge) => [bridge, readFileSync(bridgeForwardingFile(bridge), "utf8").trim()]),
    ),
    routes: [],
    loadedModules: [],
    stopped: false,
  };
  saveServicesState(state);
  const processes: ManagedProcess[] = [];
  const stop = (): Promise<void> =>
    tearDownNodeServices(state, async (pid) => {
      await processes.find((p) => p.pid === pid)?.stop();
    });
  const record = (p: ManagedProcess): ManagedProcess => {
    processes.push(p);
    state.pids.push({ name: p.name, pid: p.pid });
    saveServicesState(state);
    return p;
  };
  const healthy = async (p: ManagedProcess, url: string): Promise<boolean> => {
    if (await httpOk(url)) return true;
    if (p.exited()) throw new Error(`${p.name} exited; log tail:\n${p.logTail(15)}`);
    return false;
  };
  const kubeconfigOf = (user: string): string => {
    const identity = issueClientCertificate(options.clusterCa, pki, user.replace("system:", ""), user);
    const path = join(options.dir, `${user.replace("system:", "")}.kubeconfig`);
    writeFileSync(
      path,
      kubeconfigYaml(options.server, options.apiserverCa, user, {
        "client-certificate": identity.cert,
        "client-key": identity.key,
      }),
    );
    return path;
  };

  try {
    const bridgedThroughIptables = bridgeNetfilter(state);
    saveServicesState(state);
    if (!bridgedThroughIptables)
      progress("no br_netfilter here: kube-proxy masquerades all Service traffic instead");
    // Forwarding on the bridges alone: a pod's packet to a Service is routed back out to the endpoint's bridge.
    for (const bridge of bridges) writeFileSync(bridgeForwardingFile(bridge), "1");
    const confine = confineScript({
      id: randomBytes(3).toString("hex"),
      bridges,
      subnets: options.nodes.map((node) => node.network.subnet),
    });
    execFileSync("iptables-restore", ["--noflush"], { input: confine, stdio: "pipe" });
    // This machine reaches every ClusterIP on the first bridge, from its address: never by the default route.
    const serviceRoute = [SERVICE_CIDR, "dev", first.network.bridge, "src", first.nodeIp];
    state.routes.push(serviceRoute);
    saveServicesState(state);
    execFileSync("ip", ["route", "add", ...serviceRoute], { stdio: "pipe" });

    const [kubeProxyHealthz, kubeProxyMetrics, dnsHealth, dnsReady] = (await freePorts(4)) as [
      number,
      number,
      number,
      number,
    ];
    const kubeProxyConfig = join(options.dir, "kube-proxy.yaml");
    writeFileSync(
      kubeProxyConfig,
      kubeProxyConfigYaml({
        kubeconfig: kubeconfigOf(KUBE_PROXY_USER),
        nodeName: first.name,
        nodeIp: first.nodeIp,
        healthzPort: kubeProxyHealthz,
        metricsPort: kubeProxyMetrics,
        nodePortCidrs: options.nodes.map((node) => node.network.subnet),
        masqueradeAll: !bridgedThroughIptables,
      }),
    );
    progress("starting kube-proxy");
    const kubeProxyStarted = performance.now();
    const kubeProxy = record(
      startProcess("kube-proxy", binaryPath("kube-proxy"), [`--config=${kubeProxyConfig}`, "--v=1"], {
        logFile: join(logs, "kube-proxy.log"),
      }),
    );

    await applyCorednsRbac(options.kubeConfig);
    const dnsAddresses = options.nodes.map((node) => node.nodeIp);
    const corefilePath = join(options.dir, "Corefile");
    writeFileSync(
      corefilePath,
      corefile({
        kubeconfig: kubeconfigOf(COREDNS_USER),
        listen: dnsAddresses,
        healthPort: dnsHealth,
        readyPort: dnsReady,
      }),
    );
    progress("starting CoreDNS");
    const corednsStarted = performance.now();
    const coredns = record(
      startProcess("coredns", binaryPath("coredns"), ["-conf", corefilePath], {
        logFile: join(logs, "coredns.log"),
        cwd: options.dir,
      }),
    );

    await waitFor(() => healthy(kubeProxy, `http://127.0.0.1:${kubeProxyHealthz}/healthz`), {
      timeoutMs,
      description: "kube-proxy /healthz",
    });
    const kubeProxyReadyMs = performance.now() - kubeProxyStarted;
    await waitFor(() => healthy(coredns, `http://127.0.0.1:${dnsReady}/ready`), {
      timeoutMs,
      description: "CoreDNS /ready",
    });
    const corednsReadyMs = performance.now() - corednsStarted;
    progress(
      `kube-proxy synced in ${(kubeProxyReadyMs / 1000).toFixed(1)} s, ` +
        `CoreDNS ready in ${(corednsReadyMs / 1000).toFixed(1)} s on ${dnsAddresses.join(", ")}:53`,
    );
    return { dnsAddresses, processes, kubeProxyReadyMs, corednsReadyMs, stop };
  } catch (error) {
    const logTails = processes.map((p) => `--- ${p.name} (${p.logFile})\n${p.logTail(15)}`).join("\n");
    await stop().catch(() => undefined);
    throw new Error(`kube-proxy and CoreDNS: ${(error as Error).message}\n${logTails}`);
  }
}

/** Bridged traffic through iptables (a reply between two pods must meet conntrack): true when it is, or now is. */
function bridgeNetfilter(state: NodeServicesState): boolean {
  if (!existsSync(BRIDGE_NF)) {
    try {
      execFileSync("modprobe", ["br_netfilter"], { stdio: "pipe" });
      state.loadedModules.push("br_netfilter");
    } catch {
      return false;
    }
  }
  // The value before is in state.host's sysctls, put back on stop.
  if (readFileSync(BRIDGE_NF, "utf8").trim() !== "1") writeFileSync(BRIDGE_NF, "1");
  return true;
}

async function applyCorednsRbac(kubeConfig: KubeConfig): Promise<void> {
  const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  const { role, binding } = corednsRbac();
  const exists = (error: unknown): void => {
    if ((error as { code?: number }).code !== 409) throw error;
  };
  await rbac.createClusterRole({ body: role }).catch(exists);
  await rbac.createClusterRoleBinding({ body: binding }).catch(exists);
}
