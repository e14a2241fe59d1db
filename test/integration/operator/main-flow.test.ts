// The whole life of one contract through the real operator, control plane (kwok nodes) and a solo Uranus chain:
// registration, pods on contributor nodes, leases, metering, exact billing, deletion with final bill and refund.
import { expect } from "chai";
import type { V1Pod } from "@kubernetes/client-node";
import type { Contract } from "../../../chain-sidecar/modules/market/market-types.js";
import type { PodSettlement } from "../../../chain-sidecar/modules/metering/metering-types.js";
import type { ChainReader } from "../../../operator/chain/chain-reader.js";
import { FINALIZER, LABEL, type ComputeContract, type PowerContainer } from "../../../crds/types.js";
import { waitFor } from "../../../process/wait-for.js";
import { NODE, POD } from "../../../kube-runtime/builtin-resources.js";
import { POWER_CONTAINER } from "../../../operator/uranus-resources.js";
import {
  FUNDS,
  applyContract,
  operatorSuite,
  readContract,
  type OperatorWorld,
} from "./support/operator-world.js";

const TX_FEE = 100n;

function podsOf(world: OperatorWorld, contract: string): Promise<V1Pod[]> {
  return world.client
    .list<V1Pod & { metadata: object }>(POD, {
      namespace: world.namespace,
      labelSelector: `${LABEL.contract}=${contract}`,
    })
    .then((list) => list.items);
}

