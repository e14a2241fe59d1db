// Federation end to end: three clusters, each its own control plane, operator process and CometBFT validator with
// its sidecar (run by the cluster's operator account), plus a fourth independent validator, share only the chain.
// A contract applied in the first runs in another; env from a Secret never reaches a block; a hostile member's
// claims are refused in CheckTx. When the cluster running it is SIGKILLed whole (apiserver, operator, validator),
// the chain sees both its heartbeats and its validator's signatures stop and moves the contract to the third within
// its SLA, billing no second twice, and the home Service's endpoints follow; a SIGKILLed and restarted operator
// leaves its workload alone; deleting it at home closes it and clears the copy.
import { expect } from "chai";
import type { V1Service } from "@kubernetes/client-node";
import { Wallet } from "ethers";
import { ChainClient } from "../../../chain-sidecar/client/chain-client.js";
import { buildUranusGenesis } from "../../../chain-sidecar/genesis/validator-homes.js";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import type { ComputeContract } from "../../../crds/types.js";
import { ENDPOINT_SLICE, POD, SECRET, SERVICE } from "../../../kube-runtime/builtin-resources.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { ChainReader } from "../../../operator/chain/chain-reader.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { waitFor } from "../../../process/wait-for.js";
import { copyName } from "../../../operator/federation/order-workload.js";
import { expectInNoBlock } from "../../support/block-scan.js";
import { expectHostileClaimsRefused } from "../../support/hostile-claims.js";
import {
  createPayerNamespace,
  MEMBER_FUNDS,
  memberContract,
  secretManifest,
  memberKeys,
  startMemberCluster,
  type MemberCluster,
} from "../../support/member-cluster.js";

const APPS = "apps";
const RECOVER_WITHIN_SECONDS = 30;
const HEARTBEAT_TIMEOUT_BLOCKS = 10;
const TOKEN = "e2e-s3cret-5d0c";

type Slice = KubeObject & { endpoints?: { addresses: string[] }[]; ports?: { port: number }[] };

/** Names, with "(deleting)" on those going: what a failed count shows. */
function podNames(pods: KubeObject[]): string {
  return pods.map((p) => `${p.metadata.name}${p.metadata.deletionTimestamp ? " (deleting)" : ""}`).join(", ");
}

/** The pods of a member's copy of one contract. */
async function copyPods(member: MemberCluster, contractId: string): Promise<KubeObject[]> {
  const list = await member.client.list(POD, {
    namespace: "uranus-from-cluster-a",
    labelSelector: `uranus.io/contract=${copyName(contractId)}`,
  });
  return list.items;
}

