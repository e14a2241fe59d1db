// Faults of kwok nodes for operator tests: a node that dies (NotReady, no longer heartbeated by kwok), and polls for
// a contract's pods while replicas move.
import type { V1Pod } from "@kubernetes/client-node";
import { LABEL } from "../../../../crds/types.js";
import { KWOK_NODE_ANNOTATION } from "../../../../local-cluster/control-plane.js";
import { waitFor } from "../../../../process/wait-for.js";
import { NODE, POD } from "../../../../kube-runtime/builtin-resources.js";
import type { OperatorWorld } from "./operator-world.js";

export type Pod = V1Pod & { metadata: NonNullable<V1Pod["metadata"]> };

/** Polls the contract's live pods until one is accepted. */
export async function podOf(
  world: OperatorWorld,
  contract: string,
  accept: (pod: Pod) => boolean,
  timeoutMs: number,
  description: string,
): Promise<Pod> {
  return waitFor(
    async () => {
      const list = await world.client.list<Pod>(POD, {
        namespace: world.namespace,
        labelSelector: `${LABEL.contract}=${contract}`,
      });
      return list.items.find((pod) => pod.metadata.deletionTimestamp === undefined && accept(pod));
    },
    { timeoutMs, intervalMs: 100, description },
  );
}

export function runningPod(world: OperatorWorld, contract: string, notOn?: string): Promise<Pod> {
  return podOf(
    world,
    contract,
    (pod) => pod.status?.phase === "Running" && pod.spec?.nodeName !== notOn,
    60_000,
    `a running pod of ${contract}${notOn ? ` off ${notOn}` : ""}`,
  );
}

export function boundPod(world: OperatorWorld, contract: string, notOn: string): Promise<Pod> {
  return podOf(
    world,
    contract,
    (pod) => pod.spec?.nodeName !== undefined && pod.spec.nodeName !== notOn,
    20_000,
    `a pod of ${contract} bound to a node other than ${notOn}`,
  );
}

/** Takes the node from kwok (so nothing heartbeats it back) and reports it NotReady, as a dead kubelet would look. */
export async function failNode(world: OperatorWorld, name: string, when: Date): Promise<void> {
  await world.client.mergePatch(
    NODE,
    { name },
    { metadata: { annotations: { [KWOK_NODE_ANNOTATION]: "stopped" } } },
  );
  const time = `${when.toISOString().slice(0, 19)}Z`;
  await world.client.mergePatch(
    NODE,
    { name },
    {
      status: {
        conditions: [
          {
            type: "Ready",
            status: "False",
            reason: "KubeletStopped",
            message: "the kubelet stopped posting status",
            lastHeartbeatTime: time,
            lastTransitionTime: time,
          },
        ],
      },
    },
    { subresource: "status" },
  );
}
