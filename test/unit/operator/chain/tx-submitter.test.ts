import { expect } from "chai";
import { Wallet } from "ethers";
import { ChainOverloadedError, ChainTxError } from "../../../../chain-sidecar/client/chain-errors.js";
import { TransferMsg, type Transfer } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import type { IncludedTx } from "../../../../operator/chain/block-watcher.js";
import { TxOutcomeUnknown, TxSubmitter } from "../../../../operator/chain/tx-submitter.js";
import { FakeChain, TransportError, type BroadcastEvent, type TxView } from "./fake-chain.js";

const alice = new Wallet(`0x${"a1".repeat(32)}`);
const bob = new Wallet(`0x${"b2".repeat(32)}`);
const RECIPIENT = `0x${"c3".repeat(20)}`;

function transfer(amount: number): Transfer {
  return { to: RECIPIENT, amount: BigInt(amount) };
}

function amountOf(tx: { message: unknown }): number {
  return Number((tx.message as { amount: bigint }).amount);
}

const byAmount =
  (amount: number) =>
  (tx: TxView): boolean =>
    amountOf(tx) === amount;

function nonceOf(included: IncludedTx): number {
  const attribute = included.events[0]?.attributes.find((a) => a.key === "nonce");
  return Number(attribute?.value);
}

type Outcome = { ok: IncludedTx } | { error: unknown };

function settle(submit: Promise<IncludedTx>): Promise<Outcome> {
  return submit.then(
    (ok) => ({ ok }),
    (error: unknown) => ({ error }),
  );
}

function errorOf(outcome: Outcome | undefined): unknown {
  if (outcome === undefined || !("error" in outcome))
    throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome.error;
}

function includedOf(outcome: Outcome | undefined): IncludedTx {
  if (outcome === undefined || !("ok" in outcome))
    throw new Error(`expected success, got ${String(outcome && errorOf(outcome))}`);
  return outcome.ok;
}

/** (amount, nonce, outcome) of every broadcast of `signer`, in order. */
function sent(chain: FakeChain, signer: Wallet): [number, number, BroadcastEvent["outcome"]][] {
  return chain.broadcasts
    .filter((b) => b.sender === signer.address.toLowerCase())
    .map((b) => [amountOf(b), b.nonce, b.outcome]);
}

