// The SLA's terms, kept on chain through the real operator, control plane and solo chain: a replacement that is
// ready later than recoverWithin owes a recovery breach (besides the failure's availability breach), and a failure
// after maxMigrations were used owes a migrations breach and leaves the replica Failed. A node's ContributorNode shows
// the service score breaches and ratings leave it.
import { expect } from "chai";
import type { ContributorNode, PowerContainer } from "../../../crds/types.js";
import { waitFor } from "../../../process/wait-for.js";
import type { ChainReader } from "../../../operator/chain/chain-reader.js";
import type { BreachView } from "../../../chain-sidecar/client/chain-views.js";
import { RateContributorMsg } from "../../../chain-sidecar/modules/market/market-messages.js";
import { POD_ANNOTATION } from "../../../operator/power-container/pod-keys.js";
import { NODE, POD } from "../../../kube-runtime/builtin-resources.js";
import { CONTRIBUTOR_NODE, POWER_CONTAINER } from "../../../operator/uranus-resources.js";
import { failNode, runningPod, type Pod } from "./support/node-faults.js";
import { applyContract, operatorSuite, readContract, type OperatorWorld } from "./support/operator-world.js";

const HELD = { key: "uranus.test/held", value: "1", effect: "NoSchedule" } as const;

describe("operator SLA breaches: recovery time, migration limit, and the service score shown", function () {
  const suite = operatorSuite(this, { nodes: 4, timeoutMs: 240_000 });
  let world: OperatorWorld, reader: ChainReader;
  before(() => ({ world, reader } = suite));

  /**
   * Billed once, and its lease written down on the pod: a pod that fails before the operator knows its lease is a
   * placement that did not take, which owes no breach.
   */
  async function billedOnce(pod: Pod): Promise<void> {
    const name = { namespace: world.namespace, name: pod.metadata.name! };
    await waitFor(
      async () => {
        const annotated = (await world.client.get<Pod>(POD, name)).metadata.annotations?.[
          POD_ANNOTATION.leaseStart
        ];
        return annotated !== undefined && (await reader.metering.settlement(pod.metadata.uid!)) !== undefined
          ? true
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: `pod ${pod.metadata.name} leased and billed once` },
    );
  }

  async function breachesOf(contract: string, count: number): Promise<BreachView[]> {
    const id = (await readContract(world, contract))!.status!.contractId!;
    return waitFor(
      async () => {
        const found = await reader.market.breaches(id);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: `${count} breach(es) of ${contract} on chain` },
    );
  }

  it("records a recovery breach against the failed node when the replacement is ready later than recoverWithin", async () => {
    await applyContract(world, { name: "slow", recoverWithin: "2s" });
    const old = await runningPod(world, "slow");
    await billedOnce(old);
    const failed = old.spec!.nodeName!;
    const others = world.nodeNames.filter((name) => name !== failed);
    // Every other node is held for a while, so the replacement cannot be ready within 2 s of the failure.
    for (const name of others) await world.client.mergePatch(NODE, { name }, { spec: { taints: [HELD] } });
    await failNode(world, failed, new Date(Math.floor(Date.now() / 1000) * 1000));
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    for (const name of others) await world.client.mergePatch(NODE, { name }, { spec: { taints: null } });
    const replacement = await runningPod(world, "slow", failed);

    const breaches = await breachesOf("slow", 2);
    const byKind = new Map(breaches.map((b) => [b.kind, b]));
    expect([...byKind.keys()].sort()).to.deep.equal(["availability", "recovery"]);
    expect(byKind.get("availability")).to.deep.include({ nodeId: failed, podUid: old.metadata.uid });
    const recovery = byKind.get("recovery")!;
    expect(recovery).to.deep.include({ nodeId: failed, podUid: replacement.metadata.uid });
    expect(recovery.seconds).to.be.at.least(4);
    expect((await reader.poc.standing(failed))!.breaches).to.equal(2);
    // The failed node's ContributorNode shows the service score the breaches left it.
    const service = Number(BigInt((await reader.poc.standing(failed))!.poc.service));
    await waitFor(
      async () => {
        const cn = await world.client.get<ContributorNode>(CONTRIBUTOR_NODE, { name: failed });
        return cn.status?.poc?.service === service ? true : undefined;
      },
      {
        timeoutMs: 15_000,
        intervalMs: 250,
        description: `ContributorNode ${failed} showing service score ${service}`,
      },
    );
  });

  it("shows a payer's rating on the node's ContributorNode as the chain event arrives, not at the minute's refresh", async () => {
    await applyContract(world, { name: "rated" });
    const pod = await runningPod(world, "rated");
    await billedOnce(pod);
    const node = pod.spec!.nodeName!;
    const shown = async (): Promise<ContributorNode> =>
      world.client.get<ContributorNode>(CONTRIBUTOR_NODE, { name: node });
    // Once a score shows, the ContributorNode reads its standing again only a minute later.
    await waitFor(async () => ((await shown()).status?.poc?.total ?? 0) > 0 || undefined, {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: `ContributorNode ${node} showing a score`,
    });
    const before = (await shown()).status!.poc!.service;
    const contractId = (await readContract(world, "rated"))!.status!.contractId!;
    await world.chain.client.submit(world.payer, RateContributorMsg, {
      contractId,
      nodeId: node,
      rating: 5n,
    });
    const service = Number(BigInt((await reader.poc.standing(node))!.poc.service));
    expect(service).to.be.greaterThan(before);
    // Well inside the minute: the periodic read alone would show it in time only by chance (1 in 12).
    await waitFor(async () => (await shown()).status?.poc?.service === service || undefined, {
      timeoutMs: 5_000,
      intervalMs: 250,
      description: `ContributorNode ${node} showing service score ${service}`,
    });
  });

  it("records a migrations breach, not availability, when the node fails after maxMigrations were used", async () => {
    await applyContract(world, { name: "fragile", maxMigrations: 0, recoverWithin: "120s" });
    const pod = await runningPod(world, "fragile");
    await billedOnce(pod);
    const failed = pod.spec!.nodeName!;
    await failNode(world, failed, new Date(Math.floor(Date.now() / 1000) * 1000));
    const [breach, ...more] = await breachesOf("fragile", 1);
    expect(more).to.deep.equal([]);
    expect(breach).to.deep.include({ kind: "migrations", nodeId: failed, podUid: pod.metadata.uid });
    const pc = await world.client.get<PowerContainer>(POWER_CONTAINER, {
      namespace: world.namespace,
      name: "fragile-0",
    });
    expect(pc.status?.phase).to.equal("Failed");
  });
});
