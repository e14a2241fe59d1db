// Federation through the chain alone: a home cluster's ComputeContract with placement.clusters Others runs in
// another member cluster (its own control plane and operator) that the chain assigned, the home object mirrors
// it, and when that cluster dies the chain reassigns the order to the next one.
import { expect } from "chai";
import type { V1Namespace, V1Pod, V1Service } from "@kubernetes/client-node";
import {
  ENDPOINT_SLICE,
  NAMESPACE,
  NETWORK_POLICY,
  POD,
  RESOURCE_QUOTA,
  SECRET,
  SERVICE,
} from "../../../kube-runtime/builtin-resources.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import type { ComputeContract } from "../../../crds/types.js";
import { waitFor } from "../../../process/wait-for.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { copyName, ORDER_LABEL } from "../../../operator/federation/order-workload.js";
import { ChainTxError } from "../../../chain-sidecar/client/chain-errors.js";
import { ReportOrderMsg } from "../../../chain-sidecar/modules/federation/federation-types.js";
import { ResultCode } from "../../../chain-sidecar/tx/tx-types.js";
import { expectInNoBlock } from "../../support/block-scan.js";
import { federationSuite } from "./support/federation-suite.js";

const TOKEN = "s3cret-token-7b1e";

describe("federation: contracts run in other member clusters, through the chain only", function () {
  const fed = federationSuite(this, {
    names: ["east", "west", "north"],
    startWith: ["east"],
    timeoutMs: 300_000,
  });
  const { members, gone } = fed;

  it("runs a contract placed on Others in the assigned member cluster and mirrors it at home", async () => {
    const { world, reader } = fed;
    const manifest = fed.remoteContract({
      name: "remote-web",
      ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
    });
    manifest.spec.template.spec.env = [
      { name: "MODE", value: "public" },
      { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "api-token", key: "token" } } },
    ];
    await world.client.create(SECRET, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "api-token", namespace: world.namespace },
      data: { token: Buffer.from(TOKEN).toString("base64") },
    } as KubeObject);
    await world.client.create(COMPUTE_CONTRACT, manifest);

    const status = await waitFor(
      async () => {
        const s = await fed.homeStatus("remote-web");
        return s?.phase === "Running" && s.readyReplicas === 1 ? s : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 300, description: "the home contract mirrored Running with 1 ready" },
    );
    expect(status.placement?.cluster).to.equal("member-east");
    const contractId = status.contractId!;
    const east = members[0]!;
    // Reached on the member's declared host, at the node port of its copy's Service, through an ingress policy.
    const copyService = await east.client.get<V1Service & { metadata: { name: string } }>(SERVICE, {
      namespace: "uranus-from-home",
      name: copyName(contractId),
    });
    expect(copyService.spec!.type).to.equal("NodePort");
    const nodePort = copyService.spec!.ports![0]!.nodePort!;
    expect(status.placement?.endpoints).to.deep.equal([`member-east.example:${nodePort}`]);
    await east.client.get(NETWORK_POLICY, {
      namespace: "uranus-from-home",
      name: `${copyName(contractId)}-ingress`,
    });
    // At home, the contract's Service keeps its name and has no selector; its slice points at the member.
    const homeService = await world.client.get<V1Service & { metadata: { name: string } }>(SERVICE, {
      namespace: world.namespace,
      name: "remote-web",
    });
    expect(homeService.spec!.selector).to.equal(undefined);
    const slice = await waitFor(
      async () => {
        const found = await world.client
          .get<KubeObject & { endpoints?: { addresses: string[] }[]; ports?: { port: number }[] }>(
            ENDPOINT_SLICE,
            { namespace: world.namespace, name: "remote-web-fqdn" },
          )
          .catch(() => undefined);
        return found?.endpoints?.length === 1 ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300, description: "the home Service's slice lists the member" },
    );
    expect(slice.metadata.labels?.["kubernetes.io/service-name"]).to.equal("remote-web");
    expect(slice.endpoints![0]!.addresses).to.deep.equal(["member-east.example"]);
    expect(slice.ports!.map((p) => p.port)).to.deep.equal([nodePort]);
    // Nothing of it runs at home.
    const homePods = await world.client.list<V1Pod & { metadata: { name: string } }>(POD, {
      namespace: world.namespace,
    });
    expect(homePods.items).to.have.length(0);

    // The chain handed the contract to the member's operator, which recorded the lease.
    const contract = await reader.market.contract(contractId);
    expect(contract!.operator).to.equal(east.operatorKey.address.toLowerCase());
    expect(contract!.activeLeases).to.equal(1);

    // The member runs it in the home cluster's own namespace: restricted, default-deny, under a quota.
    const ns = await east.client.get<V1Namespace & { metadata: object }>(NAMESPACE, {
      name: "uranus-from-home",
    });
    expect(ns.metadata.labels?.["pod-security.kubernetes.io/enforce"]).to.equal("restricted");
    await east.client.get(NETWORK_POLICY, { namespace: "uranus-from-home", name: "uranus-default-deny" });
    await east.client.get(RESOURCE_QUOTA, { namespace: "uranus-from-home", name: "uranus-orders" });
    const pods = await east.client.list<V1Pod & { metadata: { name: string } }>(POD, {
      namespace: "uranus-from-home",
    });
    expect(pods.items.map((p) => p.status?.phase)).to.deep.equal(["Running"]);
    const container = pods.items[0]!.spec!.containers[0]!;
    expect(container.image).to.equal("registry.example/worker:1.0");
    // The Secret-backed value arrived sealed to the member's key and was opened into a Secret there.
    expect(container.env).to.deep.include({
      name: "API_TOKEN",
      valueFrom: { secretKeyRef: { name: `order-${contractId}-env`, key: "API_TOKEN" } },
    });
    const opened = await east.client.get<KubeObject & { data?: Record<string, string> }>(SECRET, {
      namespace: "uranus-from-home",
      name: `order-${contractId}-env`,
    });
    expect(Buffer.from(opened.data!.API_TOKEN!, "base64").toString()).to.equal(TOKEN);
    // ...and never appears in any block, in any encoding a tx could carry it.
    const order = await reader.federation.order(contractId);
    expect(order!.sealed).to.match(/^0x[0-9a-f]+$/);
    const txs = await expectInNoBlock(world.chain.client, TOKEN);
    expect(txs).to.be.greaterThan(0);

    // kubectl scale at home resizes the contract on chain; the member's copy follows.
    await world.client.mergePatch(
      COMPUTE_CONTRACT,
      { namespace: world.namespace, name: "remote-web" },
      { spec: { replicas: 2 } },
    );
    await waitFor(
      async () => ((await fed.homeStatus("remote-web"))?.readyReplicas === 2 ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 300,
        description: "two replicas ready in the member, mirrored home",
      },
    );
    expect((await reader.market.contract(contractId))!.replicas).to.equal(2);
    const scaled = await east.client.list<V1Pod & { metadata: { name: string } }>(POD, {
      namespace: "uranus-from-home",
    });
    expect(scaled.items.filter((p) => p.status?.phase === "Running")).to.have.length(2);

    // Deleting it at home closes the contract; the member removes its copy.
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "remote-web" });
    await waitFor(
      async () => ((await reader.market.contract(contractId))?.state === "closed" ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 300, description: "the contract closed on chain" },
    );
    await waitFor(
      async () =>
        (await east.client.list(COMPUTE_CONTRACT, { namespace: "uranus-from-home" })).items.length === 0
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 300, description: "the member's copy removed" },
    );
  });

  it("moves the order to another member when the one running it dies, fencing the dead one", async () => {
    const { world, reader } = fed;
    await fed.addMember("west");
    await world.client.create(COMPUTE_CONTRACT, fed.remoteContract({ name: "survivor" }));
    const first = await waitFor(
      async () => {
        const s = await fed.homeStatus("survivor");
        return s?.phase === "Running" && s.readyReplicas === 1 ? s : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 300, description: "survivor running in a member cluster" },
    );
    const dead = members.find((m) => m.clusterId === first.placement!.cluster)!;
    const alive = members.find((m) => m !== dead)!;
    await dead.stop();
    gone.add(dead);

    const moved = await waitFor(
      async () => {
        const s = await fed.homeStatus("survivor");
        return s?.placement?.cluster === alive.clusterId && s.readyReplicas === 1 ? s : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 300, description: `survivor running again in ${alive.clusterId}` },
    );
    expect(moved.placement!.epoch).to.be.greaterThan(first.placement!.epoch!);
    expect(moved.placement!.previousClusters).to.deep.equal([dead.clusterId]);
    const cluster = await reader.federation.cluster(dead.clusterId);
    expect(cluster!.online).to.equal(false);
    expect(cluster!.failovers).to.equal(1);
    const contract = await reader.market.contract(moved.contractId!);
    expect(contract!.operator).to.equal(alive.operatorKey.address.toLowerCase());
    expect(contract!.activeLeases).to.equal(1);
  });

  it("a member that comes back after its order moved removes its stale copy; the chain refuses its old epoch", async () => {
    const { world, reader } = fed;
    await fed.addMember("north");
    await world.client.create(COMPUTE_CONTRACT, fed.remoteContract({ name: "returning" }));
    const first = await waitFor(
      async () => {
        const s = await fed.homeStatus("returning");
        return s?.phase === "Running" && s.readyReplicas === 1 ? s : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 300, description: "returning running in a member cluster" },
    );
    const away = members.find((m) => m.clusterId === first.placement!.cluster)!;
    const other = members.find((m) => m !== away && !gone.has(m))!;
    const copies = async (): Promise<number> =>
      (
        await away.client.list(COMPUTE_CONTRACT, {
          namespace: "uranus-from-home",
          labelSelector: `${ORDER_LABEL}=${first.contractId}`,
        })
      ).items.length;
    expect(await copies()).to.equal(1);
    // Only its operator stops: its apiserver, copy and pod stay, as after a network partition.
    await away.stopOperator();
    await waitFor(
      async () => {
        const s = await fed.homeStatus("returning");
        return s?.placement?.cluster === other.clusterId && s.readyReplicas === 1 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 300, description: `returning moved to ${other.clusterId}` },
    );
    expect(await copies()).to.equal(1);

    await away.startOperator();
    await waitFor(async () => ((await copies()) === 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 300,
      description: `${away.clusterId} removed its stale copy`,
    }).catch(async (error: unknown) => {
      // This wait has timed out under CI load only; say where the copy stood, so the next failure explains itself.
      const left = await away.client.list<ComputeContract>(COMPUTE_CONTRACT, {
        namespace: "uranus-from-home",
        labelSelector: `${ORDER_LABEL}=${first.contractId}`,
      });
      const state = left.items.map((cc) => ({
        deleting: cc.metadata.deletionTimestamp,
        finalizers: cc.metadata.finalizers,
        status: cc.status,
      }));
      const pods = (await away.client.list(POD, { namespace: "uranus-from-home" })).items.map((p) => ({
        name: p.metadata.name,
        deleting: p.metadata.deletionTimestamp,
        finalizers: p.metadata.finalizers,
        annotations: p.metadata.annotations,
      }));
      throw new Error(
        `${(error as Error).message}; the copy: ${JSON.stringify(state)}; its namespace's pods: ${JSON.stringify(pods)}`,
      );
    });
    await waitFor(
      async () => {
        const pods = await away.client.list(POD, { namespace: "uranus-from-home" });
        return pods.items.every(
          (p) => p.metadata.labels?.["uranus.io/contract"] !== copyName(first.contractId!),
        )
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300, description: "the stale copy's pod gone" },
    );
    const cluster = await reader.federation.cluster(away.clusterId);
    expect(cluster!.online).to.equal(true);
    const order = await reader.federation.order(first.contractId!);
    expect(order!.assignedCluster).to.equal(other.clusterId);
    expect(order!.epoch).to.be.greaterThan(first.placement!.epoch!);
    // A report for the epoch it lost is refused, whoever sends it (the operator stopped, so no nonce races this one).
    await away.stopOperator();
    const refused = await world.chain.client
      .submit(away.operatorKey, ReportOrderMsg, {
        contractId: first.contractId!,
        epoch: BigInt(first.placement!.epoch!),
        phase: "Running",
        readyReplicas: 1n,
        endpoints: [],
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).to.be.instanceOf(ChainTxError);
    expect((refused as ChainTxError).code).to.equal(ResultCode.STALE_EPOCH);
  });
});
