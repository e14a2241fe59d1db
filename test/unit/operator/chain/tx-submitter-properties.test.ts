import { expect } from "chai";
import { Wallet } from "ethers";
import fc from "fast-check";
import { ChainTxError } from "../../../../chain-sidecar/client/chain-errors.js";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import type { IncludedTx } from "../../../../operator/chain/block-watcher.js";
import { TxOutcomeUnknown, TxSubmitter } from "../../../../operator/chain/tx-submitter.js";
import { FakeChain, TransportError, type Disruption, type TxView } from "./fake-chain.js";

const signers = [new Wallet(`0x${"d4".repeat(32)}`), new Wallet(`0x${"e5".repeat(32)}`)];
const addresses = signers.map((s) => s.address.toLowerCase());
const RECIPIENT = `0x${"c3".repeat(20)}`;
const NEXT_NONCE = /the next nonce of 0x[0-9a-f]{40} is (\d+)/;

type Behaviour = "ok" | "refuseCheck" | "refuseBlock" | "transportLost" | "transportTaken" | "drop";

const DISRUPTION: Record<Exclude<Behaviour, "ok">, Disruption> = {
  refuseCheck: {
    kind: "refuse",
    stage: "check",
    code: ResultCode.INSUFFICIENT_FUNDS,
    log: "INSUFFICIENT_FUNDS",
  },
  refuseBlock: { kind: "refuse", stage: "block", code: ResultCode.WRONG_STATE, log: "WRONG_STATE" },
  transportLost: { kind: "transport", admitted: false },
  transportTaken: { kind: "transport", admitted: true },
  drop: { kind: "drop" },
};

const behaviour = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Behaviour>("ok") },
  fc.constantFrom<Behaviour>("refuseCheck", "refuseBlock", "transportLost", "transportTaken", "drop"),
);

const amountOf = (tx: { message: unknown }): number => Number((tx.message as { amount: bigint }).amount);

type Outcome = { ok: IncludedTx } | { error: unknown };

/**
 * The nonce each broadcast of one signer must carry, from the one before it: the next after an admitted one, the
 * same after a refused message, the one the log names after a nonce refusal, and the chain's answer after a
 * transport error (or at the start). Later members of a batch whose earlier member was not taken are judged by
 * their own answers: a nonce refusal of theirs changes nothing.
 */
function checkLane(chain: FakeChain, address: string): void {
  let expected: number | undefined;
  let asked: number | undefined;
  for (const event of chain.log) {
    if (event.kind === "account") {
      if (event.address === address) asked = event.nonce;
      continue;
    }
    if (event.sender !== address) continue;
    const want = expected ?? asked;
    // Sent in the same JSON-RPC batch after one the chain did not take: refused for its nonce, it changes nothing;
    // lost with the batch's connection, it leaves the nonce for the chain to tell.
    if (want !== undefined && event.nonce !== want) {
      if (event.outcome === "transport") {
        expected = asked = undefined;
        continue;
      }
      if (event.code === ResultCode.FUTURE_NONCE || event.code === ResultCode.STALE_NONCE) continue;
    }
    expect(want, `a nonce for ${amountOf(event)} known before its broadcast`).to.not.equal(undefined);
    expect(event.nonce, `nonce of transfer ${amountOf(event)}`).to.equal(want);
    if (event.outcome === "transport") {
      expected = asked = undefined;
    } else if (event.outcome === "admitted") {
      expected = event.nonce + 1;
    } else if (event.code === ResultCode.STALE_NONCE || event.code === ResultCode.FUTURE_NONCE) {
      expected = Number(NEXT_NONCE.exec(event.log)![1]);
    } else expected = event.nonce;
  }
}