describe("federation e2e: three clusters and a fourth validator, one chain", function () {
  this.timeout(420_000);
  let testnet: Testnet;
  let chain: ChainClient;
  let reader: ChainReader;
  const members: MemberCluster[] = [];
  const ids = ["cluster-a", "cluster-b", "cluster-c"];
  const keys = ids.map(() => memberKeys());
  const payer = new Wallet(Wallet.createRandom().privateKey);
  const hostile = new Wallet(Wallet.createRandom().privateKey);

  before(async () => {
    testnet = await Testnet.create({
      validators: 4,
      launcher: uranusSidecarLauncher,
      chainId: "uranus-federation",
      timeoutCommitMs: 500,
      roundTimeoutMs: 1000,
      appGenesis: (_chainId, validators) =>
        buildUranusGenesis(validators, {
          // Each cluster's operator also operates validator i, so the chain links the two.
          operators: keys.map((k) => k.operator),
          operatorBalance: MEMBER_FUNDS,
          accounts: [payer, hostile, ...keys.map((k) => k.owner)].map((w) => ({
            address: w.address,
            balance: MEMBER_FUNDS,
          })),
          params: {
            market: { meteringIntervalSeconds: 5, settlementGraceSeconds: 30 },
            poc: { heartbeatWindowBlocks: 200 },
            federation: { heartbeatTimeoutBlocks: HEARTBEAT_TIMEOUT_BLOCKS },
          },
        }),
    });
    await testnet.start();
    chain = await ChainClient.connect(testnet.nodes[0]!.rpcUrl);
    reader = new ChainReader(chain);
    // Cluster i talks to validator i; validator 3 belongs to no cluster.
    members.push(
      ...(await Promise.all(
        ids.map((id, i) =>
          startMemberCluster(testnet.nodes[i]!.rpcUrl, id, keys[i]!, { operatorProcess: true }),
        ),
      )),
    );
    await createPayerNamespace(members[0]!, APPS, payer);
    await waitFor(
      async () => {
        const clusters = await reader.federation.clusters();
        return clusters.filter((c) => c.online && c.freeScu > 0).length === 3 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, description: "three member clusters online with capacity" },
    );
  });

  after(async () => {
    for (const member of members) await member.stop();
    chain.disconnect();
    await testnet.destroy();
  });

  async function homeStatus(name: string): Promise<ComputeContract["status"]> {
    const cc = await members[0]!.client.get<ComputeContract>(COMPUTE_CONTRACT, { namespace: APPS, name });
    return cc.status;
  }

  /** The home Service's slice once it lists `member`'s declared host (member-cluster.ts) at `port`. */
  async function homeSlice(name: string, member: MemberCluster, port: number): Promise<Slice> {
    return waitFor(
      async () => {
        const slice = await members[0]!.client
          .get<Slice>(ENDPOINT_SLICE, { namespace: APPS, name: `${name}-fqdn` })
          .catch(() => undefined);
        const at = slice?.endpoints?.length === 1 ? slice.endpoints[0]!.addresses[0] : undefined;
        return at === `${member.clusterId}.example` && slice!.ports?.[0]?.port === port ? slice : undefined;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: `${name}'s home slice at ${member.clusterId}.example:${port}`,
      },
    );
  }

  async function nodePortOf(member: MemberCluster, contractId: string): Promise<number> {
    return waitFor(
      async () => {
        const service = await member.client
          .get<V1Service & { metadata: { name: string } }>(SERVICE, {
            namespace: "uranus-from-cluster-a",
            name: copyName(contractId),
          })
          .catch(() => undefined);
        return service?.spec?.ports?.[0]?.nodePort;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: `the copy's Service in ${member.clusterId}` },
    );
  }

  it("env from a Secret reaches only the assigned cluster, never a block; a hostile member's claims are refused", async () => {
    await members[0]!.client.create(SECRET, secretManifest(APPS, "api-token", { token: TOKEN }));
    const manifest = memberContract("sealed", APPS, "Others", RECOVER_WITHIN_SECONDS);
    manifest.spec.template.spec.env = [
      { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "api-token", key: "token" } } },
    ];
    await members[0]!.client.create(COMPUTE_CONTRACT, manifest);
    const running = await waitFor(
      async () => {
        const s = await homeStatus("sealed");
        return s?.phase === "Running" && s.readyReplicas === 1 ? s : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, description: "sealed running in a member cluster" },
    );
    const contractId = running.contractId!;
    const holder = members[ids.indexOf(running.placement!.cluster!)]!;
    const opened = await holder.client.get<KubeObject & { data?: Record<string, string> }>(SECRET, {
      namespace: "uranus-from-cluster-a",
      name: `order-${contractId}-env`,
    });
    expect(Buffer.from(opened.data!.API_TOKEN!, "base64").toString()).to.equal(TOKEN);
    expect(await expectInNoBlock(chain, TOKEN)).to.be.greaterThan(0);

    const pod = (await holder.client.list(POD, { namespace: "uranus-from-cluster-a" })).items.find(
      (p) => p.metadata.labels?.["uranus.io/contract"] === copyName(contractId),
    )!;
    await expectHostileClaimsRefused(chain, hostile, {
      cluster: holder.clusterId,
      contractId,
      epoch: running.placement!.epoch!,
      lease: (await reader.market.lease(pod.metadata.uid!))!,
    });

    await members[0]!.client.delete(COMPUTE_CONTRACT, { namespace: APPS, name: "sealed" });
    await waitFor(
      async () => ((await reader.market.contract(contractId))?.state === "closed" ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 250, description: "sealed closed on chain" },
    );
  });

  it("applied in A, runs in another cluster, mirrored in A; the whole cluster killed, C runs it within the SLA", async () => {
    const applied = (await chain.comet.status()).syncInfo.latestBlockHeight;
    const manifest = memberContract("web", APPS, "Others", RECOVER_WITHIN_SECONDS);
    manifest.spec.template.spec.ports = [{ name: "http", containerPort: 8080, protocol: "TCP" }];
    await members[0]!.client.create(COMPUTE_CONTRACT, manifest);
    const first = await waitFor(
      async () => {
        const s = await homeStatus("web");
        return s?.phase === "Running" && s.readyReplicas === 1 ? s : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, description: "web running in a member cluster, mirrored home" },
    );
    const runningAt = (await chain.comet.status()).syncInfo.latestBlockHeight;
    console.log(`      applied → mirrored Running in A: ${runningAt - applied} blocks`);
    const holderIndex = ids.indexOf(first.placement!.cluster!);
    expect(holderIndex).to.be.oneOf([1, 2]);
    const holder = members[holderIndex]!;
    const survivorIndex = 3 - holderIndex;
    const contractId = first.contractId!;
    // Only this contract's copy: the first test's copy may still be finishing its final billing in the namespace.
    const oldPods = await copyPods(holder, contractId);
    expect(oldPods, podNames(oldPods)).to.have.length(1);
    const oldPodUid = oldPods[0]!.metadata.uid!;
    // The home Service `web` reaches it at the holder's node port, on the host the holder declared.
    await homeSlice("web", holder, await nodePortOf(holder, contractId));

    // The whole cluster dies at once: control plane and operator by SIGKILL, and its validator.
    const killedAt = performance.now();
    holder.kill();
    await testnet.nodes[holderIndex]!.kill("both");

    const moved = await waitFor(
      async () => {
        const s = await homeStatus("web");
        return s?.placement?.cluster === ids[survivorIndex] && s?.readyReplicas === 1 ? s : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, description: `web running again in ${ids[survivorIndex]}` },
    );
    const failoverSeconds = (performance.now() - killedAt) / 1000;
    console.log(`      failover: ${failoverSeconds.toFixed(1)} s (SLA ${RECOVER_WITHIN_SECONDS} s)`);
    expect(failoverSeconds).to.be.lessThan(RECOVER_WITHIN_SECONDS);
    expect(moved.placement!.previousClusters).to.deep.equal([ids[holderIndex]]);

    // One failover recorded against the dead cluster; no second billed twice: the old lease ended before the new one began.
    const dead = await reader.federation.cluster(ids[holderIndex]!);
    expect(dead!.online).to.equal(false);
    expect(dead!.failovers).to.equal(1);
    // Its validator stopped signing too, so the chain did not wait out the whole heartbeat timeout.
    expect(dead!.validatorSilentSince).to.be.greaterThan(0);
    expect(dead!.offlineHeight - dead!.lastHeartbeatHeight).to.be.lessThan(HEARTBEAT_TIMEOUT_BLOCKS);
    // The same home Service now reaches the survivor.
    const survivor = members[survivorIndex]!;
    await homeSlice("web", survivor, await nodePortOf(survivor, contractId));
    const oldLease = await reader.market.lease(oldPodUid);
    expect(oldLease!.outcome).to.equal("failed");
    const newPods = await copyPods(members[survivorIndex]!, contractId);
    expect(newPods, podNames(newPods)).to.have.length(1);
    const newLease = await waitFor(async () => reader.market.lease(newPods[0]!.metadata.uid!), {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: "the new pod's lease",
    });
    expect(oldLease!.endedAt).to.be.at.most(newLease.startedAt);
    const settled = await reader.metering.settlement(oldPodUid);
    if (settled !== undefined) expect(settled.billedTo).to.be.at.most(oldLease!.endedAt);

    // The survivor's operator SIGKILLed and restarted: the workload it runs is left alone.
    const heard = (await reader.federation.cluster(survivor.clusterId))!.lastHeartbeatHeight;
    await survivor.killOperator();
    await survivor.startOperator();
    await waitFor(
      async () =>
        (await reader.federation.cluster(survivor.clusterId))!.lastHeartbeatHeight > heard + 2
          ? true
          : undefined,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: `${survivor.clusterId}'s restarted operator heartbeating`,
      },
    );
    const afterRestart = await copyPods(survivor, contractId);
    expect(afterRestart.map((p) => p.metadata.uid)).to.deep.equal([newPods[0]!.metadata.uid]);
    const still = await homeStatus("web");
    expect(still?.placement?.epoch).to.equal(moved.placement!.epoch);
    expect(still?.readyReplicas).to.equal(1);

    // Deleting it at home closes the contract; the survivor removes its copy.
    await members[0]!.client.delete(COMPUTE_CONTRACT, { namespace: APPS, name: "web" });
    await waitFor(
      async () => ((await reader.market.contract(contractId))?.state === "closed" ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 250, description: "the contract closed on chain" },
    );
    await waitFor(
      async () =>
        (await members[survivorIndex]!.client.list(COMPUTE_CONTRACT, { namespace: "uranus-from-cluster-a" }))
          .items.length === 0
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 250, description: "the survivor's copy removed" },
    );
  });
});
