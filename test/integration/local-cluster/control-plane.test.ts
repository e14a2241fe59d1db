import { existsSync } from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { expect } from "chai";
import { readVersions } from "../../../process/binaries.js";
import { startControlPlane } from "../../../local-cluster/control-plane.js";
import { createFakeNodes } from "../../../local-cluster/fake-nodes.js";
import { waitFor } from "../../../process/wait-for.js";
import { sharedControlPlane } from "../../support/control-plane.js";
import { pidAlive, portOpen } from "../../support/process-probes.js";

describe("local control plane (real etcd, kube-apiserver, controller manager, scheduler, kwok)", function () {
  this.timeout(120_000);

  it("serves the pinned Kubernetes version", async () => {
    const { kubectl } = await sharedControlPlane();
    const result = await kubectl(["version", "-o", "json"]);
    expect(result.code, result.stderr).to.equal(0);
    const version = JSON.parse(result.stdout) as { serverVersion: { gitVersion: string } };
    expect(version.serverVersion.gitVersion).to.equal(readVersions().KUBERNETES_VERSION);
  });

  it("schedules a plain pod onto a kwok node and it reaches Running", async () => {
    const kubeConfig = (await sharedControlPlane()).kubeConfig;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const [node] = await createFakeNodes(kubeConfig, {
      count: 1,
      namePrefix: "plain-pod-node",
      labels: () => ({ "uranus.io/region": "test" }),
    });
    await core.createNamespace({ body: { metadata: { name: "plain-pod" } } });
    await core.createNamespacedPod({
      namespace: "plain-pod",
      body: {
        metadata: { name: "hello" },
        spec: {
          nodeSelector: { "kubernetes.io/hostname": node! },
          containers: [{ name: "hello", image: "busybox" }],
        },
      },
    });
    const pod = await waitFor(
      async () => {
        const current = await core.readNamespacedPod({ name: "hello", namespace: "plain-pod" });
        return current.status?.phase === "Running" ? current : undefined;
      },
      { timeoutMs: 60_000, description: "pod hello Running" },
    );
    expect(pod.spec?.nodeName).to.equal(node);
    expect(pod.status?.podIP).to.be.a("string").and.not.empty;
  });

  it("stops every process it started and leaves no port or directory behind", async () => {
    const cp = await startControlPlane();
    const pids = cp.processes.map((p) => p.pid);
    expect(pids).to.have.length(5);
    for (const pid of pids) expect(pidAlive(pid), `pid ${pid} alive before stop`).to.equal(true);
    const open = await Promise.all(cp.ports.map(portOpen));
    expect(open.every(Boolean), "listening before stop").to.equal(true);

    await cp.stop();

    for (const pid of pids) expect(pidAlive(pid), `pid ${pid} alive after stop`).to.equal(false);
    const stillOpen = await Promise.all(cp.ports.map(portOpen));
    expect(stillOpen.some(Boolean), `ports ${cp.ports.join(",")} still open`).to.equal(false);
    expect(existsSync(cp.dir)).to.equal(false);
  });
});
