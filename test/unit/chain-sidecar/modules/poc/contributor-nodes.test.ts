import { expect } from "chai";
import {
  EndLeaseMsg,
  RateContributorMsg,
  RecordBreachMsg,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import {
  DeregisterNodeMsg,
  HeartbeatMsg,
  RegisterNodeMsg,
  UpdateNodeMsg,
} from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { EconomyChain, address } from "../market/economy-harness.js";
import { nodeOffer } from "../market/economy-fixtures.js";
import { chainWithPayerAndNode, leasePod, openContract } from "../metering/contract-steps.js";

interface NodeJson {
  online: boolean;
  misses: number;
  heartbeats: number;
  breaches: number;
  completedLeases: number;
  poc: { basic: string; service: string; chain: string; rate: string; total: string };
}

const owner = address("poc-owner");
const operator = address("poc-operator");
const stranger = address("poc-stranger");

function beat(nodeId: string) {
  return { nodeId, cpuMillicores: 0n, memoryBytes: 0n, storageBytes: 0n, bandwidthMbps: 0n };
}

/** A fresh chain with a funded payer, node-a of `owner`, and a contract whose pod-1 runs on node-a. */
function leasedNode(): { chain: EconomyChain; payer: string; id: string } {
  const payer = address("poc-payer");
  const chain = chainWithPayerAndNode({ payer, balance: 10_000_000n, owner });
  const id = openContract(chain, payer);
  leasePod(chain, payer, { contractId: id, podUid: "pod-1" });
  return { chain, payer, id };
}

describe("poc: contributor nodes, heartbeats and scores in module state", () => {
  let chain: EconomyChain;
  const node = (id = "node-a"): NodeJson => chain.query<NodeJson>(`/poc/node/${id}`);
  const total = (id = "node-a"): bigint => BigInt(node(id).poc.total);

  beforeEach(() => {
    chain = new EconomyChain({
      accounts: [{ address: owner, balance: 10_000_000n }],
      params: { poc: { heartbeatWindowBlocks: 20, halvingBlocks: 1_000 } },
    });
    chain.ok(owner, RegisterNodeMsg, nodeOffer("node-a", { operator }));
  });

  it("accumulates while heartbeats arrive, from the owner or its operator; others are refused", () => {
    chain.endBlocks(10);
    chain.ok(owner, HeartbeatMsg, beat("node-a"));
    const afterTen = total();
    expect(afterTen > 0n).to.equal(true);
    expect(afterTen).to.equal(BigInt(node().poc.rate) * 10n);
    chain.endBlocks(10);
    chain.ok(operator, HeartbeatMsg, beat("node-a"));
    expect(total() > afterTen).to.equal(true);
    const refused = chain.deliver(stranger, HeartbeatMsg, beat("node-a"));
    expect(refused.code).to.equal(ResultCode.UNAUTHORISED);
    expect(refused.log).to.contain("neither the owner nor the operator");
  });

  it("goes offline when heartbeats stop, and then stops accumulating; a heartbeat brings it back without credit for the gap", () => {
    chain.endBlocks(5);
    chain.ok(owner, HeartbeatMsg, beat("node-a"));
    const atLastBeat = total();
    const events = chain.endBlocks(25);
    expect(events.map((e) => e.type)).to.include("node_offline");
    expect(node()).to.deep.include({ online: false, misses: 1 });
    chain.endBlocks(300);
    expect(total(), "no accrual while offline").to.equal(atLastBeat);
    const back = chain.ok(owner, HeartbeatMsg, beat("node-a"));
    expect(back.events.map((e) => e.type)).to.include("node_online");
    expect(total(), "the gap earns nothing").to.equal(atLastBeat);
    chain.endBlocks(10);
    const rate = BigInt(node().poc.rate);
    chain.ok(owner, HeartbeatMsg, beat("node-a"));
    expect(total() - atLastBeat).to.equal(rate * 10n);
  });

  it("halves every node's total at each multiple of T blocks, online or not", () => {
    chain = new EconomyChain({ params: { poc: { heartbeatWindowBlocks: 5, halvingBlocks: 50 } } });
    chain.ok(owner, RegisterNodeMsg, nodeOffer("node-a"));
    chain.ok(owner, RegisterNodeMsg, nodeOffer("node-b"));
    while (chain.height < 49) {
      chain.ok(owner, HeartbeatMsg, beat("node-a"));
      chain.ok(owner, HeartbeatMsg, beat("node-b"));
      chain.endBlock();
    }
    chain.ok(owner, HeartbeatMsg, beat("node-a"));
    chain.ok(owner, HeartbeatMsg, beat("node-b"));
    const before = total("node-b");
    chain.endBlock(); // height 49 ends; node-b stops beating and goes offline at 54
    chain.ok(owner, HeartbeatMsg, beat("node-a"));
    const rate = BigInt(node("node-a").poc.rate);
    chain.endBlock(); // height 50: the first halving boundary
    expect(total("node-a")).to.equal((before + rate) / 2n);
    expect(total("node-b"), "accrued only up to its last heartbeat, then halved").to.equal(before / 2n);
    chain.endBlocks(100); // through heights 100 and 150
    expect(total("node-b")).to.equal(before / 8n);
  });

  it("lowers the service score for SLA breaches and raises it for completed leases and good ratings", () => {
    const leased = leasedNode();
    const { payer, id } = leased;
    chain = leased.chain;
    expect(node().poc.service).to.equal("0");
    chain.ok(payer, EndLeaseMsg, {
      contractId: id,
      podUid: "pod-1",
      endedAt: BigInt(chain.seconds),
      outcome: "completed",
    });
    chain.ok(payer, RateContributorMsg, { contractId: id, nodeId: "node-a", rating: 5n });
    const rewarded = BigInt(node().poc.service);
    expect(rewarded > 0n).to.equal(true);
    chain.ok(payer, RecordBreachMsg, {
      contractId: id,
      replica: 0n,
      nodeId: "node-a",
      podUid: "pod-1",
      kind: "availability",
      seconds: 300n,
    });
    expect(node().breaches).to.equal(1);
    expect(BigInt(node().poc.service) < rewarded).to.equal(true);
    const twice = chain.deliver(payer, RateContributorMsg, { contractId: id, nodeId: "node-a", rating: 1n });
    expect(twice.code).to.equal(ResultCode.DUPLICATE);
    expect(twice.log).to.contain("already rated 5");
  });

  it("counts the owner's stake and votes in the chain score", () => {
    const staker = address("poc-staker");
    chain = new EconomyChain({
      accounts: [{ address: staker, balance: 10_000_000n }],
      validators: [
        {
          operator: staker,
          consensusPubKey: Buffer.alloc(32, 7).toString("base64"),
          deposit: 8_000_000n,
        },
      ],
    });
    chain.ok(owner, RegisterNodeMsg, nodeOffer("node-a"));
    chain.ok(staker, RegisterNodeMsg, nodeOffer("node-s"));
    expect(BigInt(node("node-s").poc.chain) > BigInt(node("node-a").poc.chain)).to.equal(true);
  });

  it("lets only the owner update or deregister, and not while a lease is active", () => {
    expect(
      chain.deliver(operator, UpdateNodeMsg, { nodeId: "node-a", pricePerScuHour: 1n, operator }).code,
    ).to.equal(ResultCode.UNAUTHORISED);
    chain.ok(owner, UpdateNodeMsg, { nodeId: "node-a", pricePerScuHour: 100n, operator });
    const leased = leasedNode();
    const { payer, id } = leased;
    chain = leased.chain;
    const busy = chain.deliver(owner, DeregisterNodeMsg, { nodeId: "node-a" });
    expect(busy.code).to.equal(ResultCode.WRONG_STATE);
    expect(busy.log).to.contain("DeregisterNode.nodeId");
    chain.ok(payer, EndLeaseMsg, {
      contractId: id,
      podUid: "pod-1",
      endedAt: BigInt(chain.seconds),
      outcome: "failed",
    });
    chain.ok(owner, DeregisterNodeMsg, { nodeId: "node-a" });
    expect(() => chain.query("/contributor/node-a")).to.throw(/not registered/);
    expect(chain.query<{ supply: { onlineNodes: number } }>("/poc").supply.onlineNodes).to.equal(0);
  });
});
