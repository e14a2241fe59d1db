import { CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { pino } from "pino";
import { partitionIntoTiers, rankForPod } from "../../../chain-sidecar/modules/poc/placement.js";
import { installCrds } from "../../../crds/install.js";
import { LABEL } from "../../../crds/types.js";
import { startControlPlane, type ControlPlane } from "../../../local-cluster/control-plane.js";
import { freePort } from "../../../process/free-port.js";
import { waitFor } from "../../../process/wait-for.js";
import { REJECTION } from "../../../scheduler-extender/node-filter.js";
import {
  startSchedulerExtender,
  type RunningSchedulerExtender,
} from "../../../scheduler-extender/scheduler-extender.js";
import { ownerAddress } from "../../unit/scheduler-extender/contributor-node-fixture.js";
import {
  createPods,
  failedSchedulingMessages,
  offerNodes,
  waitForScheduled,
  type OfferedNode,
  type PodPlan,
  uranusExtenderConfig,
} from "./contributor-cluster.js";

const NAMESPACE = "default";

describe("scheduler extender with a real kube-scheduler and kwok nodes", function () {
  this.timeout(180_000);
  let controlPlane: ControlPlane | undefined;
  let extender: RunningSchedulerExtender | undefined;
  let kubeConfig: KubeConfig;
  /** The extender running now (it is replaced by the restart test). */
  const live = (): RunningSchedulerExtender => {
    if (extender === undefined) throw new Error("the extender is not running");
    return extender;
  };
  let port: number;
  const quiet = pino({ level: process.env.URANUS_TEST_VERBOSE ? "debug" : "warn" });

  const startExtender = async (): Promise<RunningSchedulerExtender> => {
    const running = await startSchedulerExtender({
      kubeConfig,
      port,
      log: quiet,
      processMetrics: false,
    });
    await running.informers.whenSynced();
    return running;
  };

  before(async function () {
    this.timeout(300_000);
    port = await freePort();
    controlPlane = await startControlPlane({
      schedulerExtenders: [uranusExtenderConfig(`http://127.0.0.1:${port}`)],
    });
    kubeConfig = controlPlane.kubeConfig;
    await installCrds(kubeConfig);
    extender = await startExtender();
  });

  after(async function () {
    this.timeout(60_000);
    await extender?.stop();
    await controlPlane?.stop();
  });

  async function waitForContributors(names: readonly string[]): Promise<void> {
    await waitFor(
      () =>
        names.every(
          (name) =>
            live().state.contributorOnNode(name)?.registered !== undefined &&
            live().state.contributorOnNode(name)!.capacitySCU > 0,
        ) || undefined,
      {
        timeoutMs: 60_000,
        description: `the extender to see ${names.length} contributor nodes with status`,
      },
    );
  }

  const podsOf = (pods: V1Pod[]): Map<string, string> =>
    new Map(pods.map((pod) => [pod.metadata!.name!, pod.spec!.nodeName!]));

  describe("PoC partition round-robin", () => {
    it("places 500 pods on 50 nodes in four PoC tiers exactly as the placement helper predicts", async () => {
      const nodes: OfferedNode[] = Array.from({ length: 50 }, (_, i) => ({
        name: `tier-node-${i}`,
        // Distinct PoC unrelated to the name order.
        poc: 1_000 + ((i * 37) % 50) * 100,
        capacitySCU: 1_000,
        price: "5",
      }));
      await offerNodes(kubeConfig, "tiers", nodes);
      await waitForContributors(nodes.map((n) => n.name));

      const plans: PodPlan[] = Array.from({ length: 500 }, (_, i) => ({
        name: `tier-pod-${i}`,
        contract: `tier-contract-${i}`,
        maxPrice: "10",
        group: "tiers",
        labels: { "uranus.test/suite": "tiers" },
      }));
      const started = performance.now();
      await createPods(kubeConfig, plans);
      const pods = await waitForScheduled(kubeConfig, NAMESPACE, "uranus.test/suite=tiers", 500);
      const seconds = (performance.now() - started) / 1000;

      const candidates = nodes.map((n) => ({ name: n.name, poc: BigInt(n.poc!) }));
      const tierOf = new Map(partitionIntoTiers(candidates, 4).map(({ node, tier }) => [node.name, tier]));
      const landed = [0, 0, 0, 0];
      const predicted = [0, 0, 0, 0];
      const misplaced: string[] = [];
      for (const pod of pods) {
        const { chosenTier } = rankForPod(candidates, pod.metadata!.uid!);
        const tier = tierOf.get(pod.spec!.nodeName!)!;
        predicted[chosenTier!]!++;
        landed[tier]!++;
        if (tier !== chosenTier)
          misplaced.push(`${pod.metadata!.name} on tier ${tier}, predicted ${chosenTier}`);
      }
      console.log(
        `      500 pods scheduled in ${seconds.toFixed(1)} s; pods per tier ${landed.join("/")} (weights 4/3/2/1)`,
      );
      expect(misplaced, misplaced.slice(0, 5).join("; ")).to.deep.equal([]);
      expect(landed).to.deep.equal(predicted);
      // The lowest tier's share is 10 %: allow four standard deviations of a 500-pod sample.
      expect(landed[3]! / 500, "lowest tier share").to.be.closeTo(0.1, 4 * Math.sqrt(0.09 / 500));
      expect(landed[0]! + landed[1]!, "the top two tiers take most pods").to.be.greaterThan(250);
    });
  });

  describe("contributor spread", () => {
    it("spreads a contract's replicas over distinct contributors by itself, without pod anti-affinity", async () => {
      // Five contributors with two nodes each; the higher-PoC node of each contributor is in the top tiers.
      const nodes: OfferedNode[] = Array.from({ length: 10 }, (_, i) => ({
        name: `spread-node-${i}`,
        owner: ownerAddress(`spread-owner-${i % 5}`),
        poc: 2_000 - i * 100,
      }));
      await offerNodes(kubeConfig, "spread", nodes);
      await waitForContributors(nodes.map((n) => n.name));
      const plans: PodPlan[] = Array.from({ length: 5 }, (_, i) => ({
        name: `spread-${i}`,
        contract: "spread",
        maxPrice: "10",
        group: "spread",
      }));
      await createPods(kubeConfig, plans, 5);
      const pods = await waitForScheduled(kubeConfig, NAMESPACE, `${LABEL.contract}=spread`, 5);
      const owners = new Set(
        [...podsOf(pods).values()].map((node) => live().state.contributorOnNode(node)!.owner),
      );
      expect(owners.size, [...podsOf(pods).entries()].join(", ")).to.equal(5);
    });

    describe("on three contributors", () => {
      before(async () => {
        const nodes: OfferedNode[] = Array.from({ length: 3 }, (_, i) => ({
          name: `few-node-${i}`,
          poc: 500 + i,
        }));
        await offerNodes(kubeConfig, "few", nodes);
        await waitForContributors(nodes.map((n) => n.name));
      });

      const antiAffinity = (contract: string, required: boolean) => {
        const term = {
          labelSelector: { matchLabels: { [LABEL.contract]: contract } },
          topologyKey: LABEL.contributor,
        };
        return {
          podAntiAffinity: required
            ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
            : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
        };
      };

      /** Creates 5 replicas of `contract` spread over contributors; the owners of the first `scheduled` placed. */
      const spreadReplicas = async (contract: string, required: boolean, scheduled: number) => {
        const plans: PodPlan[] = Array.from({ length: 5 }, (_, i) => ({
          name: `${contract}-${i}`,
          contract,
          maxPrice: "10",
          group: "few",
          affinity: antiAffinity(contract, required),
        }));
        await createPods(kubeConfig, plans, 5);
        const pods = await waitForScheduled(
          kubeConfig,
          NAMESPACE,
          `${LABEL.contract}=${contract}`,
          scheduled,
        );
        return new Set([...podsOf(pods).values()].map((node) => live().state.contributorOnNode(node)!.owner));
      };

      it("places all 5 replicas of a preferred-spread contract on fewer contributors without failing", async () => {
        const owners = await spreadReplicas("preferred", false, 5);
        expect(owners.size).to.equal(3);
      });

      it("keeps replicas of a required-spread contract Pending with a clear event when contributors run out", async () => {
        const owners = await spreadReplicas("required", true, 3);
        expect(owners.size).to.equal(3);
        const core = kubeConfig.makeApiClient(CoreV1Api);
        const pending = (
          await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `${LABEL.contract}=required` })
        ).items.filter((pod) => (pod.spec?.nodeName ?? "") === "");
        expect(pending).to.have.length(2);
        for (const pod of pending) {
          const messages = await waitFor(
            async () => {
              const found = await failedSchedulingMessages(kubeConfig, NAMESPACE, pod.metadata!.name!);
              return found.length > 0 ? found : undefined;
            },
            { timeoutMs: 30_000, description: `a FailedScheduling event for ${pod.metadata!.name}` },
          );
          expect(messages.join("\n")).to.contain("didn't match pod anti-affinity rules");
        }
      });
    });
  });

  describe("filtering", () => {
    const bad: OfferedNode[] = [
      { name: "filter-offline", online: false, poc: 500 },
      { name: "filter-jailed", jailed: true, poc: 500 },
      { name: "filter-full", capacitySCU: 2, allocatedSCU: 2, poc: 500 },
      { name: "filter-pricey", price: "50", poc: 500 },
      { name: "filter-us", region: "us", poc: 500 },
      { name: "filter-weak", poc: 10 },
      { name: "filter-unregistered", registered: false, poc: 500 },
      { name: "filter-bare", bare: true },
    ];
    const good: OfferedNode[] = [
      { name: "filter-ok-a", poc: 500 },
      { name: "filter-ok-b", poc: 400 },
    ];

    before(async () => {
      const marked = bad.map((node) => ({ ...node, labels: { "uranus.test/bad": "true" } }));
      await offerNodes(kubeConfig, "filter", [...good, ...marked]);
      await waitForContributors([...good, ...bad].filter((n) => n.bare !== true).map((n) => n.name));
    });

    it("never gives a pod to an offline, jailed, full, over-price, out-of-region, weak or unregistered node", async () => {
      const plans: PodPlan[] = Array.from({ length: 20 }, (_, i) => ({
        name: `filtered-${i}`,
        contract: `filtered-${i}`,
        maxPrice: "10",
        regions: "eu,asia",
        minPoC: "100",
        group: "filter",
        labels: { "uranus.test/suite": "filtered" },
      }));
      await createPods(kubeConfig, plans);
      const pods = await waitForScheduled(kubeConfig, NAMESPACE, "uranus.test/suite=filtered", 20);
      const used = new Set(podsOf(pods).values());
      expect([...used].sort()).to.satisfy((nodes: string[]) =>
        nodes.every((n) => n === "filter-ok-a" || n === "filter-ok-b"),
      );
    });

    it("holds region placement: a pod for region us lands on the us node only", async () => {
      await createPods(kubeConfig, [
        { name: "in-us", contract: "in-us", maxPrice: "10", regions: "us", group: "filter" },
      ]);
      const [pod] = await waitForScheduled(kubeConfig, NAMESPACE, `${LABEL.contract}=in-us`, 1);
      expect(pod!.spec!.nodeName).to.equal("filter-us");
    });

    it("leaves pods that are not Uranus's alone: a plain pod may use an offline contributor node", async () => {
      const core = kubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespacedPod({
        namespace: NAMESPACE,
        body: {
          metadata: { name: "plain-on-offline", labels: { "uranus.test/suite": "plain" } },
          spec: {
            nodeSelector: { "kubernetes.io/hostname": "filter-offline" },
            containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }],
          },
        },
      });
      const [pod] = await waitForScheduled(kubeConfig, NAMESPACE, "uranus.test/suite=plain", 1);
      expect(pod!.spec!.nodeName).to.equal("filter-offline");
    });

    it("explains in the FailedScheduling event why each node was turned down", async () => {
      await createPods(kubeConfig, [
        {
          name: "nowhere",
          contract: "nowhere",
          maxPrice: "10",
          regions: "eu",
          minPoC: "100",
          group: "filter",
          nodeSelector: { "uranus.test/bad": "true" },
        },
      ]);
      const message = await waitFor(
        async () => {
          const messages = await failedSchedulingMessages(kubeConfig, NAMESPACE, "nowhere");
          return messages.find((m) => m.includes(REJECTION.offline));
        },
        {
          timeoutMs: 60_000,
          description: "a FailedScheduling event for pod nowhere naming the extender's reasons",
        },
      );
      for (const reason of [
        REJECTION.offline,
        REJECTION.jailed,
        REJECTION.noFreeScu,
        REJECTION.overPrice,
        REJECTION.outsideRegions,
        REJECTION.belowMinPoC,
        REJECTION.notRegistered,
        REJECTION.notOffered,
      ]) {
        expect(message, reason).to.contain(`1 ${reason}`);
      }
    });
  });

  describe("restart safety", () => {
    it("keeps pods Pending while the extender is down and places them once it is back (ignorable: false)", async () => {
      await live().stop();
      extender = undefined;
      await createPods(kubeConfig, [
        {
          name: "while-down",
          contract: "while-down",
          maxPrice: "10",
          group: "filter",
          regions: "eu",
          minPoC: "100",
        },
      ]);
      const message = await waitFor(
        async () => (await failedSchedulingMessages(kubeConfig, NAMESPACE, "while-down"))[0],
        { timeoutMs: 60_000, description: "a FailedScheduling event while the extender is down" },
      );
      expect(message).to.contain(`127.0.0.1:${port}`);
      const core = kubeConfig.makeApiClient(CoreV1Api);
      expect(
        (await core.readNamespacedPod({ name: "while-down", namespace: NAMESPACE })).spec?.nodeName,
      ).to.equal(undefined);

      extender = await startExtender();
      const [pod] = await waitForScheduled(kubeConfig, NAMESPACE, `${LABEL.contract}=while-down`, 1, 90_000);
      expect(["filter-ok-a", "filter-ok-b"]).to.include(pod!.spec!.nodeName);
    });
  });
});
