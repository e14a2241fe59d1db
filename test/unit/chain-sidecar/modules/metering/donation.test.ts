// A contributor node priced at 0 is donated: it registers, its leases are metered as any other, and every interval
// settles 0, so the payer's escrow and the contributor's balance stay as they were.
import { expect } from "chai";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { RegisterNodeMsg, UpdateNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { EconomyChain, address } from "../market/economy-harness.js";
import { nodeOffer } from "../market/economy-fixtures.js";
import { chainWithPayerAndNode, leasePod, oneRecordBatch, openContract } from "./contract-steps.js";

describe("metering: a donated node (price 0)", () => {
  const payer = address("donation-payer");
  const owner = address("donor");

  it("registers, runs a lease and settles every metered second at 0", () => {
    const node = nodeOffer("node-free", { pricePerScuHour: 0n });
    const chain = chainWithPayerAndNode({ payer, owner, node });
    expect(chain.query<{ pricePerScuHour: string }>("/poc/node/node-free").pricePerScuHour).to.equal("0");
    const id = openContract(chain, payer, { budget: 1_000_000n });
    const t0 = chain.seconds;
    leasePod(chain, payer, { contractId: id, nodeId: "node-free", podUid: "pod-free", startedAt: t0 });
    const ownerBefore = chain.balance(owner);
    for (let i = 0; i < 3; i++) {
      chain.endBlock(60);
      const [from, to] = [t0 + 60 * i, t0 + 60 * (i + 1)];
      chain.ok(owner, MeteringBatchMsg, oneRecordBatch(owner, "pod-free", id, "node-free", from, to));
    }
    const settled = chain.query<{ seconds: number; charged: string; fee: string; intervals: number }>(
      "/settlement/pod/pod-free",
    );
    expect(settled).to.deep.include({ seconds: 180, charged: "0", fee: "0", intervals: 3 });
    const { contract } = chain.query<{
      contract: { state: string; escrow: { remaining: string; spent: string } };
    }>(`/contract/${id}/view`);
    expect(contract.state).to.equal("open");
    expect(contract.escrow).to.deep.include({ remaining: "1000000", spent: "0" });
    expect(chain.balance(owner)).to.equal(ownerBefore);
  });

  it("lets an owner start and stop donating a node", () => {
    const chain = new EconomyChain({ accounts: [] });
    chain.ok(owner, RegisterNodeMsg, nodeOffer("node-a"));
    for (const price of [0n, 5_000n]) {
      chain.ok(owner, UpdateNodeMsg, {
        nodeId: "node-a",
        pricePerScuHour: price,
        operator: nodeOffer("x").operator,
      });
      expect(chain.query<{ pricePerScuHour: string }>("/poc/node/node-a").pricePerScuHour).to.equal(
        String(price),
      );
    }
  });
});
