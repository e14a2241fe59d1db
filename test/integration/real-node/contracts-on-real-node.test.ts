// Contracts on a real node: the operator and a solo chain over a control plane with a kubelet + containerd node. A
// contract's pod really serves through its Service (by ClusterIP from this machine, by DNS name from another pod),
// its CPU is held to its SCU, the chain records the usage the kubelet measured, a pay-for-use contract pays exactly
// that, a container killed in its pod restarts without a second of it billed twice, and the machine is as before.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { V1Pod, V1Service } from "@kubernetes/client-node";
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
import { POD, SERVICE } from "../../../kube-runtime/builtin-resources.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { binaryPath } from "../../../process/binaries.js";
import { run } from "../../../process/run-command.js";
import { waitFor } from "../../../process/wait-for.js";
import { applyContract, createWorld, type OperatorWorld } from "../operator/support/operator-world.js";
import { expectMachineAsBefore, snapshotHost, type HostSnapshot } from "./host-snapshot.js";

/** One SCU here: 200 millicores and 256 MiB, so a burner cannot take the machine's cores. */
const SCU_MILLICORES = 200;
const SCU_BYTES = 256 * 2 ** 20;
const PRICE = 1_000_000n;

type Pod = V1Pod & { metadata: { name: string } };

describe("contracts on a real node: served, held to their SCU, metered by what they use", function () {
  this.timeout(360_000);
  let machineBefore: HostSnapshot;
  let cp: ControlPlane;
  let world: OperatorWorld;
  let images: UranusImages;

  const kubectl = async (...args: string[]): Promise<string> => {
    const result = await run(binaryPath("kubectl"), ["--kubeconfig", cp.kubeconfigPath, ...args]);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  const podOf = async (contract: string): Promise<Pod | undefined> =>
    (
      await world.client.list<Pod>(POD, {
        namespace: world.namespace,
        labelSelector: `uranus.io/contract=${contract}`,
      })
    ).items[0];
  const readyPod = (contract: string): Promise<Pod> =>
    waitFor(
      async () => {
        const pod = await podOf(contract);
        const ready = pod?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
        return ready === true ? pod : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: `${contract}'s pod Ready on the real node` },
    );

  before(async () => {
    machineBefore = snapshotHost();
    images = await buildUranusImages();
    cp = await startControlPlane({ realNodes: 1 });
    const realNode = cp.realNodes[0]!.name;
    world = await createWorld({
      nodes: 0,
      adoptNodes: [realNode],
      nodePrice: PRICE,
      kube: {
        kubeconfigPath: cp.kubeconfigPath,
        kubeConfig: cp.kubeConfig,
        controlPlane: cp,
        kubectl: (args, input) =>
          run(binaryPath("kubectl"), ["--kubeconfig", cp.kubeconfigPath, ...args], input),
      },
      chain: { params: { poc: { scuCpuMillicores: SCU_MILLICORES, scuMemoryBytes: SCU_BYTES } } },
    });
    await world.startOperator();
  });

  after(async () => {
    // Repeatable: the last test stops both already; here for a suite cut short.
    await (world as OperatorWorld | undefined)?.stop().catch(() => undefined);
    await (cp as ControlPlane | undefined)?.stop();
  });

  it("serves a contract's page through its Service, by ClusterIP here and by DNS name from another pod", async () => {
    await applyContract(world, {
      name: "web",
      image: images.web.reference,
      ports: [{ name: "http", containerPort: WEB_PORT, protocol: "TCP" }],
      billing: "Used",
    });
    const pod = await readyPod("web");
    expect(pod.spec!.nodeName).to.equal(cp.realNodes[0]!.name);
    // Restricted: not root, no capabilities, no escalation; and the process really runs as the image's user.
    expect(pod.spec!.securityContext?.runAsNonRoot).to.equal(true);
    const container = pod.spec!.containers[0]!;
    expect(container.securityContext?.allowPrivilegeEscalation).to.equal(false);
    expect(container.securityContext?.capabilities?.drop).to.deep.equal(["ALL"]);
    const httpd = execFileSync("pgrep", ["-f", `httpd -f -p ${WEB_PORT}`], { encoding: "utf8" }).trim();
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${httpd.split("\n")[0]}/status`, "utf8"))![1];
    expect(Number(uid)).to.equal(NON_ROOT_UID);

    const service = await world.client.get<V1Service & { metadata: { name: string } }>(SERVICE, {
      namespace: world.namespace,
      name: "web",
    });
    const url = `http://${service.spec!.clusterIP}:${WEB_PORT}/`;
    const page = await waitFor(
      async () =>
        fetch(url, { signal: AbortSignal.timeout(2_000) })
          .then(async (r) => (r.ok ? r.text() : undefined))
          .catch(() => undefined),
      { timeoutMs: 60_000, intervalMs: 500, description: `the Service answering at ${url}` },
    );
    expect(page).to.equal(WEB_PAGE);

    await world.client.create(POD, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "client", namespace: world.namespace },
      spec: {
        nodeSelector: { [REAL_NODE_LABEL]: "true" },
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: "client",
            image: images.burner.reference,
            command: ["/bin/busybox", "sleep", "3600"],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          },
        ],
      },
    } as KubeObject);
    await waitFor(
      async () => {
        const client = await world.client.get<Pod>(POD, { namespace: world.namespace, name: "client" });
        return client.status?.phase === "Running" ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: "the client pod running" },
    );
    for (const name of [`web.${world.namespace}.svc`, `web.${world.namespace}.svc.cluster.local`]) {
      const fetched = await waitFor(
        async () =>
          kubectl(
            // busybox 1.35's wget crashes with -T: timeout bounds it instead.
            ...["exec", "-n", world.namespace, "client", "--", "/bin/busybox", "timeout", "5"],
            ...["/bin/busybox", "wget", "-qO-"],
            `http://${name}:${WEB_PORT}/`,
          ).catch(() => undefined),
        { timeoutMs: 60_000, intervalMs: 1_000, description: `${name} from another pod` },
      );
      expect(fetched).to.equal(WEB_PAGE);
    }
    // Cluster names only: nothing outside resolves.
    const outside = await run(binaryPath("kubectl"), [
      ...["--kubeconfig", cp.kubeconfigPath, "exec", "-n", world.namespace, "client", "--"],
      ...["/bin/busybox", "nslookup", "example.com"],
    ]);
    expect(outside.code).to.not.equal(0);
  });

  it("holds a burner to its SCU, and records the usage the kubelet measured, no more than reserved", async () => {
    await applyContract(world, { name: "burner", image: images.burner.reference, billing: "Used" });
    const pod = await readyPod("burner");
    const limit = pod.spec!.containers[0]!.resources!.limits!.cpu;
    expect(limit).to.equal(`${SCU_MILLICORES}m`);
    const settled = await waitFor(
      async () => {
        const s = await world.chain.client.metering.settlement(pod.metadata.uid!);
        return s !== undefined && s.measuredSeconds >= 20 ? s : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 1_000, description: "20 measured seconds of the burner on chain" },
    );
    const reservedMilliScuSeconds = settled.seconds * 1000;
    expect(Number(settled.cpuMilliSeconds)).to.be.greaterThan(0);
    expect(Number(settled.memoryByteSeconds)).to.be.greaterThan(0);
    expect(Number(settled.billedMilliScuSeconds)).to.be.at.most(reservedMilliScuSeconds);
    // The limit held: on average over the measured seconds, at most the SCU's millicores (and a little jitter).
    const meanMillicores = Number(settled.cpuMilliSeconds) / settled.measuredSeconds;
    expect(meanMillicores).to.be.greaterThan(SCU_MILLICORES / 2);
    expect(meanMillicores).to.be.at.most(SCU_MILLICORES * 1.1);
    await world.client.delete(
      {
        apiVersion: "uranus.io/v1alpha1",
        kind: "ComputeContract",
        plural: "computecontracts",
        namespaced: true,
      },
      { namespace: world.namespace, name: "burner" },
    );
  });

  it("pays for what the web pod used, exactly; a killed container restarts and no second is billed twice", async () => {
    const pod = await readyPod("web");
    const uid = pod.metadata.uid!;
    const contractId = (await world.chain.client.market.contract(await contractIdOf(world, "web")))!.id;
    const httpd = execFileSync("pgrep", ["-f", `httpd -f -p ${WEB_PORT}`], { encoding: "utf8" }).trim();
    execFileSync("kill", ["-9", httpd.split("\n")[0]!]);
    await waitFor(
      async () => {
        const now = await podOf("web");
        const restarted = now?.status?.containerStatuses?.[0]?.restartCount ?? 0;
        return restarted >= 1 && now?.metadata.uid === uid ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: "the web container restarted in the same pod" },
    );
    const billedBefore = (await world.chain.client.metering.settlement(uid))!.billedTo;
    const settled = await waitFor(
      async () => {
        const s = await world.chain.client.metering.settlement(uid);
        return s !== undefined && s.billedTo > billedBefore + 3 && s.measuredSeconds > 0 ? s : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000, description: "the web pod metered on after the restart" },
    );
    // One lease for the pod all along, and never a second billed twice.
    expect(settled.seconds).to.be.at.most(settled.billedTo - settled.firstFrom);
    const lease = await world.chain.client.market.lease(uid);
    expect(lease!.endedAt).to.equal(0);
    // Pay-for-use: an idle web server uses a sliver of its SCU, and the escrow paid exactly that.
    expect(Number(settled.billedMilliScuSeconds)).to.be.lessThan(settled.seconds * 1000);
    expect(settled.charged + settled.unpaid).to.equal((PRICE * settled.billedMilliScuSeconds) / 3_600_000n);
    const contract = (await world.chain.client.market.contract(contractId))!;
    expect(contract.spent).to.equal(settled.charged);
  });

  it("leaves the machine as it was", async () => {
    await world.stop();
    await cp.stop();
    expectMachineAsBefore(machineBefore);
  });
});

async function contractIdOf(world: OperatorWorld, name: string): Promise<string> {
  const cc = await world.client.get<KubeObject & { status?: { contractId?: string } }>(
    {
      apiVersion: "uranus.io/v1alpha1",
      kind: "ComputeContract",
      plural: "computecontracts",
      namespaced: true,
    },
    { namespace: world.namespace, name },
  );
  return cc.status!.contractId!;
}
