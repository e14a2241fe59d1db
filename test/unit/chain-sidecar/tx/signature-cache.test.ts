import { expect } from "chai";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { uranusCatalog } from "../../../../chain-sidecar/modules/uranus-modules.js";
import { decodeTx, encodeTx, type DecodedTx } from "../../../../chain-sidecar/tx/envelope.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { SignatureCache } from "../../../../chain-sidecar/tx/signature-cache.js";
import { signTx } from "../../../../chain-sidecar/tx/signing.js";
import { TxError } from "../../../../chain-sidecar/tx/tx-error.js";
import { testWallet } from "../app-harness.js";

const chainId = "uranus-test-1";
const signer = testWallet("cache-signer");
const sender = signer.address.toLowerCase();

async function transfers(count: number): Promise<DecodedTx[]> {
  const to = testWallet("cache-recipient").address;
  const txs: DecodedTx[] = [];
  for (let nonce = 0; nonce < count; nonce++)
    txs.push(decodeTx(await signTx(signer, chainId, TransferMsg, { to, amount: 1n }, nonce), uranusCatalog));
  return txs;
}

describe("chain-sidecar tx: signature cache", () => {
  it("recovers a sender once and hands it back by hash", async () => {
    const [tx] = await transfers(1);
    const cache = new SignatureCache();
    expect(cache.lookup(tx!.hash)).to.equal(undefined);
    expect(cache.verify(tx!)).to.equal(sender);
    expect(cache.lookup(tx!.hash)).to.deep.equal({ tx, sender });
    expect([cache.misses, cache.hits]).to.deep.equal([1, 1]);
  });

  it("remembers a bad signature as its error", async () => {
    const [tx] = await transfers(1);
    const signature = new Uint8Array(tx!.signature);
    signature[64] = 29;
    const bad = decodeTx(encodeTx({ ...tx!, signature }), uranusCatalog);
    const cache = new SignatureCache();
    expect(() => cache.verify(bad)).to.throw(TxError, "v must be 27 or 28");
    const verdict = cache.lookup(bad.hash);
    expect(verdict && "error" in verdict ? verdict.error.code : undefined).to.equal(ResultCode.BAD_SIGNATURE);
  });

  it("holds at most its capacity, keeps the newest, and keeps what is read", async () => {
    const txs = await transfers(12);
    const cache = new SignatureCache(4);
    const kept = txs[0]!;
    for (const tx of txs) {
      cache.verify(tx);
      expect(cache.lookup(kept.hash), `${kept.hash} after nonce ${tx.nonce}`).to.not.equal(undefined);
      expect(cache.size).to.be.at.most(4);
    }
    for (const tx of txs.slice(-2)) expect(cache.lookup(tx.hash)).to.not.equal(undefined);
    expect(txs.filter((tx) => cache.lookup(tx.hash) === undefined).length).to.be.at.least(12 - 4);
  });

  it("forgets a verdict taken for delivery, and remembers none it recovers then", async () => {
    const [checked, delivered] = await transfers(2);
    const cache = new SignatureCache();
    cache.verify(checked!);
    expect(cache.take(checked!.hash)).to.deep.equal({ tx: checked, sender });
    expect(cache.lookup(checked!.hash)).to.equal(undefined);
    expect(cache.verify(delivered!, false)).to.equal(sender);
    expect(cache.size).to.equal(0);
  });
});
