import { expect } from "chai";
import { Mempool, MempoolError, txHash } from "../../../../chain-sidecar/solo/mempool.js";

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
});
