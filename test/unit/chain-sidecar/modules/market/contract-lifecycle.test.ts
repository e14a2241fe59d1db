import { expect } from "chai";
import {
  CloseContractMsg,
  EndLeaseMsg,
  OpenContractMsg,
  RecordLeaseMsg,
  TopUpContractMsg,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { RegisterNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { EconomyChain, address, auditEconomy } from "./economy-harness.js";
import { batchOf, contractTerms, meterRecord, nodeOffer, openedId } from "./economy-fixtures.js";

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

  beforeEach(() => {
    chain = new EconomyChain({
      accounts: [{ address: payer, balance: START }],
      params: { metering: { feeBps: 200 } },
    });
    chain.ok(owner, RegisterNodeMsg, nodeOffer("node-a", { pricePerScuHour: 3_600n }));
  });

  afterEach(() => {
    const audit = auditEconomy(chain.state);
    expect(audit.negatives).to.deep.equal([]);
    expect(audit.held).to.equal(audit.supply);
  });

  it("moves the budget into escrow, pauses when escrow cannot pay one more interval, resumes on top-up, refunds exactly on close", () => {
    // One lease at 3600 per SCU-hour × 2 SCU costs 120 per 60 s interval; the budget pays two intervals and a half.
    const opened = chain.ok(payer, OpenContractMsg, contractTerms({ budget: 300n }));
    const id = openedId(opened.events);
    expect(chain.balance(payer)).to.equal(START - 300n);
    expect(contract(id).escrow.remaining).to.equal("300");
    const t0 = chain.seconds;
    chain.ok(payer, RecordLeaseMsg, {
      contractId: id,
      replica: 0n,
      nodeId: "node-a",
      podUid: "pod-1",
      startedAt: BigInt(t0),
    });

    chain.endBlock(60);
    chain.ok(owner, MeteringBatchMsg, batchOf(owner, [meterRecord("pod-1", id, "node-a", t0, t0 + 60)]));
    expect(contract(id).state).to.equal("open");
    expect(chain.balance(owner)).to.equal(120n - 2n); // 2 % fee of 120, rounded down

    chain.endBlock(60);
    const second = chain.ok(
      owner,
      MeteringBatchMsg,
      batchOf(owner, [meterRecord("pod-1", id, "node-a", t0 + 60, t0 + 120)]),
    );
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
    chain.ok(
      owner,
      MeteringBatchMsg,
      batchOf(owner, [meterRecord("pod-1", id, "node-a", t0 + 120, t0 + 180)]),
    );
    expect(contract(id).escrow).to.deep.include({ remaining: "0", spent: "300", unpaid: "60" });
    const pod = chain.query<{ charged: string; unpaid: string; seconds: number }>("/settlement/pod/pod-1");
    expect(pod).to.deep.include({ charged: "300", unpaid: "60", seconds: 180 });

    const topUp = chain.ok(payer, TopUpContractMsg, { contractId: id, amount: 1_000n });
    expect(types(topUp.events)).to.include("contract_resumed");
    expect(contract(id).state).to.equal("open");

    chain.endBlock(30);
    chain.ok(
      owner,
      MeteringBatchMsg,
      batchOf(owner, [meterRecord("pod-1", id, "node-a", t0 + 180, t0 + 210)]),
    );
    const beforeClose = chain.balance(payer);
    const closed = chain.ok(payer, CloseContractMsg, { contractId: id });
    expect(types(closed.events)).to.include("contract_closed");
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
    const id = openedId(chain.ok(payer, OpenContractMsg, contractTerms()).events);
    const t0 = chain.seconds;
    chain.ok(payer, RecordLeaseMsg, {
      contractId: id,
      replica: 0n,
      nodeId: "node-a",
      podUid: "pod-1",
      startedAt: BigInt(t0),
    });
    chain.endBlock(60);
    chain.ok(payer, CloseContractMsg, { contractId: id });
    const earned = chain.balance(owner);
    const late = chain.deliver(
      owner,
      MeteringBatchMsg,
      batchOf(owner, [meterRecord("pod-1", id, "node-a", t0, t0 + 60)]),
    );
    expect(late.code).to.equal(ResultCode.WRONG_STATE);
    expect(late.log).to.contain("records[0].contractId");
    expect(chain.balance(owner)).to.equal(earned);
    expect(chain.deliver(payer, TopUpContractMsg, { contractId: id, amount: 5n }).code).to.equal(
      ResultCode.WRONG_STATE,
    );
    expect(chain.deliver(payer, CloseContractMsg, { contractId: id }).code).to.equal(ResultCode.WRONG_STATE);
  });

  it("closes an expired contract after the grace period and refunds the rest; its leases end as completed", () => {
    const id = openedId(
      chain.ok(payer, OpenContractMsg, contractTerms({ durationSeconds: 120n, budget: 10_000n })).events,
    );
    const t0 = chain.seconds;
    chain.ok(payer, RecordLeaseMsg, {
      contractId: id,
      replica: 0n,
      nodeId: "node-a",
      podUid: "pod-1",
      startedAt: BigInt(t0),
    });
    chain.endBlock(120);
    const tooLate = chain.deliver(
      owner,
      MeteringBatchMsg,
      batchOf(owner, [meterRecord("pod-1", id, "node-a", t0, t0 + 121)]),
    );
    expect(tooLate.code).to.equal(ResultCode.INVALID_FIELD);
    expect(tooLate.log).to.contain("records[0].toTime");
    chain.ok(owner, MeteringBatchMsg, batchOf(owner, [meterRecord("pod-1", id, "node-a", t0, t0 + 120)]));
    expect(contract(id).state).to.equal("open");
    const events = chain.endBlocks(400, 1);
    expect(types(events)).to.include("contract_closed");
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
    const id = openedId(chain.ok(payer, OpenContractMsg, contractTerms()).events);
    const t0 = chain.seconds;
    chain.ok(payer, RecordLeaseMsg, {
      contractId: id,
      replica: 0n,
      nodeId: "node-a",
      podUid: "pod-1",
      startedAt: BigInt(t0),
    });
    chain.endBlock(100);
    chain.ok(payer, EndLeaseMsg, {
      contractId: id,
      podUid: "pod-1",
      endedAt: BigInt(t0 + 90),
      outcome: "migrated",
    });
    const over = chain.deliver(
      owner,
      MeteringBatchMsg,
      batchOf(owner, [meterRecord("pod-1", id, "node-a", t0, t0 + 91)]),
    );
    expect(over.code).to.equal(ResultCode.INVALID_FIELD);
    expect(over.log).to.contain("records[0].toTime");
    chain.ok(owner, MeteringBatchMsg, batchOf(owner, [meterRecord("pod-1", id, "node-a", t0, t0 + 90)]));
    expect(chain.query<{ seconds: number }>("/settlement/pod/pod-1").seconds).to.equal(90);
    // The replica is free again, for the pod that replaces the migrated one.
    chain.ok(payer, RecordLeaseMsg, {
      contractId: id,
      replica: 0n,
      nodeId: "node-a",
      podUid: "pod-2",
      startedAt: BigInt(chain.seconds),
    });
    expect(
      chain.query<{ contract: { migrations: number; activeLeases: number } }>(`/contract/${id}/view`)
        .contract,
    ).to.deep.include({
      migrations: 1,
      activeLeases: 1,
    });
  });
});
