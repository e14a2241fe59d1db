// Input the schema accepts but the world refuses: each gets a condition and an Event that say what is wrong, is
// retried with backoff, and converges once the cause is fixed.
import { expect } from "chai";
import { TransferMsg } from "../../../chain-sidecar/modules/bank/bank-messages.js";
import type { ComputeContract } from "../../../crds/types.js";
import { waitFor } from "../../../process/wait-for.js";
import { SECRET } from "../../../kube-runtime/builtin-resources.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import {
  applyContract,
  randomWallet,
  readContract,
  operatorSuite,
  type OperatorWorld,
} from "./support/operator-world.js";

interface EventObject extends KubeObject {
  reason?: string;
  note?: string;
  type?: string;
  regarding?: { name?: string };
}

async function condition(
  world: OperatorWorld,
  name: string,
  type: string,
  reason: string,
): Promise<ComputeContract> {
  return waitFor(
    async () => {
      const cc = await readContract(world, name);
      const found = cc?.status?.conditions?.find((c) => c.type === type);
      return found?.reason === reason && found.status === "False" ? cc : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: `${name}: ${type}=False (${reason})` },
  );
}

async function warning(world: OperatorWorld, name: string, reason: string): Promise<EventObject> {
  return waitFor(
    async () => {
      const list = await world.client.list<EventObject>(
        { apiVersion: "events.k8s.io/v1", kind: "Event", plural: "events", namespaced: true },
        { namespace: world.namespace },
      );
      return list.items.find(
        (e) => e.regarding?.name === name && e.reason === reason && e.type === "Warning",
      );
    },
    { timeoutMs: 30_000, intervalMs: 250, description: `a ${reason} Warning about ${name}` },
  );
}

async function running(world: OperatorWorld, name: string): Promise<void> {
  await waitFor(
    async () => ((await readContract(world, name))?.status?.readyReplicas === 1 ? true : undefined),
    {
      timeoutMs: 90_000,
      intervalMs: 250,
      description: `${name} running once fixed`,
    },
  );
}

function payerSecret(world: OperatorWorld, name: string, privateKey: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: world.namespace },
    data: { privateKey: Buffer.from(privateKey).toString("base64") },
  } as KubeObject;
}

describe("operator bad input: conditions and Events that say what is wrong, retried until fixed", function () {
  const suite = operatorSuite(this, { nodes: 1, timeoutMs: 300_000 });
  let world: OperatorWorld;
  before(() => ({ world } = suite));

  it("a missing payer Secret: PayerSecretMissing naming the Secret, then runs once it exists", async () => {
    await applyContract(world, { name: "no-secret", secretName: "late-key" });
    const cc = await condition(world, "no-secret", "Opened", "PayerSecretMissing");
    const message = cc.status!.conditions!.find((c) => c.type === "Opened")!.message;
    expect(message).to.include(`Secret ${world.namespace}/late-key does not exist`);
    expect((await warning(world, "no-secret", "PayerSecretMissing")).note).to.include("late-key");
    await world.client.create(SECRET, payerSecret(world, "late-key", world.payer.privateKey));
    await running(world, "no-secret");
  });

  it("an unknown escrow contract id: EscrowNotFound naming the id", async () => {
    await applyContract(world, { name: "ghost", escrowContractId: "0123456789abcdef0123" });
    const cc = await condition(world, "ghost", "Opened", "EscrowNotFound");
    expect(cc.status!.conditions!.find((c) => c.type === "Opened")!.message).to.include(
      "0123456789abcdef0123",
    );
    expect(cc.status!.phase).to.equal("Failed");
    expect((await warning(world, "ghost", "EscrowNotFound")).note).to.include("does not exist on chain");
  });

  it("a payer without funds: InsufficientPayerBalance with the amounts, then runs once funded", async () => {
    const poor = randomWallet();
    await world.client.create(SECRET, payerSecret(world, "poor-key", poor.privateKey));
    await applyContract(world, { name: "poor", secretName: "poor-key", budget: 1_000_000n });
    const cc = await condition(world, "poor", "Funded", "InsufficientPayerBalance");
    const message = cc.status!.conditions!.find((c) => c.type === "Funded")!.message;
    expect(message).to.include(poor.address.toLowerCase()).and.to.include("budget 1000000");
    expect(message, "the key itself never appears").to.not.include(poor.privateKey.slice(2));
    await warning(world, "poor", "InsufficientPayerBalance");
    await world.chain.client.submit(world.payer, TransferMsg, { to: poor.address, amount: 10_000_000n });
    await running(world, "poor");
  });

  it("a payer Secret gone before its contract (a namespace deleted whole): the contract lets go, the escrow stays on chain", async () => {
    const payer = randomWallet();
    await world.chain.client.submit(world.payer, TransferMsg, { to: payer.address, amount: 10_000_000n });
    await world.client.create(SECRET, payerSecret(world, "doomed-key", payer.privateKey));
    await applyContract(world, { name: "orphan", secretName: "doomed-key", budget: 1_000_000n });
    await running(world, "orphan");
    const contractId = (await readContract(world, "orphan"))!.status!.contractId!;
    await world.client.delete(SECRET, { namespace: world.namespace, name: "doomed-key" });
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "orphan" });
    const event = await warning(world, "orphan", "PayerSecretGone");
    expect(event.note).to.include(contractId).and.to.include(`uranus tx contract close ${contractId}`);
    await waitFor(async () => ((await readContract(world, "orphan")) === undefined ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: "the orphaned contract gone",
    });
    const onChain = await suite.reader.market.contract(contractId);
    expect(onChain?.state, "the escrow is still on chain for its payer").to.not.equal("closed");
    expect(onChain!.refunded, "nothing refunded without the payer").to.equal(0n);
    expect(onChain!.escrow + onChain!.spent).to.equal(onChain!.deposited);
    expect(onChain!.activeLeases, "no replica left billing").to.equal(0);
  });

  it("an unreachable chain: says the chain cannot be reached, then converges when it is back", async () => {
    await world.chain.pause();
    try {
      await applyContract(world, { name: "offline" });
      const cc = await condition(world, "offline", "Opened", "ChainRejected");
      expect(cc.status!.conditions!.find((c) => c.type === "Opened")!.message).to.include(
        "cannot be reached",
      );
      await warning(world, "offline", "ChainUnreachable");
    } finally {
      await world.chain.resume();
    }
    await running(world, "offline");
  });
});
