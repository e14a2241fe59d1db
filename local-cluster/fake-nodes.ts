// Creates fake contributor Nodes that kwok keeps Ready, so thousands of nodes fit on one machine.
import { CoreV1Api, type KubeConfig, type V1Node } from "@kubernetes/client-node";
import { KWOK_NODE_ANNOTATION } from "./control-plane.js";

export interface FakeNodeOptions {
  /** How many nodes, named `<namePrefix>-<index>`; ignored when `names` is given. */
  count?: number;
  names?: string[];
  namePrefix?: string;
  /** Labels per node; index is 0-based. */
  labels?: (index: number) => Record<string, string>;
  capacity?: { cpu?: string; memory?: string; pods?: string; "ephemeral-storage"?: string };
  /** Parallel create requests. */
  concurrency?: number;
}

export function fakeNodeManifest(
  name: string,
  options: Omit<FakeNodeOptions, "count" | "names">,
  index: number,
): V1Node {
  const capacity = {
    cpu: "8",
    memory: "32Gi",
    pods: "110",
    "ephemeral-storage": "200Gi",
    ...options.capacity,
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        type: "kwok",
        ...options.labels?.(index),
      },
    },
    status: { capacity, allocatable: capacity },
  };
}

export async function createFakeNodes(kubeConfig: KubeConfig, options: FakeNodeOptions): Promise<string[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const prefix = options.namePrefix ?? "contributor-node";
  const names = options.names ?? Array.from({ length: options.count ?? 0 }, (_, i) => `${prefix}-${i}`);
  const concurrency = options.concurrency ?? 20;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const index = next++;
      await core.createNode({ body: fakeNodeManifest(names[index]!, options, index) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
  return names;
}
