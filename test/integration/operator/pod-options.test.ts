// What a contract's pods get besides their container, through the real operator and control plane: one Service per
// contract balancing its ready replicas, tolerations that reach nodes a contributor reserved with a taint, and
// image pull Secrets of the contract's own namespace.
import { expect } from "chai";
import type { V1Pod, V1Service } from "@kubernetes/client-node";
import { LABEL } from "../../../crds/types.js";
import { waitFor } from "../../../process/wait-for.js";
import { NODE, POD, SECRET, SERVICE } from "../../../kube-runtime/builtin-resources.js";
import type { KubeObject, ResourceType } from "../../../kube-runtime/resource.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { applyContract, operatorSuite, type OperatorWorld } from "./support/operator-world.js";

type Pod = V1Pod & { metadata: NonNullable<V1Pod["metadata"]> };
type Service = V1Service & KubeObject;
interface EndpointSlice extends KubeObject {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name?: string } }[];
}

const ENDPOINT_SLICE: ResourceType = {
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  plural: "endpointslices",
  namespaced: true,
};
const RESERVED = { key: "uranus.io/reserved", value: "gpu", effect: "NoSchedule" } as const;

async function runningPods(world: OperatorWorld, contract: string, count: number): Promise<Pod[]> {
  return waitFor(
    async () => {
      const list = await world.client.list<Pod>(POD, {
        namespace: world.namespace,
        labelSelector: `${LABEL.contract}=${contract}`,
      });
      const running = list.items.filter(
        (pod) => pod.metadata.deletionTimestamp === undefined && pod.status?.phase === "Running",
      );
      return running.length === count ? running : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: `${count} pod(s) of ${contract} running` },
  );
}

async function services(world: OperatorWorld): Promise<Service[]> {
  return (await world.client.list<Service>(SERVICE, { namespace: world.namespace })).items;
}

describe("operator: a contract's Service, tolerations and image pull Secrets", function () {
  const suite = operatorSuite(this, { nodes: 3, timeoutMs: 240_000 });
  let world: OperatorWorld;
  before(() => ({ world } = suite));

  it("serves all ready replicas through one Service named after the contract, removed with it", async () => {
    const cc = await applyContract(world, {
      name: "web",
      replicas: 3,
      ports: [{ name: "http", containerPort: 8080 }],
    });
    const pods = await runningPods(world, "web", 3);
    const [service, ...others] = await services(world);
    expect(others, "no Service per replica").to.have.length(0);
    expect(service!.metadata.name).to.equal("web");
    expect(service!.spec?.selector).to.deep.equal({ [LABEL.contract]: "web" });
    expect(service!.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).to.deep.equal([
      ["http", 8080, 8080],
    ]);
    expect(service!.metadata.ownerReferences?.[0]?.uid).to.equal(cc.metadata.uid);
    // kube-controller-manager's EndpointSlice controller lists each ready replica behind the one Service.
    const slices = await waitFor(
      async () => {
        const list = await world.client.list<EndpointSlice>(ENDPOINT_SLICE, {
          namespace: world.namespace,
          labelSelector: "kubernetes.io/service-name=web",
        });
        const ready = list.items
          .flatMap((s) => s.endpoints ?? [])
          .filter((e) => e.conditions?.ready === true);
        return ready.length === 3 ? ready : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "3 ready endpoints behind Service web" },
    );
    expect(slices.map((e) => e.targetRef?.name).sort()).to.deep.equal(
      pods.map((p) => p.metadata.name).sort(),
    );

    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "web" });
    await waitFor(async () => ((await services(world)).length === 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: "Service web removed with its contract",
    });
  });

  it("removes the Service when the template stops declaring ports, and leaves a contract that never had any without one", async () => {
    await applyContract(world, { name: "portless" });
    await applyContract(world, { name: "api", ports: [{ name: "http", containerPort: 8080 }] });
    await runningPods(world, "portless", 1);
    await waitFor(
      async () => ((await services(world)).some((s) => s.metadata.name === "api") ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: "Service api",
      },
    );
    await world.client.mergePatch(
      COMPUTE_CONTRACT,
      { namespace: world.namespace, name: "api" },
      { spec: { template: { spec: { ports: null } } } },
    );
    await waitFor(async () => ((await services(world)).length === 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: "Service api removed once its template has no ports",
    });
    for (const name of ["portless", "api"])
      await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name });
  });

  it("runs on a node reserved with a taint only with the toleration for it", async () => {
    const reserved = world.nodeNames[0]!;
    const onReserved = { key: "kubernetes.io/hostname", value: reserved };
    await world.client.mergePatch(NODE, { name: reserved }, { spec: { taints: [RESERVED] } });
    try {
      await applyContract(world, { name: "untolerated", requireLabel: onReserved });
      await applyContract(world, {
        name: "tolerated",
        requireLabel: onReserved,
        tolerations: [{ key: RESERVED.key, operator: "Equal", value: RESERVED.value, effect: "NoSchedule" }],
      });
      const [pod] = await runningPods(world, "tolerated", 1);
      expect(pod!.spec?.nodeName).to.equal(reserved);
      // The scheduler says why the other stays Pending: the node's taint.
      const note = await waitFor(
        async () => {
          const events = await world.client.list<
            KubeObject & { reason?: string; message?: string; note?: string }
          >(
            { apiVersion: "v1", kind: "Event", plural: "events", namespaced: true },
            { namespace: world.namespace, fieldSelector: "reason=FailedScheduling" },
          );
          return events.items.map((e) => e.message ?? "").find((m) => m.includes("untolerated taint"));
        },
        { timeoutMs: 30_000, intervalMs: 250, description: "FailedScheduling naming the untolerated taint" },
      );
      expect(note).to.include(RESERVED.key);
      const untolerated = await world.client.list<Pod>(POD, {
        namespace: world.namespace,
        labelSelector: `${LABEL.contract}=untolerated`,
      });
      expect(untolerated.items.map((p) => p.spec?.nodeName)).to.deep.equal([undefined]);
    } finally {
      await world.client.mergePatch(NODE, { name: reserved }, { spec: { taints: null } });
      for (const name of ["untolerated", "tolerated"])
        await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name });
    }
  });

  it("pulls with Secrets of the contract's namespace, copying none", async () => {
    // Every Secret in the cluster by namespace and name; others' namespaces may be going away meanwhile.
    const secrets = async () =>
      (await world.client.list<KubeObject>(SECRET, {})).items.map(
        (s) => `${s.metadata.namespace}/${s.metadata.name}`,
      );
    const secretsBefore = await secrets();
    await applyContract(world, { name: "private", imagePullSecrets: ["registry-login"] });
    const [pod] = await runningPods(world, "private", 1);
    expect(pod!.metadata.namespace).to.equal(world.namespace);
    expect(pod!.spec?.imagePullSecrets).to.deep.equal([{ name: "registry-login" }]);
    const created = (await secrets()).filter((secret) => !secretsBefore.includes(secret));
    expect(created, "Secrets that appeared while the contract ran").to.deep.equal([]);
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "private" });
  });
});
