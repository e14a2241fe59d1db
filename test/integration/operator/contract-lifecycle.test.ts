// A contract's life after it opens: low funds pause it (pods away, PowerContainers kept) and a top-up resumes it;
// replicas scale down and up, beyond the opening size when the escrow covers it (kubectl scale, an autoscaler); a
// template change replaces every pod, one replica at a time.
import { expect } from "chai";
import type { V1Pod } from "@kubernetes/client-node";
import { TopUpContractMsg } from "../../../chain-sidecar/modules/market/market-messages.js";
import { LABEL, type ComputeContract, type PowerContainer } from "../../../crds/types.js";
import { waitFor } from "../../../process/wait-for.js";
import type { ChainReader } from "../../../operator/chain/chain-reader.js";
import { POD } from "../../../kube-runtime/builtin-resources.js";
import { COMPUTE_CONTRACT, POWER_CONTAINER } from "../../../operator/uranus-resources.js";
import {
  NODE_PRICE,
  applyContract,
  readContract,
  operatorSuite,
  type OperatorWorld,
} from "./support/operator-world.js";

type Pod = V1Pod & { metadata: NonNullable<V1Pod["metadata"]> };

async function livePods(world: OperatorWorld, contract: string): Promise<Pod[]> {
  const list = await world.client.list<Pod>(POD, {
    namespace: world.namespace,
    labelSelector: `${LABEL.contract}=${contract}`,
  });
  return list.items.filter((pod) => pod.metadata.deletionTimestamp === undefined);
}

async function runningPods(
  world: OperatorWorld,
  contract: string,
  count: number,
  why: string,
): Promise<Pod[]> {
  return waitFor(
    async () => {
      const pods = (await livePods(world, contract)).filter((pod) => pod.status?.phase === "Running");
      return pods.length === count ? pods : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: why },
  );
}

async function phase(world: OperatorWorld, name: string, wanted: string): Promise<ComputeContract> {
  return waitFor(
    async () => {
      const cc = await readContract(world, name);
      return cc?.status?.phase === wanted ? cc : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: `contract ${name} ${wanted}` },
  );
}

/** `kubectl scale` of a contract: its scale subresource, as a user would resize it. */
function kubectlScale(world: OperatorWorld, name: string, replicas: number) {
  return world.kube.kubectl([
    "scale",
    "-n",
    world.namespace,
    `computecontract/${name}`,
    `--replicas=${replicas}`,
  ]);
}

async function patchSpec(world: OperatorWorld, name: string, spec: object): Promise<void> {
  await world.client.mergePatch(COMPUTE_CONTRACT, { namespace: world.namespace, name }, { spec });
}

