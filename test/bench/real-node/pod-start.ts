// Pod start on a real node against kwok, side by side in one run: the same restricted web pods created in turn on
// each, create → Ready timed for every pod. Prints the node's Ready time after kubelet start, p50/p99 on each, and
// the ratio. Usage: npx tsx test/bench/real-node/pod-start.ts [--pods 10]
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { startControlPlane } from "../../../local-cluster/control-plane.js";
import { createFakeNodes } from "../../../local-cluster/fake-nodes.js";
import { buildUranusImages } from "../../../local-cluster/images/uranus-images.js";
import { REAL_NODE_LABEL } from "../../../local-cluster/real-node/real-node.js";
import { waitFor } from "../../../process/wait-for.js";
import { numericFlag } from "../numeric-flag.js";

const PODS = numericFlag("pods", 10);
const NAMESPACE = "default";

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const summary = (values: number[]): { p50: number; p99: number } => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)) };
};

const cp = await startControlPlane({ realNodes: 1 });
try {
  const real = cp.realNodes[0];
  if (real === undefined) throw new Error("no real node on this machine (see the control plane's reason)");
  await createFakeNodes(cp.kubeConfig, { names: ["kwok-0"] });
  const images = await buildUranusImages();
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  const pod = (name: string, nodeSelector: Record<string, string>): V1Pod => ({
    metadata: { name, namespace: NAMESPACE },
    spec: {
      nodeSelector,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: "Exists" }],
      containers: [
        {
          name: "web",
          image: images.web.reference,
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
        },
      ],
    },
  });
  const ready = async (name: string): Promise<true | undefined> => {
    const read = await core.readNamespacedPod({ name, namespace: NAMESPACE });
    return read.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true
      ? true
      : undefined;
  };
  const timings = { real: [] as number[], kwok: [] as number[] };
  // One pod at a time, alternating, so both see the same machine.
  for (let i = 0; i < PODS; i++) {
    for (const kind of ["real", "kwok"] as const) {
      const name = `${kind}-${i}`;
      const selector: Record<string, string> =
        kind === "real" ? { [REAL_NODE_LABEL]: "true" } : { "kubernetes.io/hostname": "kwok-0" };
      const t0 = performance.now();
      await core.createNamespacedPod({ namespace: NAMESPACE, body: pod(name, selector) });
      await waitFor(() => ready(name), { timeoutMs: 60_000, intervalMs: 20, description: `${name} Ready` });
      timings[kind].push(performance.now() - t0);
    }
  }
  const realMs = summary(timings.real);
  const kwokMs = summary(timings.kwok);
  const figures = {
    pods: PODS,
    nodeReadyAfterKubeletStartMs: Math.round(real.readyAfterKubeletStartMs),
    realPodStartMs: realMs,
    kwokPodStartMs: kwokMs,
    realToKwokP50: Number((realMs.p50 / kwokMs.p50).toFixed(2)),
  };
  console.log(JSON.stringify(figures, null, 2));
  console.log(
    `real node Ready ${figures.nodeReadyAfterKubeletStartMs} ms after kubelet start; pod create→Ready p50 ` +
      `${realMs.p50} ms real vs ${kwokMs.p50} ms kwok (×${figures.realToKwokP50}), p99 ${realMs.p99} vs ${kwokMs.p99} ms`,
  );
} finally {
  await cp.stop();
}
