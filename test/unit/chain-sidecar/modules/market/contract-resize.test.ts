// ResizeContract: a contract grows when its escrow covers one interval of the new size (else INSUFFICIENT_FUNDS,
// naming what is needed), shrinks at any time, and only its payer or authorised operator may resize it.
import { expect } from "chai";
import {
  CloseContractMsg,
  OpenContractMsg,
  RecordLeaseMsg,
  ResizeContractMsg,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { RegisterNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { EconomyChain, address, auditEconomy } from "./economy-harness.js";
import { contractTerms, nodeOffer, openedId } from "./economy-fixtures.js";

interface ContractJson {
  state: string;
  replicas: number;
}

describe("market: resizing a contract", () => {
  const payer = address("resize-payer");
  const operator = address("resize-operator");
  const stranger = address("resize-stranger");
  let chain: EconomyChain;

  const contract = (id: string): ContractJson =>
    chain.query<{ contract: ContractJson }>(`/contract/${id}/view`).contract;

  beforeEach(() => {
    chain = new EconomyChain({ accounts: [{ address: payer, balance: 10n ** 9n }] });
    chain.ok(address("resize-owner"), RegisterNodeMsg, nodeOffer("node-a"));
  });

  afterEach(() => {
    const audit = auditEconomy(chain.state);
    expect(audit.held).to.equal(audit.supply);
  });

  // 2 SCU × 4000 per SCU-hour × 60 s / 3600 = 134 (rounded up) per replica and interval at the max price.
  const open = (budget: bigint): string =>
    openedId(chain.ok(payer, OpenContractMsg, contractTerms({ budget, replicas: 2n, operator })).events);

  it("grows while the escrow covers one interval of the new size, and says what it needs when not", () => {
    const id = open(1_000n);
    const grown = chain.ok(payer, ResizeContractMsg, { contractId: id, replicas: 7n });
    expect(grown.events.find((e) => e.type === "contract_resized")?.attributes).to.deep.include.members([
      ["from", "2"],
      ["replicas", "7"],
    ]);
    expect(contract(id).replicas).to.equal(7);
    const refused = chain.deliver(payer, ResizeContractMsg, { contractId: id, replicas: 8n });
    expect(refused.code).to.equal(ResultCode.INSUFFICIENT_FUNDS);
    expect(refused.log).to.equal(
      `INSUFFICIENT_FUNDS: ResizeContract.replicas: escrow 1000 of contract ${id} does not cover one 60 s interval of 8 replicas at ` +
        "the max price (1067); top up first",
    );
    expect(contract(id).replicas).to.equal(7);
  });

  it("shrinks below its active leases, which stay until their pods end, and the authorised operator may do it", () => {
    const id = open(1_000n);
    for (const replica of [0n, 1n])
      chain.ok(operator, RecordLeaseMsg, {
        contractId: id,
        replica,
        nodeId: "node-a",
        podUid: `pod-${replica}`,
        startedAt: BigInt(chain.seconds),
      });
    chain.ok(operator, ResizeContractMsg, { contractId: id, replicas: 1n });
    expect(contract(id)).to.deep.include({ replicas: 1, state: "open" });
    expect(chain.query<{ leases: unknown[] }>(`/contract/${id}/view`).leases).to.have.length(2);
    // A lease for a replica past the new size is refused.
    const late = chain.deliver(operator, RecordLeaseMsg, {
      contractId: id,
      replica: 1n,
      nodeId: "node-a",
      podUid: "pod-late",
      startedAt: BigInt(chain.seconds),
    });
    expect(late.code).to.equal(ResultCode.INVALID_FIELD);
  });

  it("refuses a stranger, a size out of range and a closed contract, each by its code", () => {
    const id = open(1_000n);
    const cases: [string, bigint, number, RegExp][] = [
      [stranger, 3n, ResultCode.UNAUTHORISED, /neither the payer nor the authorised operator/],
      [payer, 0n, ResultCode.INVALID_FIELD, /ResizeContract\.replicas/],
      [payer, 1001n, ResultCode.INVALID_FIELD, /ResizeContract\.replicas/],
    ];
    for (const [sender, replicas, code, log] of cases) {
      const result = chain.deliver(sender, ResizeContractMsg, { contractId: id, replicas });
      expect(result.code, `${replicas} by ${sender}`).to.equal(code);
      expect(result.log).to.match(log);
    }
    chain.ok(payer, CloseContractMsg, { contractId: id });
    expect(chain.deliver(payer, ResizeContractMsg, { contractId: id, replicas: 1n }).code).to.equal(
      ResultCode.WRONG_STATE,
    );
  });
});
