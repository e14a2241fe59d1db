// Proof that a secret never reached the chain: every transaction of every block so far, searched for the value in
// each encoding a transaction could carry it.
import { expect } from "chai";
import type { ChainClient } from "../../chain-sidecar/client/chain-client.js";

/** Fails if `secret` appears in any block's transactions; returns how many transactions were searched. */
export async function expectInNoBlock(client: ChainClient, secret: string): Promise<number> {
  const needles = [secret, Buffer.from(secret).toString("hex"), Buffer.from(secret).toString("base64")];
  const latest = (await client.comet.status()).syncInfo.latestBlockHeight;
  let txs = 0;
  for (let height = 1; height <= latest; height++) {
    for (const tx of (await client.comet.block(height)).block.txs) {
      txs++;
      const text = Buffer.from(tx).toString("latin1");
      for (const needle of needles) expect(text, `block ${height}`).to.not.contain(needle);
    }
  }
  return txs;
}
