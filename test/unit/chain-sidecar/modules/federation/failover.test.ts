import { expect } from "chai";
import {
  ReportOrderMsg,
  SealOrderEnvMsg,
  type ReportOrder,
} from "../../../../../chain-sidecar/modules/federation/federation-messages.js";
import {
  RecordLeaseMsg,
  type RecordLease,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { RegisterNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { address, auditEconomy, type EconomyChain } from "../market/economy-harness.js";
import { nodeOffer } from "../market/economy-fixtures.js";
import {
  beat,
  cluster,
  eventsOf,
  federationChain,
  join,
  member,
  openOrder,
  order,
  orderTerms,
} from "./federation-fixtures.js";

describe("federation: a silent cluster loses its orders to another, in a new epoch that fences it", () => {
  const payer = member("failover-payer").address;
  const first = member("first");
  const second = member("second");
  const owner = address("failover-owner");
  let chain: EconomyChain;
  let id: string;

  const lease = (podUid: string): RecordLease => ({
    contractId: id,
    replica: 0n,
    nodeId: "node-a",
    podUid,
    startedAt: BigInt(chain.seconds),
  });
  const report = (epoch: bigint, phase = "Running"): ReportOrder => ({
    contractId: id,
    epoch,
    phase,
    readyReplicas: 1n,
    endpoints: ["first.example.net:30000"],
  });

  /** `first` holds the order in epoch 1 and runs pod-1 on node-a; `second` has room but no order. */
  beforeEach(() => {
    chain = federationChain(payer);
    chain.ok(owner, RegisterNodeMsg, nodeOffer("node-a"));
    join(chain, "first", first, 10n);
    join(chain, "second", second, 0n);
    id = openOrder(chain, payer, orderTerms("first"));
    expect(eventsOf(chain.endBlock(), "order_assigned")).to.deep.equal([
      { contract: id, cluster: "first", epoch: "1", operator: first.address },
    ]);
    chain.ok(first.address, RecordLeaseMsg, lease("pod-1"));
    chain.ok(first.address, ReportOrderMsg, report(1n));
    beat(chain, "second", second, 10n);
  });

  afterEach(() => {
    const audit = auditEconomy(chain.state);
    expect(audit.negatives).to.deep.equal([]);
    expect(audit.held).to.equal(audit.supply);
  });

  /** Keeps `second` alive while `first` stays silent until it is taken offline; returns the block end's events. */
  function failOver() {
    for (let i = 0; i < 10; i++) {
      beat(chain, "second", second, 10n);
      const events = chain.endBlock();
      if (eventsOf(events, "cluster_offline").length > 0) return events;
    }
    throw new Error("first never went offline");
  }

  it("takes the order from the silent cluster and gives it to a live one in epoch 2", () => {
    expect(order(chain, id)).to.deep.include({ phase: "Running", readyReplicas: 1 });
    const events = failOver();
    expect(eventsOf(events, "cluster_offline")).to.deep.equal([
      { cluster: "first", reason: "heartbeats", orders: "1" },
    ]);
    expect(eventsOf(events, "order_unassigned")).to.deep.equal([
      { contract: id, cluster: "first", epoch: "1" },
    ]);
    expect(eventsOf(events, "order_assigned")).to.deep.equal([
      { contract: id, cluster: "second", epoch: "2", operator: second.address },
    ]);
    expect(order(chain, id)).to.deep.include({
      state: "assigned",
      assignedCluster: "second",
      epoch: 2,
      previousClusters: ["first"],
      phase: "",
      readyReplicas: 0,
      endpoints: [],
    });
    expect(cluster(chain, "first")).to.deep.include({ online: false, failovers: 1, assigned: 0 });
    expect(cluster(chain, "second")).to.deep.include({ online: true, failovers: 0, assigned: 1, freeScu: 8 });
    expect(chain.query<unknown[]>("/orders/cluster/first")).to.deep.equal([]);
  });

  it("hands the contract over: the old operator's lease ends as failed and it may record no more", () => {
    const events = failOver();
    expect(eventsOf(events, "lease_ended")).to.deep.equal([
      { contract: id, pod: "pod-1", node: "node-a", outcome: "failed", ended_at: String(chain.seconds - 1) },
    ]);
    const contract = chain.query<{ contract: { operator: string; activeLeases: number } }>(
      `/contract/${id}/view`,
    );
    expect(contract.contract).to.deep.include({ operator: second.address, activeLeases: 0 });
    expect(chain.query<{ outcome: string; endedAt: number }>("/lease/pod-1")).to.deep.include({
      outcome: "failed",
      endedAt: chain.seconds - 1,
    });
    const refused = chain.deliver(first.address, RecordLeaseMsg, lease("pod-2"));
    expect(refused.code).to.equal(ResultCode.UNAUTHORISED);
    expect(refused.log).to.contain(first.address);
    chain.ok(second.address, RecordLeaseMsg, lease("pod-3"));
  });

  it("fences reports: only the holder, only at the current epoch", () => {
    failOver();
    const stale = chain.deliver(first.address, ReportOrderMsg, report(1n));
    expect(stale.code).to.equal(ResultCode.STALE_EPOCH);
    expect(stale.log).to.contain("ReportOrder.epoch").and.contain("epoch 1").and.contain("current epoch 2");
    const impostor = chain.deliver(first.address, ReportOrderMsg, report(2n));
    expect(impostor.code).to.equal(ResultCode.UNAUTHORISED);
    expect(impostor.log).to.contain("ReportOrder").and.contain("second");
    const ok = chain.ok(second.address, ReportOrderMsg, { ...report(2n, "Pending"), endpoints: [] });
    expect(eventsOf(ok.events, "order_reported")).to.deep.equal([
      { contract: id, cluster: "second", epoch: "2", phase: "Pending", ready_replicas: "1" },
    ]);
    expect(order(chain, id)).to.deep.include({ phase: "Pending", reportedHeight: chain.height });
  });

  it("refuses a report on an open order, malformed phases and endpoints", () => {
    chain = federationChain(payer);
    join(chain, "first", first, 0n);
    id = openOrder(chain, payer, orderTerms("first"));
    const open = chain.deliver(first.address, ReportOrderMsg, report(0n));
    expect(open.code).to.equal(ResultCode.WRONG_STATE);
    expect(open.log).to.contain("ReportOrder.contractId").and.contain("open");
    const rows: [Partial<ReportOrder>, string][] = [
      [{ phase: "" }, "ReportOrder.phase"],
      [{ phase: "Running now" }, "ReportOrder.phase"],
      [{ endpoints: ["first.example.net"] }, "ReportOrder.endpoints[0]"],
      [{ endpoints: ["a:1", "a:0"] }, "ReportOrder.endpoints[1]"],
      [{ endpoints: Array.from({ length: 17 }, (_, i) => `a:${i + 1}`) }, "ReportOrder.endpoints"],
      [{ contractId: "nope" }, "ReportOrder.contractId"],
    ];
    for (const [overrides, field] of rows) {
      const result = chain.deliver(first.address, ReportOrderMsg, { ...report(0n), ...overrides });
      expect(result.code, result.log).to.equal(ResultCode.INVALID_FIELD);
      expect(result.log).to.contain(`${field}:`);
    }
  });

  it("takes the sealed environment only from the payer, only for the current epoch", () => {
    const sealed = `0x${"ab".repeat(64)}`;
    chain.ok(payer, SealOrderEnvMsg, { contractId: id, epoch: 1n, sealed });
    expect(order(chain, id)).to.deep.include({ sealed, sealedEpoch: 1 });
    failOver();
    // The new holder has another key: what was sealed for the old one is gone.
    expect(order(chain, id)).to.deep.include({ sealed: "", sealedEpoch: 0 });
    const stale = chain.deliver(payer, SealOrderEnvMsg, { contractId: id, epoch: 1n, sealed });
    expect(stale.code).to.equal(ResultCode.STALE_EPOCH);
    expect(stale.log).to.contain("SealOrderEnv.epoch");
    const notPayer = chain.deliver(second.address, SealOrderEnvMsg, { contractId: id, epoch: 2n, sealed });
    expect(notPayer.code).to.equal(ResultCode.UNAUTHORISED);
    const notHex = chain.deliver(payer, SealOrderEnvMsg, { contractId: id, epoch: 2n, sealed: "0xabc" });
    expect(notHex.code).to.equal(ResultCode.INVALID_FIELD);
    expect(notHex.log).to.contain("SealOrderEnv.sealed");
    const ok = chain.ok(payer, SealOrderEnvMsg, {
      contractId: id,
      epoch: 2n,
      sealed: sealed.toUpperCase().replace("0X", "0x"),
    });
    expect(eventsOf(ok.events, "order_env_sealed")).to.deep.equal([{ contract: id, epoch: "2" }]);
    expect(order(chain, id)).to.deep.include({ sealed, sealedEpoch: 2 });
  });

  it("refuses a sealed environment over maxSealedEnvBytes", () => {
    chain = federationChain(payer, { federation: { maxSealedEnvBytes: 4 } });
    join(chain, "first", first, 10n);
    id = openOrder(chain, payer, orderTerms("first"));
    chain.endBlock();
    const big = chain.deliver(payer, SealOrderEnvMsg, { contractId: id, epoch: 1n, sealed: "0x0102030405" });
    expect(big.code).to.equal(ResultCode.INVALID_FIELD);
    expect(big.log).to.contain("SealOrderEnv.sealed: 5 bytes");
  });
});
