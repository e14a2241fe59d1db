import { expect } from "chai";
import { ChainOverloadedError, overloadFromRpcError } from "../../../../chain-sidecar/client/chain-errors.js";
import { Mempool, MempoolError, txHash } from "../../../../chain-sidecar/solo/mempool.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";

describe("solo mempool", () => {
  const limits = { maxTxBytes: 10, maxTxs: 2, maxTotalBytes: 100, cacheSize: 100 };
  const tx = (text: string): [Uint8Array, string] => {
    const bytes = Buffer.from(text);
    return [bytes, txHash(bytes)];
  };

  it("refuses oversize, duplicate and overflowing txs with CometBFT's messages", () => {
    const pool = new Mempool(limits);
    const [big, bigHash] = tx("x".repeat(11));
    expect(() => pool.admit(big, bigHash)).to.throw(MempoolError, "tx too large: 11 bytes, the limit is 10");
    for (const text of ["a=1", "b=2"]) {
      const [bytes, hash] = tx(text);
      pool.admit(bytes, hash);
      pool.add(bytes, hash);
    }
    const [dup, dupHash] = tx("a=1");
    expect(() => pool.admit(dup, dupHash)).to.throw(MempoolError, "tx already exists in cache");
    const [third, thirdHash] = tx("c=3");
    expect(() => pool.admit(third, thirdHash)).to.throw(
      MempoolError,
      /mempool is full: number of txs 2 \(max: 2\)/,
    );
  });

  it("reaps in arrival order within a byte budget and forgets refused txs", () => {
    const pool = new Mempool(limits);
    const entries = ["a=1", "b=22", "c=333"].map(tx);
    for (const [bytes, hash] of entries.slice(0, 2)) {
      pool.admit(bytes, hash);
      pool.add(bytes, hash);
    }
    expect(pool.reap(7).map((t) => Buffer.from(t).toString())).to.deep.equal(["a=1", "b=22"]);
    expect(pool.reap(6).map((t) => Buffer.from(t).toString())).to.deep.equal(["a=1"]);
    pool.remove(entries[0]![1]);
    expect(pool.size).to.equal(1);
    expect(pool.bytes).to.equal(4);
    const [c, cHash] = entries[2]!;
    pool.admit(c, cHash);
    pool.forget(cHash);
    expect(() => pool.admit(c, cHash)).not.to.throw();
  });

  it("reaps at most a block's max_gas of txs (1 gas each), oldest first", () => {
    const pool = new Mempool({ ...limits, maxTxs: 10 });
    for (const [bytes, hash] of ["a=1", "b=2", "c=3"].map(tx)) {
      pool.admit(bytes, hash);
      pool.add(bytes, hash);
    }
    expect(pool.reap(100, 2).map((t) => Buffer.from(t).toString())).to.deep.equal(["a=1", "b=2"]);
    expect(pool.reap(100, 0)).to.deep.equal([]);
    expect(pool.reap(100, -1)).to.have.length(3);
  });

  it("refuses a tx when full with the text the client reports as OVERLOADED", () => {
    const pool = new Mempool({ ...limits, maxTxs: 1 });
    const [a, aHash] = tx("a=1");
    pool.admit(a, aHash);
    pool.add(a, aHash);
    const [b, bHash] = tx("b=2");
    let refusal: unknown;
    try {
      pool.admit(b, bHash);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).to.be.instanceOf(MempoolError);
    const seen = overloadFromRpcError(`Internal error: ${(refusal as Error).message}`, bHash);
    expect(seen)
      .to.be.instanceOf(ChainOverloadedError)
      .and.include({ code: ResultCode.OVERLOADED, hash: bHash });
  });
});
