import { expect } from "chai";
import {
  CloseContractMsg,
  EndLeaseMsg,
  RecordLeaseMsg,
  TopUpContractMsg,
  type OpenContract,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import type { ChainEvent } from "../../../../../chain-sidecar/modules/exec-context.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { chainWithPayerAndNode, leasePod, oneRecordBatch, openContract } from "../metering/contract-steps.js";
import { address, auditEconomy, type Delivered, type EconomyChain } from "./economy-harness.js";
import { nodeOffer } from "./economy-fixtures.js";

interface ContractJson {
  state: string;
  closeReason: string;
  escrow: { deposited: string; spent: string; remaining: string; refunded: string; unpaid: string };
}

describe("market: a contract's life — escrow, pause on low funds, top-up, close and expiry", () => {
  const payer = address("payer");
  const owner = address("owner");
  const START = 1_000_000_000n;
  let chain: EconomyChain;

  function contract(id: string): ContractJson {
    return chain.query<{ contract: ContractJson }>(`/contract/${id}/view`).contract;
  }

  function types(events: readonly { type: string }[]): string[] {
    return events.map((e) => e.type);
  }

  /** The leases the events say ended: followers of a node learn of its leases ending from these alone. */
  function leaseEnded(events: readonly ChainEvent[]) {
    return events
      .filter((e) => e.type === "lease_ended")
      .map((e) => Object.fromEntries(e.attributes))
      .map(({ pod, node, outcome }) => ({ pod, node, outcome }));
  }

  /** Opens a contract and leases pod-1 on node-a from now; t0 is when the lease starts. */
  function openWithPod(terms: Partial<OpenContract> = {}): { id: string; t0: number } {
    const id = openContract(chain, payer, terms);
    const t0 = chain.seconds;
    leasePod(chain, payer, { contractId: id, podUid: "pod-1", startedAt: t0 });
    return { id, t0 };
  }

  /** node-a's owner bills pod-1 of contract `id` for [from, to). */
  function meterPod(id: string, from: number, to: number): Delivered {
    return chain.deliver(owner, MeteringBatchMsg, oneRecordBatch(owner, "pod-1", id, "node-a", from, to));
  }

  beforeEach(() => {
    chain = chainWithPayerAndNode({
      payer,
      balance: START,
      owner,
      node: nodeOffer("node-a", { pricePerScuHour: 3_600n }),
      params: { metering: { feeBps: 200 } },
    });
  });

  afterEach(() => {
    const audit = auditEconomy(chain.state);
    expect(audit.negatives).to.deep.equal([]);
    expect(audit.held).to.equal(audit.supply);
  });

  it("moves the budget into escrow, pauses when escrow cannot pay one more interval, resumes on top-up, refunds exactly on close", () => {
    // One lease at 3600 per SCU-hour × 2 SCU costs 120 per 60 s interval; the budget pays two intervals and a half.
    const id = openContract(chain, payer, { budget: 300n });
    expect(chain.balance(payer)).to.equal(START - 300n);
    expect(contract(id).escrow.remaining).to.equal("300");
    const t0 = chain.seconds;
    leasePod(chain, payer, { contractId: id, podUid: "pod-1", startedAt: t0 });

    chain.endBlock(60);
    expect(meterPod(id, t0, t0 + 60).code).to.equal(ResultCode.OK);
    expect(contract(id).state).to.equal("open");
    expect(chain.balance(owner)).to.equal(120n - 2n); // 2 % fee of 120, rounded down

    chain.endBlock(60);
    const second = meterPod(id, t0 + 60, t0 + 120);
    expect(second.code).to.equal(ResultCode.OK);
    expect(types(second.events)).to.include("contract_paused");
    expect(contract(id).state).to.equal("paused");
    expect(contract(id).escrow.remaining).to.equal("60");

    const blocked = chain.deliver(payer, RecordLeaseMsg, {
      contractId: id,
      replica: 0n,
      nodeId: "node-a",
      podUid: "pod-2",
      startedAt: BigInt(chain.seconds),
    });
    expect(blocked.code).to.equal(ResultCode.WRONG_STATE);
    expect(blocked.log).to.match(/RecordLease\.contractId: .* is paused/);

    // The pods were not scaled away in time: the third interval is settled up to what escrow holds.
    chain.endBlock(60);
    expect(meterPod(id, t0 + 120, t0 + 180).code).to.equal(ResultCode.OK);
    expect(contract(id).escrow).to.deep.include({ remaining: "0", spent: "300", unpaid: "60" });
    const pod = chain.query<{ charged: string; unpaid: string; seconds: number }>("/settlement/pod/pod-1");
    expect(pod).to.deep.include({ charged: "300", unpaid: "60", seconds: 180 });

    const topUp = chain.ok(payer, TopUpContractMsg, { contractId: id, amount: 1_000n });
    expect(types(topUp.events)).to.include("contract_resumed");
    expect(contract(id).state).to.equal("open");

    chain.endBlock(30);
    expect(meterPod(id, t0 + 180, t0 + 210).code).to.equal(ResultCode.OK);
    const beforeClose = chain.balance(payer);
    const closed = chain.ok(payer, CloseContractMsg, { contractId: id });
    expect(types(closed.events)).to.include("contract_closed");
    expect(leaseEnded(closed.events)).to.deep.equal([
      { pod: "pod-1", node: "node-a", outcome: "contract_closed" },
    ]);
    const final = contract(id);
    expect(final.state).to.equal("closed");
    // 1300 deposited, 300 + 60 spent, so 940 comes back.
    expect(final.escrow).to.deep.include({
      deposited: "1300",
      spent: "360",
      refunded: "940",
      remaining: "0",
    });
    expect(chain.balance(payer)).to.equal(beforeClose + 940n);
    expect(chain.balance(payer)).to.equal(START - 1300n + 940n);
  });

  it("takes no more charges once closed", () => {
    const { id, t0 } = openWithPod();
    chain.endBlock(60);
    chain.ok(payer, CloseContractMsg, { contractId: id });
    const earned = chain.balance(owner);
    const late = meterPod(id, t0, t0 + 60);
    expect(late.code).to.equal(ResultCode.WRONG_STATE);
    expect(late.log).to.contain("records[0].contractId");
    expect(chain.balance(owner)).to.equal(earned);
    expect(chain.deliver(payer, TopUpContractMsg, { contractId: id, amount: 5n }).code).to.equal(
      ResultCode.WRONG_STATE,
    );
    expect(chain.deliver(payer, CloseContractMsg, { contractId: id }).code).to.equal(ResultCode.WRONG_STATE);
  });

  it("closes an expired contract after the grace period and refunds the rest; its leases end as completed", () => {
    const { id, t0 } = openWithPod({ durationSeconds: 120n, budget: 10_000n });
    chain.endBlock(120);
    const tooLate = meterPod(id, t0, t0 + 121);
    expect(tooLate.code).to.equal(ResultCode.INVALID_FIELD);
    expect(tooLate.log).to.contain("records[0].toTime");
    expect(meterPod(id, t0, t0 + 120).code).to.equal(ResultCode.OK);
    expect(contract(id).state).to.equal("open");
    const events = chain.endBlocks(400, 1);
    expect(types(events)).to.include("contract_closed");
    expect(leaseEnded(events)).to.deep.equal([{ pod: "pod-1", node: "node-a", outcome: "contract_closed" }]);
    const final = contract(id);
    expect(final.state).to.equal("closed");
    expect(final.closeReason).to.equal("expired");
    expect(final.escrow).to.deep.include({ spent: "240", refunded: String(10_000 - 240), remaining: "0" });
    expect(chain.query<{ outcome: string }>("/lease/pod-1").outcome).to.equal("contract_closed");
    expect(
      chain.query<{ completedLeases: number; activeLeases: number }>("/poc/node/node-a"),
    ).to.deep.include({
      completedLeases: 1,
      activeLeases: 0,
    });
  });

  it("ends a lease and bills only inside it", () => {
    const { id, t0 } = openWithPod();
    chain.endBlock(100);
    chain.ok(payer, EndLeaseMsg, {
      contractId: id,
      podUid: "pod-1",
      endedAt: BigInt(t0 + 90),
      outcome: "migrated",
    });
    const over = meterPod(id, t0, t0 + 91);
    expect(over.code).to.equal(ResultCode.INVALID_FIELD);
    expect(over.log).to.contain("records[0].toTime");
    expect(meterPod(id, t0, t0 + 90).code).to.equal(ResultCode.OK);
    expect(chain.query<{ seconds: number }>("/settlement/pod/pod-1").seconds).to.equal(90);
    // The replica is free again, for the pod that replaces the migrated one.
    leasePod(chain, payer, { contractId: id, podUid: "pod-2" });
    expect(
      chain.query<{ contract: { migrations: number; activeLeases: number } }>(`/contract/${id}/view`)
        .contract,
    ).to.deep.include({
      migrations: 1,
      activeLeases: 1,
    });
  });
});
