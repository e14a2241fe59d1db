import { expect } from "chai";
import {
  ClusterHeartbeatMsg,
  OpenOrderMsg,
  type OpenOrder,
} from "../../../../../chain-sidecar/modules/federation/federation-messages.js";
import { CloseContractMsg } from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { contractIdFor } from "../../../../../chain-sidecar/modules/market/market-records.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { auditEconomy, type EconomyChain } from "../market/economy-harness.js";
import {
  cluster,
  eventsOf,
  federationChain,
  join,
  member,
  openOrder,
  order,
  orderTerms,
} from "./federation-fixtures.js";

describe("federation: orders open a contract and are assigned at block end", () => {
  const payer = member("order-payer").address;
  const eu = member("eu");
  const us = member("us");
  const tiny = member("tiny");
  let chain: EconomyChain;

  beforeEach(() => {
    chain = federationChain(payer);
  });

  afterEach(() => {
    const audit = auditEconomy(chain.state);
    expect(audit.negatives).to.deep.equal([]);
    expect(audit.held).to.equal(audit.supply);
  });

  it("opens the contract with the id OpenContract derives and moves the budget into escrow", () => {
    join(chain, "eu", eu, 0n);
    const before = chain.balance(payer);
    const terms = orderTerms("eu", { budget: 5_000n, regions: ["us-east", "eu-west"] });
    const opened = chain.ok(payer, OpenOrderMsg, terms);
    const id = contractIdFor(payer, "eu", terms.clientRef);
    expect(eventsOf(opened.events, "contract_opened")[0]).to.deep.include({ contract: id, budget: "5000" });
    expect(eventsOf(opened.events, "order_opened")).to.deep.equal([
      { contract: id, payer, home_cluster: "eu", placement: "any", isolation: "", scu: "2" },
    ]);
    expect(chain.balance(payer)).to.equal(before - 5_000n);
    const contract = chain.query<{
      contract: { payer: string; operator: string; escrow: { remaining: string } };
    }>(`/contract/${id}/view`).contract;
    expect(contract).to.deep.include({ payer, operator: "" });
    expect(contract.escrow.remaining).to.equal("5000");
    expect(order(chain, id)).to.deep.include({
      contractId: id,
      payer,
      homeCluster: "eu",
      state: "open",
      epoch: 0,
      scu: 2,
      regions: ["eu-west", "us-east"],
      workload: '{"image":"nginx:1.27","ports":[{"name":"http","port":80}]}',
    });
    expect(chain.query<{ contractId: string }[]>("/orders/open").map((o) => o.contractId)).to.deep.equal([
      id,
    ]);
  });

  it("refuses a repeat as DUPLICATE, without a second order or a second debit", () => {
    join(chain, "eu", eu, 0n);
    const terms = orderTerms("eu");
    const id = openOrder(chain, payer, terms);
    const balance = chain.balance(payer);
    const again = chain.deliver(payer, OpenOrderMsg, terms);
    expect(again.code).to.equal(ResultCode.DUPLICATE);
    expect(again.log).to.contain("OpenOrder.clientRef").and.contain(id);
    expect(chain.balance(payer)).to.equal(balance);
    expect(chain.query<unknown[]>("/orders/open")).to.have.length(1);
  });

  it("needs a registered home cluster", () => {
    const result = chain.deliver(payer, OpenOrderMsg, orderTerms("nowhere"));
    expect(result.code).to.equal(ResultCode.NOT_FOUND);
    expect(result.log).to.contain("OpenOrder.clusterId");
  });

  const refusals: [string, Partial<OpenOrder>, string][] = [
    ["no JSON", { workload: "image: nginx" }, "OpenOrder.workload: not JSON"],
    ["an array", { workload: "[]" }, "OpenOrder.workload: expected a JSON object"],
    ["no image", { workload: "{}" }, "OpenOrder.workload.image: is required"],
    ["an empty image", { workload: '{"image":""}' }, "OpenOrder.workload.image:"],
    ["an unknown key", { workload: '{"image":"a","volumes":[]}' }, "OpenOrder.workload.volumes: unknown key"],
    [
      "a command that is a string",
      { workload: '{"image":"a","command":"sh"}' },
      "OpenOrder.workload.command:",
    ],
    [
      "an argument that is a number",
      { workload: '{"image":"a","args":["-p",1]}' },
      "OpenOrder.workload.args[1]:",
    ],
    [
      "a port as a string",
      { workload: '{"image":"a","ports":[{"name":"http","port":"80"}]}' },
      "OpenOrder.workload.ports[0].port:",
    ],
    [
      "an unknown protocol",
      { workload: '{"image":"a","ports":[{"name":"dns","port":53,"protocol":"SCTP"}]}' },
      "OpenOrder.workload.ports[0].protocol:",
    ],
    [
      "an unknown key in a port",
      { workload: '{"image":"a","ports":[{"name":"h","port":1,"hostPort":1}]}' },
      "OpenOrder.workload.ports[0].hostPort: unknown key",
    ],
    [
      "a port name twice",
      { workload: '{"image":"a","ports":[{"name":"h","port":1},{"name":"h","port":2}]}' },
      "OpenOrder.workload.ports[1].name:",
    ],
    [
      "an env value that is a number",
      { workload: '{"image":"a","env":[{"name":"A","value":1}]}' },
      "OpenOrder.workload.env[0].value:",
    ],
    [
      "a workload over maxWorkloadBytes",
      { workload: JSON.stringify({ image: "a".repeat(20_000) }) },
      "OpenOrder.workload: 20012 bytes",
    ],
    ["an unknown placement", { placement: "home" }, "OpenOrder.placement:"],
    ["an unknown runtime", { isolation: "docker" }, "OpenOrder.isolation:"],
    ["no home cluster", { clusterId: "" }, "OpenOrder.clusterId:"],
    ["zero SCU, as OpenContract refuses it", { scuPerReplica: 0n }, "OpenOrder.scuPerReplica:"],
    ["a budget short of one interval", { budget: 1n }, "OpenOrder.budget:"],
    ["a region twice", { regions: ["eu-west", "eu-west"] }, "OpenOrder.regions[1]:"],
  ];
  for (const [name, overrides, text] of refusals) {
    it(`refuses ${name} as INVALID_FIELD naming ${text.split(":")[0]}`, () => {
      join(chain, "eu", eu, 0n);
      const result = chain.deliver(payer, OpenOrderMsg, orderTerms("eu", overrides));
      expect(result.code, result.log).to.equal(ResultCode.INVALID_FIELD);
      expect(result.log).to.contain(text);
      expect(chain.query<unknown[]>("/orders/open")).to.deep.equal([]);
    });
  }

  it("assigns each order to a cluster that has the capacity, a shared region and the runtime", () => {
    join(chain, "eu", eu, 100n, { regions: ["eu-west"], isolation: ["runc"] });
    join(chain, "us", us, 100n, { regions: ["us-east"], isolation: ["kata", "runc"] });
    join(chain, "tiny", tiny, 1n, { regions: ["eu-west"], isolation: ["kata", "runc"] });
    const toUs = openOrder(chain, payer, orderTerms("eu", { regions: ["us-east"] }));
    const nowhere = openOrder(chain, payer, orderTerms("eu", { regions: ["eu-west"], isolation: "kata" }));
    const awayFromHome = openOrder(
      chain,
      payer,
      orderTerms("eu", { placement: "others", scuPerReplica: 3n }),
    );
    const toEu = openOrder(
      chain,
      payer,
      orderTerms("us", { regions: ["eu-west", "ap-south"], isolation: "runc" }),
    );
    const assigned = eventsOf(chain.endBlock(), "order_assigned");
    const where = Object.fromEntries(assigned.map((a) => [a.contract!, a.cluster!] as const));
    expect(where).to.deep.equal({ [toUs]: "us", [awayFromHome]: "us", [toEu]: "eu" });
    expect(assigned.find((a) => a.contract === toEu)).to.deep.equal({
      contract: toEu,
      cluster: "eu",
      epoch: "1",
      operator: eu.address,
    });
    expect(order(chain, nowhere)).to.deep.include({ state: "open", assignedCluster: "", epoch: 0 });
    expect(order(chain, toUs)).to.deep.include({
      state: "assigned",
      assignedCluster: "us",
      epoch: 1,
      assignedHeight: 1,
    });
    expect(cluster(chain, "us")).to.deep.include({ freeScu: 100 - 2 - 3, assigned: 2 });
    expect(cluster(chain, "eu")).to.deep.include({ freeScu: 98, assigned: 1 });
    // The cluster that holds the order operates its contract.
    const contract = chain.query<{ contract: { operator: string } }>(`/contract/${toEu}/view`).contract;
    expect(contract.operator).to.equal(eu.address);
    const ofUs = chain.query<{ contractId: string }[]>("/orders/cluster/us").map((o) => o.contractId);
    expect(ofUs).to.deep.equal([toUs, awayFromHome].sort());
    expect(chain.query<{ contractId: string }[]>("/orders/open").map((o) => o.contractId)).to.deep.equal([
      nowhere,
    ]);
  });

  it("never assigns more SCU to a cluster in one block than it said it has free", () => {
    join(chain, "eu", eu, 5n);
    const first = openOrder(chain, payer, orderTerms("eu", { scuPerReplica: 3n }));
    const second = openOrder(chain, payer, orderTerms("eu", { scuPerReplica: 3n }));
    const assigned = eventsOf(chain.endBlock(), "order_assigned");
    expect(assigned).to.have.length(1);
    expect(cluster(chain, "eu")).to.deep.include({ freeScu: 2, assigned: 1 });
    const waiting = [first, second].find((id) => id !== assigned[0]!.contract)!;
    expect(order(chain, waiting).state).to.equal("open");
    // The next heartbeat's report makes room again.
    join(chain, "eu", eu, 10n);
    expect(eventsOf(chain.endBlock(), "order_assigned").map((a) => a.contract)).to.deep.equal([waiting]);
  });

  it("assigns at most maxAssignmentsPerBlock orders per block, the rest the blocks after", () => {
    chain = federationChain(payer, { federation: { maxAssignmentsPerBlock: 2 } });
    join(chain, "eu", eu, 100n);
    for (let i = 0; i < 5; i++) openOrder(chain, payer, orderTerms("eu"));
    expect(eventsOf(chain.endBlock(), "order_assigned")).to.have.length(2);
    expect(eventsOf(chain.endBlock(), "order_assigned")).to.have.length(2);
    expect(eventsOf(chain.endBlock(), "order_assigned")).to.have.length(1);
  });

  it("drops an open order when its contract closes, and an assigned one at its cluster's next heartbeat", () => {
    join(chain, "eu", eu, 2n);
    const held = openOrder(chain, payer, orderTerms("eu"));
    chain.endBlock();
    const waiting = openOrder(chain, payer, orderTerms("eu"));
    for (const id of [held, waiting]) chain.ok(payer, CloseContractMsg, { contractId: id });
    expect(eventsOf(chain.endBlock(), "order_closed")).to.deep.equal([{ contract: waiting, cluster: "" }]);
    expect(order(chain, held).state).to.equal("assigned");
    const beat = chain.ok(eu.address, ClusterHeartbeatMsg, { clusterId: "eu", freeScu: 2n });
    expect(eventsOf(beat.events, "order_closed")).to.deep.equal([{ contract: held, cluster: "eu" }]);
    expect(() => order(chain, held)).to.throw(/has no order/);
    expect(cluster(chain, "eu").assigned).to.equal(0);
    expect(chain.query<unknown[]>("/orders/cluster/eu")).to.deep.equal([]);
  });
});
