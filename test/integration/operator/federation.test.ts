// Federation through the chain alone: a home cluster's ComputeContract with placement.clusters Others runs in
// another member cluster (its own control plane and operator) that the chain assigned, the home object mirrors
// it, and when that cluster dies the chain reassigns the order to the next one.
import { expect } from "chai";
import type { V1Namespace, V1Pod } from "@kubernetes/client-node";
import type { ComputeContract } from "../../../crds/types.js";
import {
  NAMESPACE,
  NETWORK_POLICY,
  POD,
  RESOURCE_QUOTA,
  SECRET,
} from "../../../kube-runtime/builtin-resources.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { waitFor } from "../../../process/wait-for.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { ChainReader } from "../../../operator/chain/chain-reader.js";
import {
  contractManifest,
  createWorld,
  describeEvents,
  readContract,
  waitForContributors,
  type OperatorWorld,
} from "./support/operator-world.js";
import { FAST_PARAMS } from "./support/solo-chain.js";
import { copyName, ORDER_LABEL } from "../../../operator/federation/order-workload.js";
import { ChainTxError } from "../../../chain-sidecar/client/chain-errors.js";
import {
  ClusterHeartbeatMsg,
  RegisterClusterMsg,
  ReportOrderMsg,
} from "../../../chain-sidecar/modules/federation/federation-types.js";
import { RecordLeaseMsg } from "../../../chain-sidecar/modules/market/market-types.js";
import { MeteringBatchMsg, meteringRoot } from "../../../chain-sidecar/modules/metering/metering-types.js";
import { ResultCode } from "../../../chain-sidecar/tx/tx-types.js";
import { memberKeys, startMemberCluster, type MemberCluster } from "../../support/member-cluster.js";

const HOME = "home";
const TOKEN = "s3cret-token-7b1e";

