// A real node beside the kwok ones: containerd (CRI) and a kubelet running real containers from our own images on a
// bridge only this machine sees. The kubelet serves on the bridge's address, which is also the node's InternalIP:
// the kubelet refuses a loopback node IP, and the bridge carries nothing off the machine.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { binaryPath } from "../../process/binaries.js";
import { freePorts } from "../../process/free-port.js";
import { startProcess, stopPid, type ManagedProcess } from "../../process/managed-process.js";
import { waitFor } from "../../process/wait-for.js";
import { issueClientCertificate, kubeconfigYaml, type CertificateFiles } from "../credentials.js";
import type { UranusImages } from "../images/uranus-images.js";
import { createBridge, createCgroupRoot, hostIpv4Addresses } from "./host-resources.js";
import { POD_CIDR } from "./cluster-network.js";
import { recordHostState } from "./host-state.js";
import {
  cniConflist,
  containerdConfigToml,
  kubeletConfigYaml,
  nodePaths,
  type PodNetwork,
} from "./node-config.js";
import { saveRealNodeState, tearDownRealNode, type RealNodeState } from "./teardown.js";

/** Set on every real node, so work that needs real containers can select them. */
export const REAL_NODE_LABEL = "uranus.dev/real-node";

export interface RealNodeOptions {
  name: string;
  /** The node's own directory, created if missing. */
  dir: string;
  /** Start order among the control plane's real nodes; picks the pod subnet. */
  index: number;
  server: string;
  /** The CA that signed the apiserver's serving certificate. */
  apiserverCa: Buffer;
  /** Signs the node's client certificate; the kubelet accepts clients it signed (the apiserver). */
  clusterCa: CertificateFiles;
  /** An admin client, to wait for the node to become Ready. */
  kubeConfig: KubeConfig;
  images: UranusImages;
  labels?: Record<string, string>;
  progress?: (line: string) => void;
  timeoutMs?: number;
}

export interface RealNode {
  readonly name: string;
  /** The bridge's address: the node's InternalIP and the kubelet's serving address. */
  readonly nodeIp: string;
  readonly kubeletPort: number;
  readonly network: PodNetwork;
  readonly cgroupRoot: string;
  readonly processes: ManagedProcess[];
  /** From the kubelet's start to the Node's Ready condition. */
  readonly readyAfterKubeletStartMs: number;
  /** Removes everything the node changed on this machine; repeatable. */
  stop(): Promise<void>;
}

const POD_SUBNET_PREFIX = POD_CIDR.split(".").slice(0, 2).join(".");