describe("operator main flow: contract → pods → leases → metering → delete with refund", function () {
  const suite = operatorSuite(this, { nodes: 3, timeoutMs: 240_000 });
  let world: OperatorWorld, reader: ChainReader;
  let contractId = "";
  let podUids: string[] = [];
  before(() => ({ world, reader } = suite));

  it("registers every contributor node on chain for its owner and labels its Node", async () => {
    for (const [i, name] of world.nodeNames.entries()) {
      const standing = await reader.poc.standing(name);
      expect(standing, name).to.not.equal(undefined);
      expect(standing!.owner).to.equal(world.owners[i]!.address.toLowerCase());
      expect(standing!.online).to.equal(true);
      const node = await world.client.get<V1Pod & { metadata: { labels?: Record<string, string> } }>(NODE, {
        name,
      });
      expect(node.metadata.labels?.[LABEL.contributor]).to.equal(world.owners[i]!.address.toLowerCase());
    }
  });

  it("runs the replicas on contributor nodes with a lease each, and bills exactly price × SCU × seconds", async () => {
    await applyContract(world, { name: "render", replicas: 2, scu: 2 });
    const running = await waitFor(
      async () => {
        const cc = await readContract(world, "render");
        return cc?.status?.phase === "Running" && cc.status.readyReplicas === 2 ? cc : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: "contract render Running with 2 ready replicas" },
    );
    contractId = running.status!.contractId!;
    expect(contractId).to.match(/^[0-9a-f]{20}$/);
    // Added before the contract was opened, so a delete always settles and refunds first.
    expect(running.metadata.finalizers).to.include(FINALIZER);

    const pcs = await world.client.list<PowerContainer>(POWER_CONTAINER, { namespace: world.namespace });
    expect(pcs.items.map((pc) => pc.metadata.name).sort()).to.deep.equal(["render-0", "render-1"]);
    for (const pc of pcs.items) {
      expect(pc.metadata.ownerReferences?.[0]?.name).to.equal("render");
      expect(pc.status?.phase).to.equal("Running");
    }

    const pods = await podsOf(world, "render");
    expect(pods).to.have.length(2);
    for (const pod of pods) {
      expect(world.nodeNames).to.include(pod.spec!.nodeName);
      expect(pod.status?.phase).to.equal("Running");
      const container = pod.spec!.containers[0]!;
      expect(container.securityContext?.allowPrivilegeEscalation).to.equal(false);
      expect(container.securityContext?.capabilities?.drop).to.deep.equal(["ALL"]);
      expect(pod.spec!.securityContext?.runAsNonRoot).to.equal(true);
      expect(pod.spec!.securityContext?.seccompProfile?.type).to.equal("RuntimeDefault");
      // 2 SCU of 1 vCPU + 2 GiB + 20 GiB each, as the apiserver canonicalises the quantities.
      expect(container.resources?.requests).to.deep.equal({
        cpu: "2",
        memory: "4Gi",
        "ephemeral-storage": "40Gi",
      });
      expect(container.resources?.limits).to.deep.equal(container.resources?.requests);
    }
    podUids = pods.map((pod) => pod.metadata!.uid!);

    const leases = await waitFor(
      async () => {
        const found = await Promise.all(podUids.map((uid) => reader.market.lease(uid)));
        return found.every((lease) => lease !== undefined) ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "a lease on chain for each pod" },
    );
    for (const [i, lease] of leases.entries()) {
      expect(lease.contractId).to.equal(contractId);
      expect(lease.nodeId).to.equal(pods[i]!.spec!.nodeName);
      expect(lease.endedAt).to.equal(0);
    }

    const settlements = await waitFor(
      async () => {
        const found = await Promise.all(podUids.map((uid) => reader.metering.settlement(uid)));
        return found.every((s) => s !== undefined && s.intervals >= 2)
          ? (found as PodSettlement[])
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: "two metering intervals billed for each pod" },
    );
    for (const [i, s] of settlements.entries()) {
      const lease = leases[i]!;
      expect(s.firstFrom, "billing starts where the lease starts").to.equal(lease.startedAt);
      expect(s.billedTo - s.firstFrom, "no second skipped or billed twice").to.equal(s.seconds);
      const exact = (lease.pricePerScuHour * BigInt(lease.scu) * BigInt(s.seconds)) / 3600n;
      expect(s.charged + s.unpaid).to.equal(exact);
    }
    // The escrow fell by exactly what the pods were charged: compare at a moment no batch lands in between.
    const snapshot = await waitFor(
      async () => {
        const before = (await reader.market.contract(contractId))!;
        const pods = await Promise.all(podUids.map((uid) => reader.metering.settlement(uid)));
        const after = (await reader.market.contract(contractId))!;
        return before.spent === after.spent ? { contract: after, pods: pods as PodSettlement[] } : undefined;
      },
      {
        timeoutMs: 20_000,
        intervalMs: 100,
        description: "a contract and its settlements read between two batches",
      },
    );
    const charged = snapshot.pods.reduce((sum, s) => sum + s.charged, 0n);
    expect(snapshot.contract.spent).to.equal(charged);
    expect(snapshot.contract.deposited - snapshot.contract.escrow).to.equal(charged);
    await waitFor(
      async () => {
        const cc = await readContract(world, "render");
        return cc?.status?.escrow?.spent !== undefined && BigInt(cc.status.escrow.spent) > 0n
          ? cc
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, description: "escrow spent shown in the contract's status" },
    );
  });

  it("on delete bills every pod to its last second, closes and refunds, and removes every object", async () => {
    await world.client.delete(
      {
        apiVersion: "uranus.io/v1alpha1",
        kind: "ComputeContract",
        plural: "computecontracts",
        namespaced: true,
      },
      { namespace: world.namespace, name: "render" },
    );
    await waitFor(async () => ((await readContract(world, "render")) === undefined ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: "contract render gone",
    });
    expect(await podsOf(world, "render")).to.deep.equal([]);
    const pcs = await world.client.list<PowerContainer>(POWER_CONTAINER, { namespace: world.namespace });
    expect(pcs.items).to.deep.equal([]);

    const contract = (await reader.market.contract(contractId)) as Contract;
    expect(contract.state).to.equal("closed");
    expect(contract.escrow).to.equal(0n);
    expect(contract.refunded).to.equal(contract.deposited - contract.spent);
    let charged = 0n;
    for (const uid of podUids) {
      const lease = (await reader.market.lease(uid))!;
      const settlement = (await reader.metering.settlement(uid))!;
      expect(lease.endedAt, "the lease ended").to.be.greaterThan(0);
      expect(settlement.billedTo, "billed to the lease's last second").to.equal(lease.endedAt);
      charged += settlement.charged;
    }
    expect(contract.spent).to.equal(charged);
    // The payer paid the work and two transaction fees (open, close); everything else came back.
    const payer = await reader.account(world.payer.address);
    expect(payer.balance).to.equal(FUNDS - contract.spent - 2n * TX_FEE);
    const cc: ComputeContract | undefined = await readContract(world, "render");
    expect(cc).to.equal(undefined);
  });
});
