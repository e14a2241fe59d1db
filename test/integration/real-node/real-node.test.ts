import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { startControlPlane, type ControlPlane } from "../../../local-cluster/control-plane.js";
import {
  buildUranusImages,
  NON_ROOT_UID,
  WEB_PAGE,
  WEB_PORT,
  type UranusImages,
} from "../../../local-cluster/images/uranus-images.js";
import { REAL_NODE_LABEL } from "../../../local-cluster/real-node/real-node.js";
import { binaryPath } from "../../../process/binaries.js";
import { run } from "../../../process/run-command.js";
import { waitFor } from "../../../process/wait-for.js";
import { expectMachineAsBefore, snapshotHost, type HostSnapshot } from "./host-snapshot.js";

interface CpuSample {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}

interface Summary {
  pods: {
    podRef: { name: string; namespace: string };
    cpu?: CpuSample;
    containers?: { name: string; cpu?: CpuSample }[];
  }[];
}

const NAMESPACE = "real-node";

describe("a real node: containerd and a kubelet running real containers beside the kwok nodes", function () {
  this.timeout(240_000);
  let machineBefore: HostSnapshot;
  let cp: ControlPlane;
  const started: ControlPlane[] = [];
  let images: UranusImages;
  let core: CoreV1Api;

  const kubectl = async (...args: string[]): Promise<string> => {
    const result = await run(binaryPath("kubectl"), ["--kubeconfig", cp.kubeconfigPath, ...args]);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  const summary = async (): Promise<Summary> =>
    JSON.parse(
      await kubectl("get", "--raw", `/api/v1/nodes/${cp.realNodes[0]!.name}/proxy/stats/summary`),
    ) as Summary;
  const restrictedPod = (name: string, image: string, cpuLimit?: string): V1Pod => ({
    metadata: { name, namespace: NAMESPACE },
    spec: {
      nodeSelector: { [REAL_NODE_LABEL]: "true" },
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name,
          image,
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          ...(image === images.web.reference
            ? { readinessProbe: { httpGet: { path: "/", port: WEB_PORT }, periodSeconds: 1 } }
            : {}),
          ...(cpuLimit === undefined
            ? {}
            : { resources: { limits: { cpu: cpuLimit }, requests: { cpu: cpuLimit } } }),
        },
      ],
    },
  });
  const readyPod = (name: string): Promise<V1Pod> =>
    waitFor(
      async () => {
        const pod = await core.readNamespacedPod({ name, namespace: NAMESPACE });
        return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")
          ? pod
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50, description: `pod ${name} Ready` },
    );

  before(async () => {
    machineBefore = snapshotHost();
    images = await buildUranusImages();
    cp = await startControlPlane({ realNodes: 1 });
    started.push(cp);
    core = cp.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  });

  after(async () => {
    for (const plane of started) await plane.stop();
  });

  it("registers a Ready node, labelled real, with this machine's capacity", async () => {
    expect(cp.realNodes, "the machine can run a real node").to.have.length(1);
    const [realNode] = cp.realNodes;
    console.log(`      node Ready ${realNode!.readyAfterKubeletStartMs.toFixed(0)} ms after kubelet start`);
    const node = await core.readNode({ name: realNode!.name });
    expect(node.metadata?.labels?.[REAL_NODE_LABEL]).to.equal("true");
    expect(node.status?.addresses).to.deep.include({ type: "InternalIP", address: realNode!.nodeIp });
    expect(Number(node.status?.capacity?.cpu)).to.be.at.least(1);
    expect(node.status?.nodeInfo?.containerRuntimeVersion).to.match(/^containerd:\/\//);
  });

  it("runs restricted web pods as non-root that become Ready and answer HTTP on their pod IPs from the host", async () => {
    const startMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await core.createNamespacedPod({
        namespace: NAMESPACE,
        body: restrictedPod(`web-${i}`, images.web.reference),
      });
      const pod = await readyPod(`web-${i}`);
      startMs.push(performance.now() - t0);
      const response = await fetch(`http://${pod.status!.podIP!}:${WEB_PORT}/`, {
        signal: AbortSignal.timeout(5000),
      });
      expect(await response.text()).to.equal(WEB_PAGE);
      expect(pod.status!.podIP).to.match(/^10\.247\./);
    }
    const sorted = [...startMs].sort((a, b) => a - b);
    console.log(
      `      pod start (create → Ready) p50 ${sorted[2]!.toFixed(0)} ms, max ${sorted[4]!.toFixed(0)} ms`,
    );
    expect(
      (await kubectl("exec", "-n", NAMESPACE, "web-0", "--", "/bin/busybox", "id", "-u")).trim(),
    ).to.equal(String(NON_ROOT_UID));
  });

  it("reports the web pod's real CPU in /stats/summary through the apiserver's node proxy", async () => {
    const usage = await waitFor(
      async () => {
        await fetch(`http://${(await readyPod("web-0")).status!.podIP!}:${WEB_PORT}/`).then((r) => r.text());
        const pod = (await summary()).pods.find((p) => p.podRef.name === "web-0");
        const cpu = pod?.cpu;
        return (cpu?.usageNanoCores ?? 0) > 0 && (cpu?.usageCoreNanoSeconds ?? 0) > 0 ? cpu : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000, description: "web-0's CPU usage in /stats/summary" },
    );
    expect(usage.usageCoreNanoSeconds).to.be.greaterThan(0);
  });

  it("holds a CPU burner with a 200m limit to about 200 millicores", async () => {
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: restrictedPod("burner", images.burner.reference, "200m"),
    });
    await readyPod("burner");
    const sample = async (): Promise<CpuSample | undefined> =>
      (await summary()).pods.find((p) => p.podRef.name === "burner")?.containers?.[0]?.cpu;
    const first = await waitFor(
      async () => (((await sample())?.usageCoreNanoSeconds ?? 0) > 0 ? sample() : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 1000,
        description: "the burner's first CPU sample",
      },
    );
    const second = await waitFor(
      async () => {
        const next = await sample();
        return next !== undefined && Date.parse(next.time) - Date.parse(first.time) >= 10_000
          ? next
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000, description: "a CPU sample 10 s after the first" },
    );
    const seconds = (Date.parse(second.time) - Date.parse(first.time)) / 1000;
    const milliCores = (second.usageCoreNanoSeconds! - first.usageCoreNanoSeconds!) / 1e6 / seconds;
    console.log(`      burner with a 200m limit used ${milliCores.toFixed(0)} millicores over ${seconds} s`);
    expect(milliCores).to.be.within(100, 220);
  });

  it("leaves the machine as it was once stopped, and a second stop does nothing", async () => {
    const [realNode] = cp.realNodes;
    await cp.stop();
    await realNode!.stop();
    expectMachineAsBefore(machineBefore);
  });
});