export async function startRealNode(options: RealNodeOptions): Promise<RealNode> {
  const progress = options.progress ?? ((): void => undefined);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const paths = nodePaths(options.dir);
  for (const dir of [paths.cniConfDir, paths.cniIpamDir, paths.kubeletRoot, paths.podLogs, paths.logs])
    mkdirSync(dir, { recursive: true });
  for (const dir of [
    paths.kubeletCertDir,
    paths.images,
    paths.pki,
    paths.containerdRoot,
    paths.containerdState,
  ])
    mkdirSync(dir, { recursive: true });
  const id = randomBytes(3).toString("hex");
  const network = podNetwork(`uranus-${id}`, options.index);
  const state: RealNodeState = {
    name: options.name,
    index: options.index,
    dir: options.dir,
    bridge: network.bridge,
    cgroupRoot: `uranus-${id}`,
    containerdSocket: paths.containerdSocket,
    pids: [],
    host: recordHostState(),
    stopped: false,
  };
  saveRealNodeState(state);
  const processes: ManagedProcess[] = [];
  const stop = (): Promise<void> =>
    tearDownRealNode(state, async (pid) => {
      const owned = processes.find((p) => p.pid === pid);
      if (owned !== undefined) await owned.stop();
      else await stopPid(pid);
    });
  const record = (p: ManagedProcess): ManagedProcess => {
    processes.push(p);
    state.pids.push({ name: p.name, pid: p.pid });
    saveRealNodeState(state);
    return p;
  };
  const alive = (p: ManagedProcess): void => {
    if (p.exited()) throw new Error(`${p.name} exited; log tail:\n${p.logTail(15)}`);
  };

  try {
    createCgroupRoot(state.cgroupRoot);
    createBridge(network.bridge, `${network.gateway}/24`);
    writeFileSync(
      join(paths.cniConfDir, `10-${network.bridge}.conflist`),
      cniConflist(network, paths.cniIpamDir),
    );
    const containerdConfig = join(options.dir, "containerd.toml");
    writeFileSync(containerdConfig, containerdConfigToml(paths, options.images.pause.name));

    progress(`${options.name}: starting containerd`);
    const containerd = record(
      startProcess("containerd", "/usr/bin/containerd", ["--config", containerdConfig], {
        logFile: join(paths.logs, "containerd.log"),
      }),
    );
    const ctr = (...args: string[]): string =>
      execFileSync("/usr/bin/ctr", ["--address", paths.containerdSocket, ...args], {
        encoding: "utf8",
        stdio: "pipe",
      });
    await waitFor(
      () => {
        alive(containerd);
        ctr("version");
        return true;
      },
      { timeoutMs, description: `containerd answering on ${paths.containerdSocket}` },
    );
    const { pause, web, burner } = options.images;
    for (const image of [pause, web, burner]) {
      const archive = join(paths.images, `${image.repository.replaceAll("/", "_")}.tar`);
      writeFileSync(archive, image.archive);
      ctr("-n", "k8s.io", "images", "import", "--digests", "--base-name", image.repository, archive);
    }

    const [kubeletPort, healthzPort] = (await freePorts(2)) as [number, number];
    const identity = issueClientCertificate(
      options.clusterCa,
      paths.pki,
      "kubelet",
      `system:node:${options.name}`,
      ["system:nodes"],
    );
    const kubeconfig = join(options.dir, "kubelet.kubeconfig");
    writeFileSync(
      kubeconfig,
      kubeconfigYaml(options.server, options.apiserverCa, `system:node:${options.name}`, {
        "client-certificate": identity.cert,
        "client-key": identity.key,
      }),
    );
    const kubeletConfig = join(options.dir, "kubelet.yaml");
    writeFileSync(
      kubeletConfig,
      kubeletConfigYaml(paths, {
        address: network.gateway,
        port: kubeletPort,
        healthzPort,
        clientCaFile: options.clusterCa.cert,
        cgroupRoot: `/${state.cgroupRoot}`,
        // CoreDNS answers on each bridge's address (node-services.ts), so a pod asks on its own link.
        clusterDns: network.gateway,
      }),
    );
    const labels = { [REAL_NODE_LABEL]: "true", ...options.labels };
    progress(`${options.name}: starting kubelet`);
    const kubeletStarted = performance.now();
    const kubelet = record(
      startProcess(
        "kubelet",
        binaryPath("kubelet"),
        [
          `--config=${kubeletConfig}`,
          `--kubeconfig=${kubeconfig}`,
          `--root-dir=${paths.kubeletRoot}`,
          `--cert-dir=${paths.kubeletCertDir}`,
          `--hostname-override=${options.name}`,
          `--node-ip=${network.gateway}`,
          `--node-labels=${Object.entries(labels)
            .map(([key, value]) => `${key}=${value}`)
            .join(",")}`,
          "--v=1",
        ],
        { logFile: join(paths.logs, "kubelet.log") },
      ),
    );
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    await waitFor(
      async () => {
        alive(kubelet);
        alive(containerd);
        const node = await core.readNode({ name: options.name });
        return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      },
      { timeoutMs, description: `node ${options.name} Ready` },
    );
    const readyAfterKubeletStartMs = performance.now() - kubeletStarted;
    progress(`${options.name}: Ready ${(readyAfterKubeletStartMs / 1000).toFixed(1)} s after kubelet start`);
    return {
      name: options.name,
      nodeIp: network.gateway,
      kubeletPort,
      network,
      cgroupRoot: state.cgroupRoot,
      processes,
      readyAfterKubeletStartMs,
      stop,
    };
  } catch (error) {
    const logs = processes.map((p) => `--- ${p.name} (${p.logFile})\n${p.logTail(15)}`).join("\n");
    await stop();
    throw new Error(`real node ${options.name}: ${(error as Error).message}\n${logs}`);
  }
}

/** 10.247.<n>.0/24 for the first n at or after the node's index that no interface here has an address in. */
function podNetwork(bridge: string, index: number): PodNetwork {
  const used = new Set(
    hostIpv4Addresses()
      .filter((ip) => ip.startsWith(`${POD_SUBNET_PREFIX}.`))
      .map((ip) => Number(ip.split(".")[2])),
  );
  let third = index;
  while (used.has(third)) third++;
  if (third > 255) throw new Error(`no free /24 left in ${POD_SUBNET_PREFIX}.0.0/16`);
  return {
    bridge,
    subnet: `${POD_SUBNET_PREFIX}.${third}.0/24`,
    gateway: `${POD_SUBNET_PREFIX}.${third}.1`,
  };
}
