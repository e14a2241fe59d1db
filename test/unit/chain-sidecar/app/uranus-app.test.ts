import { expect } from "chai";
import { ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { AppHarness, testConsensusKey, testWallet } from "../app-harness.js";

describe("chain-sidecar app: ABCI flow", () => {
  const alice = testWallet("alice");
  const bob = testWallet("bob");
  const operator = testWallet("operator");
  let harness: AppHarness;
  let initValidators: number;

  beforeEach(async () => {
    const started = await AppHarness.start({
      accounts: [
        { address: alice.address, balance: 1_000_000n },
        { address: bob.address, balance: 0n },
      ],
      validators: [
        {
          operator: operator.address,
          consensusPubKey: Buffer.from(testConsensusKey("v0")).toString("base64"),
          deposit: 5_000_000n,
        },
      ],
    });
    harness = started.harness;
    initValidators = started.init.validators.length;
  });

  afterEach(async () => {
    await harness.close();
  });

  it("returns the genesis validator set from InitChain", () => {
    expect(initValidators).to.equal(1);
  });

  it("moves funds with a signed transfer and charges the flat fee", async () => {
    const tx = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 250n });
    expect((await harness.check(tx)).code).to.equal(ResultCode.OK);
    const response = await harness.block([tx]);
    expect(response.txResults[0]!.code).to.equal(ResultCode.OK);
    expect(await harness.balance(bob)).to.equal(250n);
    expect(await harness.balance(alice)).to.equal(1_000_000n - 250n - 100n);
    const account = await harness.query<{ nonce: number }>(`/account/${alice.address}`);
    expect(account.nonce).to.equal(1);
  });

  it("accepts consecutive transactions from one sender in CheckTx and rejects a replay", async () => {
    const first = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
    const second = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 2n });
    expect((await harness.check(first)).code).to.equal(ResultCode.OK);
    expect((await harness.check(second)).code).to.equal(ResultCode.OK);
    const replay = await harness.check(first);
    expect(replay.code).to.equal(ResultCode.STALE_NONCE);
    expect(replay.log).to.contain("tx.nonce");
  });

  it("reports the committed height and app hash from Info", async () => {
    const response = await harness.block([]);
    const info = await harness.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    expect(info.lastBlockHeight).to.equal(1n);
    expect(Buffer.from(info.lastBlockAppHash).toString("hex")).to.equal(
      Buffer.from(response.appHash).toString("hex"),
    );
  });

  it("drops invalid transactions in PrepareProposal and respects max_tx_bytes", async () => {
    const good = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
    const broke = await harness.sign(bob, TransferMsg, { to: alice.address, amount: 1n });
    const next = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
    const prepared = await harness.app.prepareProposal({
      maxTxBytes: BigInt(good.length + next.length),
      txs: [good, broke, next, new Uint8Array([1, 2, 3])],
      localLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      height: 1n,
      time: { seconds: 1n, nanos: 0 },
      nextValidatorsHash: new Uint8Array(),
      proposerAddress: new Uint8Array(),
    });
    expect(prepared.txs).to.deep.equal([good, next]);
    const small = await harness.app.prepareProposal({
      maxTxBytes: BigInt(good.length),
      txs: [good, next],
      localLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      height: 1n,
      time: { seconds: 1n, nanos: 0 },
      nextValidatorsHash: new Uint8Array(),
      proposerAddress: new Uint8Array(),
    });
    expect(small.txs).to.deep.equal([good]);
  });

  it("rejects proposals with undecodable or badly signed transactions and accepts good ones", async () => {
    const good = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
    const forged = new Uint8Array(good);
    forged[forged.length - 1] = 29;
    const base = {
      proposedLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      hash: new Uint8Array(),
      height: 1n,
      time: { seconds: 1n, nanos: 0 },
      nextValidatorsHash: new Uint8Array(),
      proposerAddress: new Uint8Array(),
    };
    const accept = await harness.app.processProposal({ ...base, txs: [good] });
    expect(accept.status).to.equal(ResponseProcessProposal_ProposalStatus.ACCEPT);
    const garbage = await harness.app.processProposal({ ...base, txs: [good, new Uint8Array([9, 9])] });
    expect(garbage.status).to.equal(ResponseProcessProposal_ProposalStatus.REJECT);
    const bad = await harness.app.processProposal({ ...base, txs: [forged] });
    expect(bad.status).to.equal(ResponseProcessProposal_ProposalStatus.REJECT);
  });

  it("verifies each signature once across CheckTx, ProcessProposal and FinalizeBlock", async () => {
    const tx = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
    const before = harness.app.signatures.misses;
    await harness.check(tx);
    await harness.app.processProposal({
      txs: [tx],
      proposedLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      hash: new Uint8Array(),
      height: 1n,
      time: { seconds: 1n, nanos: 0 },
      nextValidatorsHash: new Uint8Array(),
      proposerAddress: new Uint8Array(),
    });
    await harness.block([tx]);
    expect(harness.app.signatures.misses - before).to.equal(1);
  });

  it("keeps the fee and nonce of a transaction whose message fails in a block", async () => {
    const tooMuch = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 5_000_000n });
    const response = await harness.block([tooMuch]);
    expect(response.txResults[0]!.code).to.equal(ResultCode.INSUFFICIENT_FUNDS);
    expect(response.txResults[0]!.log).to.contain("Transfer.amount");
    expect(await harness.balance(alice)).to.equal(1_000_000n - 100n);
    expect(await harness.balance(bob)).to.equal(0n);
  });
});
