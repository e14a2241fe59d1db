// A ContributorNode priced at 0 donates its node, end to end through the real operator, control plane and solo
// chain: it registers at price 0, a contract's pod runs on it with a lease, and metering settles every second at 0.
import { expect } from "chai";
import type { V1Pod } from "@kubernetes/client-node";
import { LABEL, type ComputeContract } from "../../../crds/types.js";
import { waitFor } from "../../../process/wait-for.js";
import { POD } from "../../../kube-runtime/builtin-resources.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { applyContract, operatorSuite, readContract, type OperatorWorld } from "./support/operator-world.js";

describe("operator: a donated contributor node (price 0)", function () {
  const suite = operatorSuite(this, { nodes: 1, nodePrice: 0n, timeoutMs: 180_000 });
  let world: OperatorWorld;
  before(() => ({ world } = suite));

  it("registers at price 0, runs a contract's pod and settles its metered seconds at 0", async () => {
    const { reader } = suite;
    const node = await waitFor(() => reader.poc.node(world.nodeNames[0]!), {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: "the donated node on chain",
    });
    expect(node.pricePerScuHour).to.equal(0n);
    await applyContract(world, { name: "gift", budget: 10n ** 9n });
    const running = await waitFor(
      async () => {
        const cc = await readContract(world, "gift");
        return cc?.status?.phase === "Running" && cc.status.readyReplicas === 1 ? cc : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: "contract gift Running" },
    );
    const contractId = running.status!.contractId!;
    const lease = await waitFor(
      async () => {
        const pods = await world.client.list<V1Pod & KubeObject>(POD, {
          namespace: world.namespace,
          labelSelector: `${LABEL.contract}=gift`,
        });
        const uid = pods.items[0]?.metadata.uid;
        return uid === undefined ? undefined : reader.market.lease(uid);
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "a lease on the donated node" },
    );
    expect(lease.contractId).to.equal(contractId);
    expect(lease.pricePerScuHour).to.equal(0n);
    const settlement = await waitFor(
      async () => {
        const found = await reader.metering.settlement(lease.podUid);
        return found !== undefined && found.intervals >= 2 ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: "two metered intervals on the donated node" },
    );
    expect(settlement.seconds).to.be.greaterThan(0);
    expect(settlement.charged).to.equal(0n);
    const contract = (await reader.market.contract(contractId))!;
    expect(contract.spent).to.equal(0n);
    expect(contract.escrow).to.equal(contract.deposited);
    const status = await readContract(world, "gift");
    expect((status as ComputeContract).status?.escrow?.spent).to.equal("0");
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "gift" });
  });
});
