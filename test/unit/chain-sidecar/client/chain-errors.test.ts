import { expect } from "chai";
import {
  ChainOverloadedError,
  ChainTxError,
  checkTxRefusal,
  OVERLOAD_RETRY_AFTER_MS,
  OVERLOAD_RETRY_MAX_MS,
  overloadFromRpcError,
} from "../../../../chain-sidecar/client/chain-errors.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";

describe("chain-sidecar client: overload refusals", () => {
  it("reports CheckTx's OVERLOADED as a retryable ChainOverloadedError, other codes as a plain ChainTxError", () => {
    const shed = checkTxRefusal(ResultCode.OVERLOADED, "OVERLOADED: 1800 transactions wait", "AB");
    expect(shed).to.be.instanceOf(ChainOverloadedError).and.instanceOf(ChainTxError);
    expect(shed).to.include({
      code: 25,
      codeName: "OVERLOADED",
      stage: "check",
      hash: "AB",
      retryable: true,
    });
    const refused = checkTxRefusal(ResultCode.STALE_NONCE, "STALE_NONCE: tx.nonce", "CD");
    expect(refused).to.be.instanceOf(ChainTxError).and.not.instanceOf(ChainOverloadedError);
    expect(refused.code).to.equal(ResultCode.STALE_NONCE);
  });

  it("reads the next nonce a nonce refusal names, and nothing from other refusals", () => {
    const stale = new ChainTxError(
      ResultCode.STALE_NONCE,
      "STALE_NONCE: tx.nonce: 5 is already used; the next nonce of 0x10b1000000000000000000000000000000000e0a is 6",
      "check",
      "AB",
    );
    expect(stale.namedNextNonce).to.equal(6);
    const ahead = new ChainTxError(
      ResultCode.FUTURE_NONCE,
      "FUTURE_NONCE: tx.nonce: 9 is ahead; the next nonce of 0x10b1000000000000000000000000000000000e0a is 7",
      "check",
      "AB",
    );
    expect(ahead.namedNextNonce).to.equal(7);
    const other = new ChainTxError(
      ResultCode.INSUFFICIENT_FUNDS,
      "the next nonce of 0x10b1 is 6",
      "check",
      "AB",
    );
    expect(other.namedNextNonce).to.equal(undefined);
  });

  it('maps CometBFT\'s "mempool is full" RPC error to the same code, and nothing else', () => {
    // The text CometBFT v0.38's broadcast_tx_* answer carries (JSON-RPC error -32603, data).
    const cometbft =
      "Internal error: mempool is full: number of txs 2000 (max: 2000), total txs bytes 410000 (max: 67108864)";
    const shed = overloadFromRpcError(cometbft, "EF");
    expect(shed)
      .to.be.instanceOf(ChainOverloadedError)
      .and.include({ code: ResultCode.OVERLOADED, hash: "EF" });
    expect(shed!.log).to.equal(`OVERLOADED: ${cometbft}`);
    expect(overloadFromRpcError("Internal error: tx already exists in cache", "EF")).to.equal(undefined);
  });

  it("hints a back-off of one block, doubling with each attempt up to a cap", () => {
    const shed = new ChainOverloadedError("OVERLOADED", "AB");
    expect(shed.retryAfterMs()).to.equal(OVERLOAD_RETRY_AFTER_MS);
    expect(shed.retryAfterMs(2)).to.equal(2 * OVERLOAD_RETRY_AFTER_MS);
    expect(shed.retryAfterMs(3)).to.equal(4 * OVERLOAD_RETRY_AFTER_MS);
    expect(shed.retryAfterMs(50)).to.equal(OVERLOAD_RETRY_MAX_MS);
  });
});
