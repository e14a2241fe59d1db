// Builds a contributor pool on a real control plane: kwok Nodes, their ContributorNodes with a status written
// through the status subresource (as the operator would), and Uranus pods; then reads where pods landed.
import {
  CoreV1Api,
  type KubeConfig,
  type V1Affinity,
  type V1Pod,
  type V1Toleration,
} from "@kubernetes/client-node";
import { GROUP, LABEL, PLURAL, VERSION } from "../../../crds/types.js";
import type { SchedulerExtenderConfig } from "../../../local-cluster/control-plane.js";
import { fakeNodeManifest } from "../../../local-cluster/fake-nodes.js";
import { waitFor } from "../../../process/wait-for.js";
import { KeepAliveKubeApi } from "./keep-alive-kube-api.js";
import {
  contributorNode,
  ownerAddress,
  uranusPod,
  type ContributorNodeFacts,
  type UranusPodFacts,
} from "../../unit/scheduler-extender/contributor-node-fixture.js";

/** Nodes of one test carry this label, and its pods select it, so tests sharing a cluster stay apart. */
export const GROUP_LABEL = "uranus.test/group";

/** One extender point (×10×130 = 1300) outweighs all default score plugins together (12 weights × 100). */
export const EXTENDER_WEIGHT = 130;

/** kube-scheduler's registration of the Uranus extender at `urlPrefix`: filter and prioritize, not ignorable. */
export function uranusExtenderConfig(urlPrefix: string): SchedulerExtenderConfig {
  return {
    urlPrefix,
    filterVerb: "filter",
    prioritizeVerb: "prioritize",
    weight: EXTENDER_WEIGHT,
    nodeCacheCapable: true,
    ignorable: false,
    httpTimeout: "5s",
  };
}

export interface OfferedNode extends ContributorNodeFacts {
  /** Offer the Node without a ContributorNode. */
  bare?: boolean;
  labels?: Record<string, string>;
}

async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Creates the Nodes, waits until they are Ready, then creates their ContributorNodes and writes their status. */
export async function offerNodes(
  kubeConfig: KubeConfig,
  group: string,
  nodes: readonly OfferedNode[],
  options: {
    capacity?: Record<string, string>;
    concurrency?: number;
    /** Wait for kwok to report every node Ready (benchmarks whose pods tolerate NotReady skip it). */
    waitReady?: boolean;
  } = {},
): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const api = await KeepAliveKubeApi.connect(kubeConfig);
  const concurrency = options.concurrency ?? 20;
  const capacity = { cpu: "64", memory: "256Gi", pods: "500", ...options.capacity };
  await inParallel(nodes, concurrency, async (facts) => {
    const owner = (facts.owner ?? ownerAddress(facts.name)).toLowerCase();
    const manifest = fakeNodeManifest(
      facts.nodeName ?? facts.name,
      { capacity, labels: () => ({ [GROUP_LABEL]: group, [LABEL.contributor]: owner, ...facts.labels }) },
      0,
    );
    await api.send("POST", "/api/v1/nodes", manifest);
  });
  const names = new Set(nodes.map((n) => n.nodeName ?? n.name));
  if (options.waitReady ?? true) {
    await waitFor(
      async () => {
        const list = await core.listNode({ labelSelector: `${GROUP_LABEL}=${group}` });
        const ready = list.items.filter((node) =>
          node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
        );
        return ready.length === names.size ? true : undefined;
      },
      // Listing thousands of nodes is itself load on the apiserver: poll large pools less often.
      {
        timeoutMs: 600_000,
        intervalMs: Math.max(250, names.size / 5),
        description: `${names.size} ${group} nodes Ready`,
      },
    );
  }
  const path = `/apis/${GROUP}/${VERSION}/${PLURAL.ContributorNode}`;
  await inParallel(
    nodes.filter((n) => n.bare !== true),
    concurrency,
    async (facts) => {
      const { status, ...object } = contributorNode(facts);
      await api.send("POST", path, object);
      await api.send("PATCH", `${path}/${facts.name}/status`, { status }, "application/merge-patch+json");
    },
  );
  api.close();
}

/** kwok on a busy machine may miss node heartbeats; placement, not node readiness, is under test. */
const KWOK_HEARTBEAT_TOLERATIONS: V1Toleration[] = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists" },
];

export interface PodPlan extends UranusPodFacts {
  group: string;
  affinity?: V1Affinity;
  tolerations?: V1Toleration[];
  nodeSelector?: Record<string, string>;
}

export function podManifest(plan: PodPlan): V1Pod {
  const pod = uranusPod(plan);
  return {
    ...pod,
    spec: {
      ...pod.spec,
      nodeSelector: { [GROUP_LABEL]: plan.group, ...plan.nodeSelector },
      ...(plan.affinity === undefined ? {} : { affinity: plan.affinity }),
      tolerations: plan.tolerations ?? KWOK_HEARTBEAT_TOLERATIONS,
      terminationGracePeriodSeconds: 0,
    },
  };
}

export async function createPods(
  kubeConfig: KubeConfig,
  plans: readonly PodPlan[],
  concurrency = 20,
): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await inParallel(plans, concurrency, async (plan) => {
    await core.createNamespacedPod({ namespace: plan.namespace ?? "default", body: podManifest(plan) });
  });
}

/** Pods of the namespace matching the label selector, once `count` of them are bound to a node. */
export async function waitForScheduled(
  kubeConfig: KubeConfig,
  namespace: string,
  labelSelector: string,
  count: number,
  timeoutMs = 120_000,
): Promise<V1Pod[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return waitFor(
    async () => {
      const pods = (await core.listNamespacedPod({ namespace, labelSelector })).items;
      const bound = pods.filter((pod) => (pod.spec?.nodeName ?? "") !== "");
      return bound.length >= count ? bound : undefined;
    },
    { timeoutMs, intervalMs: 250, description: `${count} pods (${labelSelector}) scheduled` },
  );
}

/** The messages of FailedScheduling events about one pod, newest last. */
export async function failedSchedulingMessages(
  kubeConfig: KubeConfig,
  namespace: string,
  podName: string,
): Promise<string[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const events = await core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.name=${podName},reason=FailedScheduling`,
  });
  return events.items.map((event) => event.message ?? "");
}
