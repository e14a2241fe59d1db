import { expect } from "chai";
import { BankKeeper } from "../../../../../chain-sidecar/modules/bank/bank-keeper.js";
import {
  CloseContractMsg,
  RecordLeaseMsg,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { MarketKeeper } from "../../../../../chain-sidecar/modules/market/market-keeper.js";
import { settlementReader } from "../../../../../chain-sidecar/modules/metering/settlement-retention.js";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { DemandKeeper } from "../../../../../chain-sidecar/modules/poc/demand-keeper.js";
import { PocKeeper } from "../../../../../chain-sidecar/modules/poc/poc-keeper.js";
import { StakingKeeper } from "../../../../../chain-sidecar/modules/staking/staking-keeper.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { chainWithPayerAndNode, leasePod, oneRecordBatch, openContract } from "../metering/contract-steps.js";
import { address, auditEconomy, type EconomyChain } from "./economy-harness.js";

describe("market: handing a contract over to another operator (federation failover)", () => {
  const payer = address("handover-payer");
  const owner = address("handover-owner");
  const before = address("handover-before");
  const after = address("handover-after");
  let chain: EconomyChain;
  let market: MarketKeeper;

  const contract = (id: string) =>
    chain.query<{ contract: { operator: string; activeLeases: number; state: string } }>(
      `/contract/${id}/view`,
    ).contract;
  const lease = (id: string, podUid: string) => ({
    contractId: id,
    replica: 0n,
    nodeId: "node-a",
    podUid,
    startedAt: BigInt(chain.seconds),
  });

  beforeEach(() => {
    chain = chainWithPayerAndNode({ payer, owner });
    const bank = new BankKeeper();
    const poc = new PocKeeper(new StakingKeeper(bank));
    market = new MarketKeeper(bank, poc, new DemandKeeper(), settlementReader);
  });

  afterEach(() => {
    const audit = auditEconomy(chain.state);
    expect(audit.negatives).to.deep.equal([]);
    expect(audit.held).to.equal(audit.supply);
  });

  it("ends the active leases as failed, not before what is billed, and moves the operator", () => {
    const id = openContract(chain, payer, { operator: before });
    const t0 = chain.seconds;
    chain.ok(before, RecordLeaseMsg, lease(id, "pod-1"));
    chain.endBlock(60);
    // Metering may bill a little ahead of the block time (clock skew): the lease cannot end before that.
    chain.ok(owner, MeteringBatchMsg, oneRecordBatch(owner, "pod-1", id, "node-a", t0, t0 + 80));
    const ended = market.handOver(chain.state, id, after, chain.block);
    expect(ended.map((l) => [l.podUid, l.outcome, l.endedAt])).to.deep.equal([["pod-1", "failed", t0 + 80]]);
    expect(chain.query<{ outcome: string; endedAt: number }>("/lease/pod-1")).to.deep.include({
      outcome: "failed",
      endedAt: t0 + 80,
    });
    expect(contract(id)).to.deep.include({ operator: after, activeLeases: 0 });
    expect(chain.query<{ activeLeases: number }>("/poc/node/node-a").activeLeases).to.equal(0);

    const refused = chain.deliver(before, RecordLeaseMsg, lease(id, "pod-2"));
    expect(refused.code).to.equal(ResultCode.UNAUTHORISED);
    expect(refused.log).to.contain("RecordLease").and.contain(before);
    chain.ok(after, RecordLeaseMsg, lease(id, "pod-3"));
  });

  it("hands over to nobody, leaving the payer alone to manage the contract", () => {
    const id = openContract(chain, payer, { operator: before });
    leasePod(chain, payer, { contractId: id, podUid: "pod-1" });
    chain.endBlock(10);
    market.handOver(chain.state, id, "", chain.block);
    expect(contract(id).operator).to.equal("");
    expect(chain.deliver(before, RecordLeaseMsg, lease(id, "pod-2")).code).to.equal(ResultCode.UNAUTHORISED);
    chain.ok(payer, RecordLeaseMsg, lease(id, "pod-3"));
  });

  it("leaves a closed contract alone", () => {
    const id = openContract(chain, payer, { operator: before });
    chain.ok(payer, CloseContractMsg, { contractId: id });
    expect(market.handOver(chain.state, id, after, chain.block)).to.deep.equal([]);
    expect(contract(id)).to.deep.include({ operator: before, state: "closed" });
  });
});