describe("transaction submitter properties", () => {
  it("under any interleaving of submits, blocks, refusals and transport errors: every submit settles, lanes keep nonce order, and nothing lands twice", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ signer: fc.nat(signers.length - 1), behaviour }), {
          minLength: 1,
          maxLength: 14,
        }),
        fc.nat(5),
        fc.scheduler(),
        async (plan, commits, s) => {
          const chain = new FakeChain();
          plan.forEach((step, i) => {
            if (step.behaviour !== "ok")
              chain.disrupt((tx: TxView) => amountOf(tx) === i + 1, DISRUPTION[step.behaviour]);
          });
          const submitter = new TxSubmitter({
            client: {
              chainId: () => chain.client.chainId(),
              account: (address) =>
                s.schedule(Promise.resolve(), "account").then(() => chain.client.account(address)),
              broadcastBatch: (txs) =>
                s.schedule(Promise.resolve(), "broadcast").then(() => chain.client.broadcastBatch(txs)),
            },
            watcher: chain.watcher,
            inclusionTimeoutMs: 60_000,
          });
          const outcomes: (Outcome | undefined)[] = plan.map(() => undefined);
          const settled: Promise<void>[] = [];
          const background = plan.map((step, i) =>
            s.schedule(Promise.resolve(), `submit ${i + 1}`).then(() => {
              const call = submitter.submit(signers[step.signer]!, TransferMsg, {
                to: RECIPIENT,
                amount: BigInt(i + 1),
              });
              const record = (outcome: Outcome): void => {
                outcomes[i] = outcome;
                chain.notify();
              };
              settled.push(
                call.then(
                  (ok) => record({ ok }),
                  (error: unknown) => record({ error }),
                ),
              );
            }),
          );
          for (let c = 0; c < commits; c++)
            background.push(s.schedule(Promise.resolve(), "commit").then(() => void chain.commit()));

          // Quiet: every submit was made, and each one not settled waits for a transaction the chain admitted.
          const admitted = (): Set<string> =>
            new Set(chain.broadcasts.filter((b) => b.outcome === "admitted").map((b) => b.hash));
          const quiet = (): boolean => {
            if (settled.length < plan.length) return false;
            const open = outcomes.filter((o) => o === undefined).length;
            const waiting = admitted();
            return chain.awaited.filter((hash) => waiting.has(hash)).length === open;
          };
          await s.waitFor(chain.until(quiet, "every submit settled or waiting for an admitted transaction"));
          await s.waitIdle();
          await Promise.all(background);
          chain.commit();
          chain.expireWaiters();
          let deadline: NodeJS.Timeout | undefined;
          await Promise.race([
            Promise.all(settled),
            new Promise((_, reject) => {
              deadline = setTimeout(() => reject(new Error("some submits never settled")), 2_000);
            }),
          ]).finally(() => clearTimeout(deadline));

          // Each caller's outcome fits what happened to its message.
          plan.forEach((step, i) => {
            const outcome = outcomes[i]!;
            const what = `transfer ${i + 1} (${step.behaviour})`;
            if ("ok" in outcome) {
              expect(step.behaviour, what).to.equal("ok");
              expect(outcome.ok.code).to.equal(ResultCode.OK);
              return;
            }
            const error = outcome.error;
            if (step.behaviour === "transportLost" || step.behaviour === "transportTaken") {
              expect(error, what).to.be.instanceOf(TransportError);
              return;
            }
            const nonceRefusal =
              error instanceof ChainTxError &&
              (error.code === ResultCode.STALE_NONCE || error.code === ResultCode.FUTURE_NONCE);
            const unknown = error instanceof TxOutcomeUnknown;
            // A batch that lost its connection fails every message in it: the callers send again.
            const batchLost =
              error instanceof TransportError &&
              plan.some(
                (other) => other.behaviour === "transportLost" || other.behaviour === "transportTaken",
              );
            if (step.behaviour === "refuseCheck")
              expect(
                nonceRefusal || batchLost || (error instanceof ChainTxError && error.stage === "check"),
                what,
              ).to.equal(true);
            else if (step.behaviour === "refuseBlock")
              expect(
                nonceRefusal ||
                  unknown ||
                  batchLost ||
                  (error instanceof ChainTxError && error.stage === "block"),
                what,
              ).to.equal(true);
            else expect(nonceRefusal || unknown || batchLost, `${what}: ${String(error)}`).to.equal(true);
          });

          // The chain holds each signer's nonces 0..n-1, each message at most once, each caller's own message.
          const committed = chain.blocks.flatMap((block) => block.txs);
          for (const address of addresses) {
            const nonces = committed.filter((tx) => tx.sender === address).map((tx) => tx.nonce);
            expect(nonces).to.deep.equal(nonces.map((_, i) => i));
            checkLane(chain, address);
          }
          const amounts = committed.map(amountOf);
          expect(new Set(amounts).size, "no message landed twice").to.equal(amounts.length);
          plan.forEach((step, i) => {
            const outcome = outcomes[i]!;
            if (!("ok" in outcome)) return;
            const tx = committed.find((t) => t.hash === outcome.ok.hash)!;
            expect([tx.sender, amountOf(tx)]).to.deep.equal([addresses[step.signer], i + 1]);
          });

          // And every lane still works: one more message per signer lands.
          const fresh = signers.map((signer, i) =>
            submitter.submit(signer, TransferMsg, { to: RECIPIENT, amount: BigInt(1_000 + i) }),
          );
          await s.waitFor(chain.until(() => chain.mempoolSize === signers.length, "the fresh transfers"));
          chain.commit();
          const landed = await Promise.all(fresh);
          expect(landed.map((tx) => tx.code)).to.deep.equal([0, 0]);
          for (const address of addresses) checkLane(chain, address);
        },
      ),
      { numRuns: 60 },
    );
  });
});
