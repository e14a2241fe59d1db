// What each pod uses now, from its node's kubelet Summary API (GET /api/v1/nodes/<node>/proxy/stats/summary through
// the apiserver): CPU (usageNanoCores, as millicores) and memory (the working set, as the kubelet's eviction and
// metrics-server count it), per pod UID. kwok's fake nodes have no kubelet and are never asked.
import type { Logger } from "../../observability/logger.js";
import type { KubeNode } from "../operator-context.js";

/** On nodes kwok plays (any value); the same key as local-cluster's KWOK_NODE_ANNOTATION, which operator/ may not import. */
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";

/** One pod's use at one moment. */
export interface PodUsage {
  cpuMillicores: bigint;
  /** Never 0: a pod without a working set is not measured. */
  memoryBytes: bigint;
}

export interface PodUsageSource {
  /** Usage by pod UID of the pods on these nodes that report it; a node that cannot be read adds nothing. */
  read(nodes: readonly KubeNode[]): Promise<Map<string, PodUsage>>;
}

/** The one call of the Kubernetes client this needs (KubeClient.request). */
export interface NodeProxyClient {
  request(
    method: string,
    path: string,
    options?: { query?: Record<string, string>; timeoutMs?: number },
  ): Promise<unknown>;
}

/** The parts of the kubelet's stats/summary read here. */
interface Summary {
  pods?: {
    podRef?: { uid?: string };
    cpu?: { usageNanoCores?: number };
    memory?: { workingSetBytes?: number };
  }[];
}

const NANOCORES_PER_MILLICORE = 1_000_000;
/** A Summary read waits at most this long, so one slow kubelet delays a metering round only so much. */
const READ_TIMEOUT_MS = 5_000;
/** Kubelets read at once. */
const CONCURRENCY = 8;

function wholeCount(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/** Pods that report both CPU and a non-zero working set; the rest are left out (unmeasured, billed as reserved). */
export function parseSummary(body: unknown): Map<string, PodUsage> {
  const usage = new Map<string, PodUsage>();
  const pods = (body as Summary | null)?.pods;
  if (!Array.isArray(pods)) return usage;
  for (const pod of pods) {
    const uid = pod.podRef?.uid;
    const nanoCores = pod.cpu?.usageNanoCores;
    const workingSet = pod.memory?.workingSetBytes;
    if (typeof uid !== "string" || uid === "" || !wholeCount(nanoCores) || !wholeCount(workingSet)) continue;
    if (workingSet === 0) continue;
    usage.set(uid, {
      cpuMillicores: BigInt(Math.round(nanoCores / NANOCORES_PER_MILLICORE)),
      memoryBytes: BigInt(Math.round(workingSet)),
    });
  }
  return usage;
}

/** A node with a real kubelet: not one kwok plays. */
export function hasKubelet(node: KubeNode): boolean {
  return node.metadata.annotations?.[KWOK_NODE_ANNOTATION] === undefined;
}

export function summaryPath(nodeName: string): string {
  return `/api/v1/nodes/${encodeURIComponent(nodeName)}/proxy/stats/summary`;
}

/** Reads the Summary of each real node; a node that fails is warned about once until it answers again. */
export class PodUsageReader implements PodUsageSource {
  private readonly failing = new Set<string>();

  constructor(
    private readonly client: NodeProxyClient,
    private readonly log: Logger,
  ) {}

  async read(nodes: readonly KubeNode[]): Promise<Map<string, PodUsage>> {
    const names = [...new Set(nodes.filter(hasKubelet).map((n) => n.metadata.name!))].sort();
    const usage = new Map<string, PodUsage>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < names.length) {
        const name = names[next++]!;
        for (const [uid, pod] of await this.readNode(name)) usage.set(uid, pod);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, names.length) }, worker));
    return usage;
  }

  private async readNode(name: string): Promise<Map<string, PodUsage>> {
    try {
      const body = await this.client.request("GET", summaryPath(name), {
        query: { only_cpu_and_memory: "true" },
        timeoutMs: READ_TIMEOUT_MS,
      });
      if (this.failing.delete(name)) this.log.info({ node: name }, "kubelet stats readable again");
      return parseSummary(body);
    } catch (error) {
      if (!this.failing.has(name)) {
        this.failing.add(name);
        this.log.warn(
          { err: error, node: name },
          "cannot read the kubelet's stats/summary; the node's pods are metered unmeasured (billed as reserved) until it answers",
        );
      }
      return new Map();
    }
  }
}