describe("federation: contracts run in other member clusters, through the chain only", function () {
  this.timeout(300_000);
  let world: OperatorWorld;
  let reader: ChainReader;
  const members: MemberCluster[] = [];
  /** Members a test stopped for good. */
  const gone = new Set<MemberCluster>();
  const keys = { east: memberKeys(), west: memberKeys(), north: memberKeys(), hostile: memberKeys() };

  before(async () => {
    world = await createWorld({
      nodes: 1,
      moreAccounts: Object.values(keys).flatMap((k) => k.accounts),
      chain: { params: { ...FAST_PARAMS, federation: { heartbeatTimeoutBlocks: 25 } }, blockIntervalMs: 200 },
    });
    reader = new ChainReader(world.chain.client);
    world.settings.clusterId = HOME;
    world.settings.federation = {
      regions: ["eu-west"],
      isolation: ["runc"],
      endpointHost: "home.example",
      portFirst: 30000,
      portLast: 32767,
    };
    await world.startOperator();
    await waitForContributors(world);
    members.push(await startMemberCluster(world.chain.rpcUrl, "member-east", keys.east));
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") console.log(await describeEvents(world));
  });

  after(async () => {
    for (const member of members) await member.stop();
    await world.stop();
  });

  async function homeStatus(name: string): Promise<ComputeContract["status"]> {
    return (await readContract(world, name))?.status;
  }

  it("runs a contract placed on Others in the assigned member cluster and mirrors it at home", async () => {
    const manifest = contractManifest(world, {
      name: "remote-web",
      ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
    });
    manifest.spec.placement = { clusters: "Others" };
    delete manifest.spec.template.spec.affinity; // the home group's label means nothing elsewhere
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
        const s = await homeStatus("remote-web");
        return s?.phase === "Running" && s.readyReplicas === 1 ? s : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 300, description: "the home contract mirrored Running with 1 ready" },
    );
    expect(status.placement?.cluster).to.equal("member-east");
    expect(status.placement?.endpoints).to.deep.equal(["member-east.example:8080"]);
    const contractId = status.contractId!;
    // Nothing of it runs at home.
    const homePods = await world.client.list<V1Pod & { metadata: { name: string } }>(POD, {
      namespace: world.namespace,
    });
    expect(homePods.items).to.have.length(0);

    // The chain handed the contract to the member's operator, which recorded the lease.
    const east = members[0]!;
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
    const needles = [TOKEN, Buffer.from(TOKEN).toString("hex"), Buffer.from(TOKEN).toString("base64")];
    const latest = (await world.chain.client.comet.status()).syncInfo.latestBlockHeight;
    let txs = 0;
    for (let height = 1; height <= latest; height++) {
      for (const tx of (await world.chain.client.comet.block(height)).block.txs) {
        txs++;
        const text = Buffer.from(tx).toString("latin1");
        for (const needle of needles) expect(text).to.not.contain(needle);
      }
    }
    expect(txs).to.be.greaterThan(0);

    // kubectl scale at home resizes the contract on chain; the member's copy follows.
    await world.client.mergePatch(
      COMPUTE_CONTRACT,
      { namespace: world.namespace, name: "remote-web" },
      { spec: { replicas: 2 } },
    );
    await waitFor(async () => ((await homeStatus("remote-web"))?.readyReplicas === 2 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 300,
      description: "two replicas ready in the member, mirrored home",
    });
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
    members.push(await startMemberCluster(world.chain.rpcUrl, "member-west", keys.west));
    const manifest = contractManifest(world, { name: "survivor" });
    manifest.spec.placement = { clusters: "Others" };
    delete manifest.spec.template.spec.affinity;
    await world.client.create(COMPUTE_CONTRACT, manifest);
    const first = await waitFor(
      async () => {
        const s = await homeStatus("survivor");
        return s?.phase === "Running" && s.readyReplicas === 1 ? s : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 300, description: "survivor running in a member cluster" },
    );
    const dead = members.find((m) => m.clusterId === first.placement!.cluster)!;
    const alive = members.find((m) => m !== dead && m.clusterId !== HOME)!;
    await dead.stop();
    gone.add(dead);

    const moved = await waitFor(
      async () => {
        const s = await homeStatus("survivor");
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
    members.push(await startMemberCluster(world.chain.rpcUrl, "member-north", keys.north));
    const manifest = contractManifest(world, { name: "returning" });
    manifest.spec.placement = { clusters: "Others" };
    delete manifest.spec.template.spec.affinity;
    await world.client.create(COMPUTE_CONTRACT, manifest);
    const first = await waitFor(
      async () => {
        const s = await homeStatus("returning");
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
        const s = await homeStatus("returning");
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
    // A report for the epoch it lost is refused, whoever sends it.
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

  it("a member's operator restart leaves the workloads it runs untouched", async () => {
    const running = await homeStatus("survivor");
    const holder = members.find((m) => m.clusterId === running!.placement!.cluster)!;
    const podUids = async (): Promise<string[]> =>
      (await holder.client.list(POD, { namespace: "uranus-from-home" })).items
        .map((p) => p.metadata.uid!)
        .sort();
    const before = await podUids();
    expect(before.length).to.be.greaterThan(0);
    await holder.stopOperator();
    await holder.startOperator();
    // A few heartbeats later: same order epoch, same pods, still reported Running at home.
    const cluster = await reader.federation.cluster(holder.clusterId);
    await waitFor(
      async () => {
        const now = await reader.federation.cluster(holder.clusterId);
        return now!.lastHeartbeatHeight >= cluster!.lastHeartbeatHeight + 3 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: `${holder.clusterId} heartbeating again` },
    );
    expect(await podUids()).to.deep.equal(before);
    const after = await homeStatus("survivor");
    expect(after!.placement!.epoch).to.equal(running!.placement!.epoch);
    expect(after!.readyReplicas).to.equal(1);
  });

  it("refuses a hostile member's claims in CheckTx: another's heartbeat, id, report, lease and metering", async () => {
    const hostile = keys.hostile.operator;
    const client = world.chain.client;
    await client.submit(hostile, RegisterClusterMsg, {
      clusterId: "member-hostile",
      regions: ["eu-west"],
      isolation: ["runc"],
      endpointHost: "hostile.example",
      portFirst: 30000n,
      portLast: 30001n,
      encryptionKey: hostile.signingKey.compressedPublicKey,
    });
    const running = await homeStatus("survivor");
    const victim = running!.placement!.cluster!;
    const contractId = running!.contractId!;
    const lease = (await reader.market.contract(contractId))!;
    expect(lease.operator).to.not.equal(hostile.address.toLowerCase());
    const victimPod = (
      await members.find((m) => m.clusterId === victim)!.client.list(POD, { namespace: "uranus-from-home" })
    ).items.find((p) => p.metadata.labels?.["uranus.io/contract"] === copyName(contractId))!;
    const victimLease = (await reader.market.lease(victimPod.metadata.uid!))!;
    const record = {
      podUid: victimLease.podUid,
      contractId,
      replica: BigInt(victimLease.replica),
      nodeId: victimLease.nodeId,
      scu: BigInt(victimLease.scu),
      fromTime: BigInt(victimLease.startedAt),
      toTime: BigInt(victimLease.startedAt) + 1n,
      cpuMillicores: 0n,
      memoryBytes: 0n,
    };
    const attempts: [string, () => Promise<unknown>][] = [
      [
        "heartbeat for another cluster",
        () => client.submit(hostile, ClusterHeartbeatMsg, { clusterId: victim, freeScu: 1_000n }),
      ],
      [
        "registration of another's id",
        () =>
          client.submit(hostile, RegisterClusterMsg, {
            clusterId: victim,
            regions: [],
            isolation: ["runc"],
            endpointHost: "hostile.example",
            portFirst: 1n,
            portLast: 2n,
            encryptionKey: hostile.signingKey.compressedPublicKey,
          }),
      ],
      [
        "report of an order assigned elsewhere",
        () =>
          client.submit(hostile, ReportOrderMsg, {
            contractId,
            epoch: BigInt(running!.placement!.epoch!),
            phase: "Failed",
            readyReplicas: 0n,
            endpoints: [],
          }),
      ],
      [
        "lease under a contract handed to another",
        () =>
          client.submit(hostile, RecordLeaseMsg, {
            contractId,
            replica: 0n,
            nodeId: victimLease.nodeId,
            podUid: "hostile-pod-uid",
            startedAt: BigInt(victimLease.startedAt),
          }),
      ],
      [
        "metering of another cluster's pod",
        () =>
          client.submit(hostile, MeteringBatchMsg, {
            contributor: victimLease.contributor,
            root: meteringRoot([record]),
            records: [record],
          }),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const refused = await attempt().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused, what).to.be.instanceOf(ChainTxError);
      expect((refused as ChainTxError).stage, what).to.equal("check");
      expect((refused as ChainTxError).code, `${what}: ${(refused as Error).message}`).to.equal(
        ResultCode.UNAUTHORISED,
      );
    }
  });
});