describe("operator contract lifecycle: pause and resume, scaling, rollout", function () {
  const suite = operatorSuite(this, { nodes: 3, timeoutMs: 300_000 });
  let world: OperatorWorld, reader: ChainReader;
  before(() => ({ world, reader } = suite));

  it("pauses on low funds (pods removed, PowerContainers kept) and resumes after a top-up", async () => {
    // One 5 s interval at the node's price costs ⌈1e6 × 5 / 3600⌉ = 1389; this budget lasts about 15 s.
    await applyContract(world, { name: "thrifty", budget: 5_000n, maxPrice: NODE_PRICE });
    const [first] = await runningPods(world, "thrifty", 1, "the thrifty pod running");
    const paused = await phase(world, "thrifty", "Paused");
    const contractId = paused.status!.contractId!;
    expect(paused.status?.conditions?.find((c) => c.type === "Funded")?.reason).to.equal("EscrowExhausted");
    await waitFor(async () => ((await livePods(world, "thrifty")).length === 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: "the paused contract's pods removed",
    });
    const pcs = await world.client.list<PowerContainer>(POWER_CONTAINER, {
      namespace: world.namespace,
      labelSelector: `${LABEL.contract}=thrifty`,
    });
    expect(pcs.items.map((pc) => pc.metadata.name)).to.deep.equal(["thrifty-0"]);
    const lease = await waitFor(
      async () => {
        const found = await reader.market.lease(first!.metadata.uid!);
        return found !== undefined && found.endedAt > 0 ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "the paused pod's lease ended" },
    );
    const billed = await waitFor(
      async () => {
        const settlement = await reader.metering.settlement(first!.metadata.uid!);
        return settlement?.billedTo === lease.endedAt ? settlement : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "the paused pod billed to its lease end" },
    );
    expect(billed.billedTo - billed.firstFrom).to.equal(billed.seconds);

    await world.chain.client.submit(world.payer, TopUpContractMsg, { contractId, amount: 10n ** 10n });
    await phase(world, "thrifty", "Running");
    const [second] = await runningPods(world, "thrifty", 1, "a pod running again after the top-up");
    expect(second!.metadata.uid).to.not.equal(first!.metadata.uid);
    const events = await world.client.list<{
      metadata: object;
      reason?: string;
      regarding?: { name?: string };
    }>(
      { apiVersion: "events.k8s.io/v1", kind: "Event", plural: "events", namespaced: true },
      { namespace: world.namespace },
    );
    const reasons = events.items.filter((e) => e.regarding?.name === "thrifty").map((e) => e.reason);
    expect(reasons).to.include.members(["Opened", "Paused", "Resumed"]);
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "thrifty" });
  });

  it("scales replicas down and up, and beyond its opening size with kubectl scale", async () => {
    await applyContract(world, { name: "scaled", replicas: 3 });
    await runningPods(world, "scaled", 3, "3 replicas running");
    await patchSpec(world, "scaled", { replicas: 1 });
    const [kept] = await runningPods(world, "scaled", 1, "scaled down to 1 replica");
    expect(kept!.metadata.labels?.[LABEL.powerContainer]).to.equal("scaled-0");
    await waitFor(
      async () => {
        const pcs = await world.client.list<PowerContainer>(POWER_CONTAINER, {
          namespace: world.namespace,
          labelSelector: `${LABEL.contract}=scaled`,
        });
        return pcs.items.length === 1 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "surplus PowerContainers deleted" },
    );
    const id = (await readContract(world, "scaled"))!.status!.contractId!;
    await waitFor(async () => ((await reader.market.contract(id))?.replicas === 1 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: "the chain contract shrunk to 1 replica slot",
    });
    await patchSpec(world, "scaled", { replicas: 3 });
    const pods = await runningPods(world, "scaled", 3, "scaled back up to 3 replicas");
    expect(pods.map((pod) => pod.metadata.labels?.[LABEL.powerContainer]).sort()).to.deep.equal([
      "scaled-0",
      "scaled-1",
      "scaled-2",
    ]);
    const ready = await waitFor(
      async () => {
        const cc = await readContract(world, "scaled");
        return cc?.status?.readyReplicas === 3 ? cc : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "3 ready replicas in status" },
    );
    expect(ready.status?.replicas).to.equal(3);

    // Beyond the slots the contract was opened with: kubectl scale (the scale subresource) resizes it on chain.
    const scaled = await kubectlScale(world, "scaled", 5);
    expect(scaled.code, scaled.stderr).to.equal(0);
    await runningPods(world, "scaled", 5, "scaled up to 5 replicas beyond the 3 it opened with");
    expect((await reader.market.contract(ready.status!.contractId!))!.replicas).to.equal(5);
    const selector = await world.kube.kubectl([
      "get",
      "-n",
      world.namespace,
      "--subresource=scale",
      "computecontract/scaled",
      "-o",
      "jsonpath={.status.selector}",
    ]);
    expect(selector.stdout).to.equal(`${LABEL.contract}=scaled`);
    const shrunk = await kubectlScale(world, "scaled", 2);
    expect(shrunk.code, shrunk.stderr).to.equal(0);
    await runningPods(world, "scaled", 2, "kubectl scale down to 2 replicas");
    await waitFor(async () => ((await reader.market.contract(id))?.replicas === 2 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: "the chain contract shrunk to 2 replica slots by kubectl scale",
    });
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "scaled" });
  });

  it("grows only when the escrow covers the new size, says so, and grows after a top-up", async () => {
    // A 5 s interval costs 1389 per placed replica (1e6 per SCU-hour) and 2778 per unplaced one (the max price):
    // 4000 opens one replica, but a second needs 1389 + 2778 = 4167.
    await applyContract(world, { name: "thrifty", budget: 4_000n });
    await runningPods(world, "thrifty", 1, "1 replica running");
    await patchSpec(world, "thrifty", { replicas: 2 });
    const note = await waitFor(
      async () => {
        const cc = await readContract(world, "thrifty");
        const message = cc?.status?.conditions?.find((c) => c.type === "Ready")?.message ?? "";
        return message.includes("escrow does not cover") ? message : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "a Ready condition saying the escrow is short" },
    );
    expect(note).to.include("the escrow does not cover 2 replicas, so 1 run");
    expect(note).to.include("INSUFFICIENT_FUNDS");
    expect(await livePods(world, "thrifty")).to.have.length(1);
    const contractId = (await readContract(world, "thrifty"))!.status!.contractId!;
    await world.chain.client.submit(world.payer, TopUpContractMsg, { contractId, amount: 10n ** 10n });
    await runningPods(world, "thrifty", 2, "2 replicas after the top-up");
    expect((await reader.market.contract(contractId))!.replicas).to.equal(2);
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "thrifty" });
  });

  it("follows a HorizontalPodAutoscaler up to its minimum and down to its maximum", async () => {
    await applyContract(world, { name: "autoscaled", replicas: 1 });
    await runningPods(world, "autoscaled", 1, "1 replica running");
    const hpa = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "autoscaled", namespace: world.namespace },
      spec: {
        scaleTargetRef: { apiVersion: "uranus.io/v1alpha1", kind: "ComputeContract", name: "autoscaled" },
        minReplicas: 3,
        maxReplicas: 4,
      },
    };
    const created = await world.kube.kubectl(["apply", "-f", "-"], JSON.stringify(hpa));
    expect(created.code, created.stderr).to.equal(0);
    // kube-controller-manager's HPA controller moves spec.replicas through the scale subresource.
    await runningPods(world, "autoscaled", 3, "the autoscaler's minimum of 3 replicas");
    const lowered = await world.kube.kubectl(
      ["apply", "-f", "-"],
      JSON.stringify({ ...hpa, spec: { ...hpa.spec, minReplicas: 1, maxReplicas: 1 } }),
    );
    expect(lowered.code, lowered.stderr).to.equal(0);
    await runningPods(world, "autoscaled", 1, "the autoscaler's maximum of 1 replica");
    expect((await readContract(world, "autoscaled"))!.spec.replicas).to.equal(1);
    await world.kube.kubectl(["delete", "-n", world.namespace, "horizontalpodautoscaler/autoscaled"]);
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "autoscaled" });
  });

  it("rolls a new image out to every replica, one at a time", async () => {
    await applyContract(world, { name: "rolling", replicas: 2, image: "registry.example/app:1" });
    const before = await runningPods(world, "rolling", 2, "2 replicas of app:1 running");
    await patchSpec(world, "rolling", { template: { spec: { image: "registry.example/app:2" } } });
    const after = await waitFor(
      async () => {
        const pods = await livePods(world, "rolling");
        const running = pods.filter((pod) => pod.status?.phase === "Running");
        const updated = running.filter((pod) => pod.spec?.containers[0]?.image === "registry.example/app:2");
        return updated.length === 2 && pods.length === 2 ? updated : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, description: "both replicas running app:2" },
    );
    const oldUids = new Set(before.map((pod) => pod.metadata.uid));
    for (const pod of after) expect(oldUids.has(pod.metadata.uid)).to.equal(false);
    // One at a time: each PowerContainer was updated once, the second only after the first ran the new spec.
    const events = await world.client.list<{
      metadata: object;
      reason?: string;
      note?: string;
      regarding?: { name?: string };
    }>(
      { apiVersion: "events.k8s.io/v1", kind: "Event", plural: "events", namespaced: true },
      { namespace: world.namespace },
    );
    const rollouts = events.items.filter((e) => e.regarding?.name === "rolling" && e.reason === "RollingOut");
    expect(rollouts.map((e) => e.note).sort()).to.deep.equal([
      "updating PowerContainer rolling-0 to the new template",
      "updating PowerContainer rolling-1 to the new template",
    ]);
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "rolling" });
  });
});
