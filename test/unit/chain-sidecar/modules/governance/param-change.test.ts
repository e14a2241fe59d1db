import { expect } from "chai";
import {
  ApproveParamChangeMsg,
  ProposeParamChangeMsg,
} from "../../../../../chain-sidecar/modules/governance/governance-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { EconomyChain, address } from "../market/economy-harness.js";

const validators = ["gov-v1", "gov-v2", "gov-v3"].map((label) => address(label));

function chainWith(deposits: bigint[]): EconomyChain {
  return new EconomyChain({
    accounts: validators.map((v) => ({ address: v, balance: 1_000n })),
    validators: validators.map((operator, i) => ({
      operator,
      consensusPubKey: Buffer.alloc(32, i + 1).toString("base64"),
      deposit: deposits[i]!,
    })),
    params: { governance: { proposalLifetimeBlocks: 10 } },
  });
}

interface ProposalJson {
  status: string;
  approvals: string[];
  approvedPower: string;
  totalPower: string;
}

describe("governance: parameters change only with approvals of a voting-power majority", () => {
  const feeChange = { changes: [{ module: "metering", name: "feeBps", value: "450" }] };
  const feeBps = (chain: EconomyChain) => chain.query<{ feeBps: number }>("/params/metering").feeBps;

  it("applies a change once validators holding more than half the power approve, and emits an event per change", () => {
    const chain = chainWith([2_000_000n, 2_000_000n, 2_000_000n]);
    const before = feeBps(chain);
    const proposed = chain.ok(validators[0]!, ProposeParamChangeMsg, {
      changes: [...feeChange.changes, { module: "poc", name: "halvingBlocks", value: "5000" }],
    });
    expect(proposed.events.map((e) => e.type)).to.not.include("param_change");
    expect(feeBps(chain), "one third is not a majority").to.equal(before);
    expect(chain.query<ProposalJson>("/proposals")).to.have.length(1);

    const approved = chain.ok(validators[2]!, ApproveParamChangeMsg, { proposalId: 1n });
    const changes = approved.events.filter((e) => e.type === "param_change");
    expect(changes).to.have.length(2);
    expect(Object.fromEntries(changes[0]!.attributes)).to.deep.equal({
      proposal: "1",
      module: "metering",
      name: "feeBps",
      from: String(before),
      to: "450",
    });
    expect(feeBps(chain)).to.equal(450);
    expect(chain.query<{ halvingBlocks: number }>("/params/poc").halvingBlocks).to.equal(5_000);
    const stored = chain.query<ProposalJson[]>("/proposals")[0]!;
    expect(stored.status).to.equal("applied");
    expect(stored.approvedPower).to.equal("4000000");
    expect(stored.totalPower).to.equal("6000000");
    const again = chain.deliver(validators[1]!, ApproveParamChangeMsg, { proposalId: 1n });
    expect(again.code).to.equal(ResultCode.WRONG_STATE);
  });

  it("weighs approvals by power: one validator with most of the power decides alone, half is not enough", () => {
    const heavy = chainWith([7_000_000n, 2_000_000n, 1_000_000n]);
    heavy.ok(validators[0]!, ProposeParamChangeMsg, feeChange);
    expect(feeBps(heavy)).to.equal(450);

    const even = chainWith([2_000_000n, 1_000_000n, 1_000_000n]);
    even.ok(validators[0]!, ProposeParamChangeMsg, feeChange);
    expect(feeBps(even), "exactly half is not a majority").to.not.equal(450);
    even.ok(validators[1]!, ApproveParamChangeMsg, { proposalId: 1n });
    expect(feeBps(even)).to.equal(450);
  });

  it("refuses double approvals and approvals after the proposal expired", () => {
    const chain = chainWith([2_000_000n, 2_000_000n, 2_000_000n]);
    chain.ok(validators[0]!, ProposeParamChangeMsg, feeChange);
    const twice = chain.deliver(validators[0]!, ApproveParamChangeMsg, { proposalId: 1n });
    expect(twice.code).to.equal(ResultCode.ALREADY_EXISTS);
    chain.endBlocks(11);
    const late = chain.deliver(validators[1]!, ApproveParamChangeMsg, { proposalId: 1n });
    expect(late.code).to.equal(ResultCode.WRONG_STATE);
    expect(late.log).to.contain("expired");
  });
});
