import { expect } from "chai";
import { OpenContractMsg } from "../../../../chain-sidecar/modules/market/market-messages.js";
import { CONTRACT_PAGE_SIZE } from "../../../../chain-sidecar/modules/market/market-module.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { TxError } from "../../../../chain-sidecar/tx/tx-error.js";
import { EconomyChain, address } from "../modules/market/economy-harness.js";
import { contractTerms, openedId } from "../modules/market/economy-fixtures.js";

interface ContractPage {
  contracts: { id: string; payer: string; openedHeight: number; escrow: { deposited: string } }[];
  next: string | null;
}

describe("explorer: the chain's listing of every contract", () => {
  it("pages through all contracts in id order, each with its escrow and opening height", () => {
    const payers = [address("list-a"), address("list-b")];
    const chain = new EconomyChain({ accounts: payers.map((a) => ({ address: a, balance: 10n ** 12n })) });
    const opened: string[] = [];
    for (let i = 0; i < CONTRACT_PAGE_SIZE + 7; i++) {
      const budget = 1_000_000n + BigInt(i);
      opened.push(openedId(chain.ok(payers[i % 2]!, OpenContractMsg, contractTerms({ budget })).events));
      if (i % 40 === 0) chain.endBlock();
    }
    const first = chain.query<ContractPage>("/contracts");
    expect(first.contracts).to.have.length(CONTRACT_PAGE_SIZE);
    const second = chain.query<ContractPage>(`/contracts/after/${first.next!}`);
    expect(second.next).to.equal(null);
    const listed = [...first.contracts, ...second.contracts];
    expect(listed.map((c) => c.id)).to.deep.equal([...opened].sort());
    const firstOpened = listed.find((c) => c.id === opened[0])!;
    expect(firstOpened).to.deep.include({ payer: payers[0], openedHeight: 1 });
    expect(firstOpened.escrow.deposited).to.equal("1000000");
  });

  it("answers an empty page on a chain without contracts, and names a malformed cursor", () => {
    const chain = new EconomyChain({});
    expect(chain.query<ContractPage>("/contracts")).to.deep.equal({ contracts: [], next: null });
    expect(() => chain.query("/contracts/after/not-an-id"))
      .to.throw(TxError)
      .that.satisfies((e: TxError) => e.code === ResultCode.INVALID_FIELD && e.log.includes("after"));
  });
});
