// The Kubernetes side of the demo: a local control plane whose kube-scheduler calls the Uranus extender, or the
// cluster KUBECONFIG names (its scheduler cannot be reconfigured from here; kwok is started for the demo's nodes).
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { parse } from "yaml";
import { binaryPath } from "../../process/binaries.js";
import {
  KWOK_CONFIG,
  KWOK_NODE_ANNOTATION,
  startControlPlane,
  type SchedulerExtenderConfig,
} from "../../local-cluster/control-plane.js";
import type { UranusImages } from "../../local-cluster/images/uranus-images.js";
import { freePorts } from "../../process/free-port.js";
import { startProcess } from "../../process/managed-process.js";
import { REPO_ROOT } from "./example-manifests.js";
import type { Supervisor } from "./supervisor.js";

/** The deployable KubeSchedulerConfiguration; the local control plane registers its extender with our URL. */
export const SCHEDULER_CONFIG = "config/scheduler/kube-scheduler-config.yaml";

export interface DemoCluster {
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  /** True when we started the control plane; false for the cluster in KUBECONFIG. */
  readonly local: boolean;
  /** Where the scheduler extender must listen: kube-scheduler calls it there. */
  readonly extenderPort: number;
  /** Names of the real (kubelet + containerd) nodes started beside kwok; none on an existing cluster. */
  readonly realNodes: string[];
  /** The images the real nodes run, by digest; undefined without real nodes. */
  readonly images: UranusImages | undefined;
}

export interface DemoClusterOptions {
  /** KUBECONFIG of an existing cluster; a local control plane when undefined. */
  kubeconfig?: string;
  dir: string;
  logsDir: string;
  supervisor: Supervisor;
  progress: (line: string) => void;
  /** How the supervisor names the control plane; "the local control plane" by default. */
  name?: string;
  /** Real nodes to start where this machine can (it says why not, and runs kwok only). */
  realNodes?: number;
}

export async function startDemoCluster(options: DemoClusterOptions): Promise<DemoCluster> {
  const [extenderPort, kwokPort] = (await freePorts(2)) as [number, number];
  if (options.kubeconfig !== undefined) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(options.kubeconfig);
    mkdirSync(options.dir, { recursive: true });
    startKwok(options.kubeconfig, kwokPort, options);
    return {
      kubeconfigPath: options.kubeconfig,
      kubeConfig,
      local: false,
      extenderPort,
      realNodes: [],
      images: undefined,
    };
  }
  const controlPlane = await startControlPlane({
    dir: options.dir,
    removeDirOnStop: true,
    schedulerExtenders: [{ ...deployedExtender(), urlPrefix: `http://127.0.0.1:${extenderPort}` }],
    progress: options.progress,
    realNodes: options.realNodes ?? 0,
  });
  options.supervisor.started(options.name ?? "the local control plane", () => controlPlane.stop());
  // A real node's containerd and kubelet, kube-proxy and CoreDNS are watched too: any of them dying ends the run.
  const realNodeProcesses = [
    ...controlPlane.realNodes.flatMap((node) => node.processes),
    ...(controlPlane.nodeServices?.processes ?? []),
  ];
  for (const process of [...controlPlane.processes, ...realNodeProcesses]) options.supervisor.watch(process);
  return {
    kubeconfigPath: controlPlane.kubeconfigPath,
    kubeConfig: controlPlane.kubeConfig,
    local: true,
    extenderPort,
    realNodes: controlPlane.realNodes.map((node) => node.name),
    images: controlPlane.images,
  };
}

/** The extender entry of config/scheduler, so the demo places pods exactly as a deployment does. */
function deployedExtender(): SchedulerExtenderConfig {
  const config = parse(readFileSync(join(REPO_ROOT, SCHEDULER_CONFIG), "utf8")) as {
    extenders?: SchedulerExtenderConfig[];
  };
  const extender = config.extenders?.[0];
  if (extender === undefined) throw new Error(`${SCHEDULER_CONFIG} registers no extender`);
  return extender;
}

/** kwok keeps the demo's fake contributor Nodes Ready and their pods Running in a cluster that has no kwok of ours. */
function startKwok(kubeconfig: string, port: number, options: DemoClusterOptions): void {
  const kwok = startProcess(
    "kwok",
    binaryPath("kwok"),
    [
      `--kubeconfig=${kubeconfig}`,
      // Pods keep their finalizers when deleted, as with a kubelet, so the operator bills them to the end.
      `--config=${KWOK_CONFIG}`,
      "--manage-all-nodes=false",
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      `--server-address=127.0.0.1:${port}`,
    ],
    {
      logFile: join(options.logsDir, "kwok.log"),
      cwd: options.dir,
      env: { ...process.env, HOME: options.dir },
    },
  );
  options.supervisor.started("kwok", () => kwok.stop());
  options.supervisor.watch(kwok);
}