describe("transaction submitter", () => {
  let chain: FakeChain;
  let submitter: TxSubmitter;

  function submit(signer: Wallet, amount: number): Promise<IncludedTx> {
    return submitter.submit(signer, TransferMsg, transfer(amount));
  }

  /** Submits, waits until the chain holds it, commits, and returns the result. */
  async function land(signer: Wallet, amount: number): Promise<IncludedTx> {
    const result = submit(signer, amount);
    await chain.until(() => chain.mempoolSize === 1, `transfer ${amount} in the mempool`);
    chain.commit();
    return result;
  }

  beforeEach(() => {
    chain = new FakeChain();
    submitter = new TxSubmitter({ client: chain.client, watcher: chain.watcher, inclusionTimeoutMs: 10_000 });
  });

  afterEach(() => chain.expireWaiters());

  it("signs a burst with consecutive nonces in call order, broadcasts it in nonce order, and it shares one block", async () => {
    const calls = [1, 2, 3, 4, 5, 6, 7, 8].map((amount) => submit(alice, amount));
    await chain.until(() => chain.mempoolSize === 8, "all 8 transfers in the mempool");
    expect(chain.height, "nothing committed while they were sent").to.equal(1);
    const block = chain.commit();
    const results = await Promise.all(calls);
    expect(results.map((r) => r.height)).to.deep.equal(Array<number>(8).fill(block.height));
    expect(results.map(nonceOf)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(block.txs.map((tx) => [tx.nonce, amountOf(tx)])).to.deep.equal([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
      [5, 6],
      [6, 7],
      [7, 8],
    ]);
    expect(sent(chain, alice).map(([, nonce]) => nonce)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(chain.accountQueries, "the nonce is asked once, then given out locally").to.have.length(1);
  });

  it("send() returns once CheckTx admitted the message, before its block; committed settles with the block", async () => {
    const sent = await submitter.send(alice, TransferMsg, transfer(1));
    expect(chain.height).to.equal(1);
    expect(sent.hash).to.equal(chain.broadcasts[0]!.hash);
    chain.commit();
    expect(nonceOf(await sent.committed)).to.equal(0);
    const code = ResultCode.INSUFFICIENT_FUNDS;
    chain.disrupt(byAmount(2), { kind: "refuse", stage: "check", code, log: "INSUFFICIENT_FUNDS" });
    const refused = await submitter.send(alice, TransferMsg, transfer(2)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(ChainTxError).and.include({ code, stage: "check" });
  });

  it("keeps two signers apart: one signer's stuck broadcast does not hold up the other's", async () => {
    const unblock = chain.pause((tx) => tx.sender === alice.address.toLowerCase());
    let aliceDone = false;
    const aliceCall = submit(alice, 1).finally(() => (aliceDone = true));
    await chain.until(() => chain.gated === 1, "alice's broadcast at the gate");
    const bobCalls = [2, 3].map((amount) => submit(bob, amount));
    await chain.until(() => chain.mempoolSize === 2, "bob's transfers in the mempool");
    chain.commit();
    expect((await Promise.all(bobCalls)).map(nonceOf)).to.deep.equal([0, 1]);
    expect(aliceDone).to.equal(false);
    unblock();
    await chain.until(() => chain.mempoolSize === 1, "alice's transfer in the mempool");
    chain.commit();
    expect(nonceOf(await aliceCall)).to.equal(0);
  });

  it("fails only the caller whose message CheckTx refuses; the ones after it are re-signed and leave no gap", async () => {
    const log = "INSUFFICIENT_FUNDS: balance 0 is below 3";
    chain.disrupt(byAmount(3), { kind: "refuse", stage: "check", code: ResultCode.INSUFFICIENT_FUNDS, log });
    const outcomes = [1, 2, 3, 4, 5].map((amount) => settle(submit(alice, amount)));
    await chain.until(() => chain.mempoolSize === 4, "the 4 admitted transfers in the mempool");
    chain.commit();
    const settled = await Promise.all(outcomes);
    const refused = errorOf(settled[2]);
    expect(refused).to.be.instanceOf(ChainTxError);
    expect(refused).to.include({ code: ResultCode.INSUFFICIENT_FUNDS, stage: "check", log });
    expect([0, 1, 3, 4].map((i) => nonceOf(includedOf(settled[i])))).to.deep.equal([0, 1, 2, 3]);
    expect(sent(chain, alice)).to.deep.equal([
      [1, 0, "admitted"],
      [2, 1, "admitted"],
      [3, 2, "refused"],
      // Sent in the same batch after the refused one, they are refused as ahead of the account's nonce.
      [4, 3, "refused"],
      [5, 4, "refused"],
      [4, 2, "admitted"],
      [5, 3, "admitted"],
    ]);
    expect(chain.nonceOf(alice.address)).to.equal(4);
  });

  it("backs a signer off when the node refuses as OVERLOADED, then sends the same messages again in nonce order", async () => {
    const log = "OVERLOADED: 1800 transactions wait for a block on this node; retry after a block";
    chain.disrupt(byAmount(2), { kind: "refuse", stage: "check", code: ResultCode.OVERLOADED, log });
    const started = performance.now();
    const outcomes = [1, 2, 3].map((amount) => settle(submit(alice, amount)));
    await chain.until(() => chain.mempoolSize === 3, "all three transfers in the mempool");
    const waited = performance.now() - started;
    chain.commit();
    const settled = await Promise.all(outcomes);
    expect(settled.map((s) => nonceOf(includedOf(s)))).to.deep.equal([0, 1, 2]);
    expect(waited, "the second attempt waited the back-off the error names").to.be.at.least(
      new ChainOverloadedError(log, "").retryAfterMs(1) - 5,
    );
    expect(sent(chain, alice)).to.deep.equal([
      [1, 0, "admitted"],
      [2, 1, "refused"],
      [3, 2, "refused"],
      [2, 1, "admitted"],
      [3, 2, "admitted"],
    ]);
  });

  it("tells the caller OVERLOADED once the node kept refusing through every back-off", async () => {
    const log = "OVERLOADED: the node sheds load";
    chain.disrupt(byAmount(1), { kind: "refuse", stage: "check", code: ResultCode.OVERLOADED, log }, 2);
    const patient = new TxSubmitter({ client: chain.client, watcher: chain.watcher, overloadRetries: 1 });
    const error = errorOf(await settle(patient.submit(alice, TransferMsg, transfer(1))));
    expect(error).to.be.instanceOf(ChainOverloadedError);
    expect(error).to.include({ code: ResultCode.OVERLOADED });
    expect(sent(chain, alice).map(([, , outcome]) => outcome)).to.deep.equal(["refused", "refused"]);
  });

  it("repairs a nonce gap another process made from the refusal's log, without asking the chain", async () => {
    expect(nonceOf(await land(alice, 1))).to.equal(0);
    chain.useNonces(alice.address, 3);
    expect(nonceOf(await land(alice, 2))).to.equal(4);
    expect(sent(chain, alice)).to.deep.equal([
      [1, 0, "admitted"],
      [2, 1, "refused"],
      [2, 4, "admitted"],
    ]);
    expect(chain.broadcasts[1]!.code).to.equal(ResultCode.STALE_NONCE);
    expect(chain.accountQueries).to.have.length(1);
  });

  it("gives up on a message after three nonce retries", async () => {
    const log = `STALE_NONCE: tx.nonce: 0 is already used; the next nonce of ${alice.address.toLowerCase()} is 0`;
    chain.disrupt(byAmount(1), { kind: "refuse", stage: "check", code: ResultCode.STALE_NONCE, log }, 10);
    const error = errorOf(await settle(submit(alice, 1)));
    expect(error).to.be.instanceOf(ChainTxError);
    expect(error).to.include({ code: ResultCode.STALE_NONCE, stage: "check" });
    expect(sent(chain, alice)).to.have.length(4);
    expect(nonceOf(await land(alice, 2)), "the lane still works").to.equal(0);
  });

  it("fails the caller of a lost broadcast, and the lane asks the chain for the nonce before the next one", async () => {
    await land(alice, 1);
    chain.disrupt(byAmount(2), { kind: "transport", admitted: false });
    const lost = settle(submit(alice, 2));
    const next = submit(alice, 3);
    expect(errorOf(await lost)).to.be.instanceOf(TransportError);
    await chain.until(() => chain.mempoolSize === 1, "transfer 3 in the mempool");
    chain.commit();
    expect(nonceOf(await next)).to.equal(1);
    expect(chain.accountQueries.map((q) => q.nonce)).to.deep.equal([0, 1]);
    expect(
      chain.log.map((e) => (e.kind === "account" ? "account" : `${amountOf(e)}@${e.nonce}`)),
    ).to.deep.equal(["account", "1@0", "2@1", "account", "3@1"]);
  });

  it("fails the caller of a broadcast the node took but did not answer; its successor lands after it", async () => {
    chain.disrupt(byAmount(1), { kind: "transport", admitted: true });
    const lost = settle(submit(alice, 1));
    const next = submit(alice, 2);
    expect(errorOf(await lost)).to.be.instanceOf(TransportError);
    await chain.until(() => chain.mempoolSize === 2, "both transfers in the mempool");
    const block = chain.commit();
    expect(nonceOf(await next)).to.equal(1);
    expect(block.txs.map((tx) => [amountOf(tx), tx.nonce])).to.deep.equal([
      [1, 0],
      [2, 1],
    ]);
    // The chain's committed nonce (0) was behind its mempool; the refusal named the right one.
    expect(sent(chain, alice)).to.deep.equal([
      [1, 0, "transport"],
      [2, 0, "refused"],
      [2, 1, "admitted"],
    ]);
  });

  it("throws ChainTxError at stage block when the block refuses the message; its nonce is used", async () => {
    const log = "WRONG_STATE: MeteringBatch: contract is closed";
    chain.disrupt(byAmount(2), { kind: "refuse", stage: "block", code: ResultCode.WRONG_STATE, log });
    const outcomes = [1, 2, 3].map((amount) => settle(submit(alice, amount)));
    await chain.until(() => chain.mempoolSize === 3, "3 transfers in the mempool");
    const block = chain.commit();
    const [first, refused, third] = await Promise.all(outcomes);
    const error = errorOf(refused);
    expect(error).to.be.instanceOf(ChainTxError);
    expect(error).to.include({ code: ResultCode.WRONG_STATE, stage: "block", log, hash: block.txs[1]!.hash });
    expect([nonceOf(includedOf(first)), nonceOf(includedOf(third))]).to.deep.equal([0, 2]);
    expect(nonceOf(await land(alice, 4))).to.equal(3);
  });

  it("throws TxOutcomeUnknown when the transaction is not seen committed in time, and mends the nonce after", async () => {
    submitter = new TxSubmitter({ client: chain.client, watcher: chain.watcher, inclusionTimeoutMs: 50 });
    chain.disrupt(byAmount(1), { kind: "drop" });
    const started = performance.now();
    const dropped = settle(submit(alice, 1));
    await chain.until(() => chain.broadcasts.length === 1, "the broadcast");
    chain.commit();
    const error = errorOf(await dropped);
    expect(performance.now() - started).to.be.at.least(45);
    expect(error).to.be.instanceOf(TxOutcomeUnknown);
    expect(error).to.include({ type: "Transfer", hash: chain.broadcasts[0]!.hash });
    expect(chain.blocks[0]!.txs).to.deep.equal([]);
    // The lane gave nonce 0 out; the chain's next is still 0: refused as ahead once, then it lands on 0.
    expect(nonceOf(await land(alice, 2))).to.equal(0);
    expect(sent(chain, alice).slice(1)).to.deep.equal([
      [2, 1, "refused"],
      [2, 0, "admitted"],
    ]);
    expect(chain.broadcasts[1]!.code).to.equal(ResultCode.FUTURE_NONCE);
  });
});
