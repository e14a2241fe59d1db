import { expect } from "chai";
import fc from "fast-check";
import { ResponseFinalizeBlock, type ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import {
  fitResultsBudget,
  RESULTS_BUDGET_BYTES,
  RESULTS_TRIMMED_EVENT,
} from "../../../../chain-sidecar/app/results-budget.js";

function txResult(i: number, attributeBytes: number): ExecTxResult {
  return {
    code: i % 3,
    data: new Uint8Array(),
    log: i % 3 === 0 ? "" : `failed: tx ${i}`,
    info: "",
    gasWanted: 1n,
    gasUsed: 1n,
    events: [
      { type: "tx", attributes: [{ key: "payload", value: "x".repeat(attributeBytes), index: true }] },
    ],
    codespace: i % 3 === 0 ? "" : "uranus",
  };
}

function response(txs: number, attributeBytes: number, blockEventBytes = 10): ResponseFinalizeBlock {
  return ResponseFinalizeBlock.fromPartial({
    txResults: Array.from({ length: txs }, (_, i) => txResult(i, attributeBytes)),
    events: [{ type: "block", attributes: [{ key: "k", value: "v".repeat(blockEventBytes), index: true }] }],
    appHash: new Uint8Array(32).fill(7),
  });
}

const encodedSize = (r: ResponseFinalizeBlock): number => ResponseFinalizeBlock.encode(r).finish().length;

describe("the FinalizeBlock results budget", () => {
  it("leaves an answer within the budget as it is", () => {
    const small = response(300, 200);
    expect(fitResultsBudget(small)).to.equal(small);
  });

  it("drops events and logs from the last transactions back until the answer fits, keeping every code", () => {
    const big = response(1000, 1000);
    const budget = 400_000;
    const fitted = fitResultsBudget(big, budget);
    expect(encodedSize(big)).to.be.above(budget);
    expect(encodedSize(fitted)).to.be.at.most(budget);
    expect(fitted.txResults.map((r) => [r.code, r.codespace, r.gasUsed])).to.deep.equal(
      big.txResults.map((r) => [r.code, r.codespace, r.gasUsed]),
    );
    const kept = fitted.txResults.findIndex((r) => r.events.length === 0);
    expect(kept).to.be.above(0);
    expect(fitted.txResults.slice(0, kept)).to.deep.equal(big.txResults.slice(0, kept));
    expect(fitted.txResults.slice(kept).every((r) => r.events.length === 0 && r.log === "")).to.equal(true);
    const marker = fitted.events.find((e) => e.type === RESULTS_TRIMMED_EVENT)!;
    expect(marker.attributes.find((a) => a.key === "txs")!.value).to.equal(String(1000 - kept));
    expect(fitted.events[0]!.type).to.equal("block");
    expect(fitted.appHash).to.deep.equal(big.appHash);
  });

  it("drops the block's own events too when the transactions' alone cannot make it fit", () => {
    const fitted = fitResultsBudget(response(10, 10, 50_000), 20_000);
    expect(encodedSize(fitted)).to.be.at.most(20_000);
    expect(fitted.events.map((e) => e.type)).to.deep.equal([RESULTS_TRIMMED_EVENT]);
    expect(fitted.events[0]!.attributes.find((a) => a.key === "block_events")!.value).to.equal("true");
  });

  it("budgets below grpc-go's 4 MiB default receive limit", () => {
    expect(RESULTS_BUDGET_BYTES).to.be.below(4 * 1024 * 1024);
    const blockOfTransfers = response(20_000, 200);
    expect(encodedSize(fitResultsBudget(blockOfTransfers))).to.be.at.most(RESULTS_BUDGET_BYTES);
  });

  it("never takes an answer one byte over the budget for one that fits (its cheap size bound is an upper bound)", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 40 });
    const event = fc.record({
      type: text,
      attributes: fc.array(fc.record({ key: text, value: text, index: fc.boolean() }), { maxLength: 4 }),
    });
    const result = fc.record({
      code: fc.nat(),
      data: fc.uint8Array({ maxLength: 64 }),
      log: text,
      info: text,
      gasWanted: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
      gasUsed: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
      events: fc.array(event, { maxLength: 3 }),
      codespace: text,
    });
    const validatorUpdate = fc.record({
      pubKey: fc.oneof(
        fc.record({ ed25519: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
        fc.record({ secp256k1: fc.uint8Array({ minLength: 33, maxLength: 33 }) }),
      ),
      power: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
    });
    fc.assert(
      fc.property(
        fc.array(result, { maxLength: 20 }),
        fc.array(event, { maxLength: 3 }),
        fc.array(validatorUpdate, { maxLength: 4 }),
        (txResults, events, validatorUpdates) => {
          const answer = ResponseFinalizeBlock.fromPartial({
            txResults,
            events,
            validatorUpdates,
            appHash: new Uint8Array(32),
          });
          expect(fitResultsBudget(answer, encodedSize(answer))).to.equal(answer);
          expect(fitResultsBudget(answer, encodedSize(answer) - 1)).to.not.equal(answer);
        },
      ),
    );
  });
});
