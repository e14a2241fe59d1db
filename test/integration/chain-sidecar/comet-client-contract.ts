// The behaviour a Comet38Client user relies on, checked against any node: real CometBFT or the solo RPC.
import { expect } from "chai";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { ChainClient } from "../../../chain-sidecar/client/chain-client.js";
import { ChainTxError } from "../../../chain-sidecar/client/chain-errors.js";
import { waitFor } from "../../../process/wait-for.js";

export interface NodeUnderTest {
  /** http://127.0.0.1:PORT */
  rpcUrl: string;
}

export function cometClientContract(setup: () => NodeUnderTest): void {
  let client: Comet38Client;

  before(async () => {
    client = await Comet38Client.connect(setup().rpcUrl);
  });

  after(() => {
    client.disconnect();
  });

  it("broadcasts a tx and reads it back from block, block_results, tx and abci_query", async () => {
    const committed = await client.broadcastTxCommit({ tx: Buffer.from(`planet=uranus-${Date.now()}`) });
    expect(committed.checkTx.code).to.equal(0);
    expect(committed.txResult?.code).to.equal(0);
    const block = await client.block(committed.height);
    expect(block.block.header.height).to.equal(committed.height);
    expect(block.block.txs.map((t) => Buffer.from(t).toString())[0]).to.match(/^planet=uranus-/);
    const results = await client.blockResults(committed.height);
    expect(results.results).to.have.length(1);
    expect(results.results[0]!.events[0]!.attributes).to.deep.include({ key: "key", value: "planet" });
    const tx = await client.tx({ hash: committed.hash });
    expect(tx.height).to.equal(committed.height);
    const query = await client.abciQuery({ path: "/store", data: Buffer.from("planet") });
    expect(query.code).to.equal(0);
    expect(Buffer.from(query.value).toString()).to.match(/^uranus-/);
  });

  it("reports a CheckTx rejection with its code and log", async () => {
    const response = await client.broadcastTxSync({ tx: Buffer.from("not a key value pair") });
    expect(response.code).to.equal(1);
    expect(response.log).to.match(/key=value/);
  });

  it("answers a JSON-RPC batch of broadcasts, of one as of many, one answer per transaction", async () => {
    const chain = await ChainClient.connect(setup().rpcUrl);
    try {
      const tag = Date.now();
      expect(await chain.broadcastBatch([Buffer.from(`batch-one=${tag}`)])).to.deep.equal([undefined]);
      const answers = await chain.broadcastBatch([Buffer.from(`batch-two=${tag}`), Buffer.from("no pair")]);
      expect(answers[0]).to.equal(undefined);
      expect(answers[1]).to.be.instanceOf(ChainTxError).and.include({ code: 1 });
    } finally {
      chain.disconnect();
    }
  });

  it("serves status, validators, blockchain and genesis", async () => {
    const status = await client.status();
    expect(status.syncInfo.latestBlockHeight).to.be.greaterThan(0);
    const validators = await client.validators({});
    expect(validators.total).to.equal(1);
    expect(validators.validators[0]!.votingPower > 0n).to.equal(true);
    const chain = await client.blockchain();
    expect(chain.blockMetas.length).to.be.greaterThan(0);
    const genesis = await client.genesis();
    expect(genesis.chainId).to.equal(status.nodeInfo.network);
  });

  it("streams new blocks over a websocket subscription", async () => {
    const ws = await Comet38Client.connect(setup().rpcUrl.replace(/^http:/, "ws:"));
    try {
      const heights: number[] = [];
      const subscription = ws.subscribeNewBlock().subscribe({
        next: (block) => heights.push(block.header.height),
        error: (error: unknown) => {
          throw error;
        },
      });
      await client.broadcastTxSync({ tx: Buffer.from(`tick=${Date.now()}`) });
      await waitFor(
        async () => {
          // Keep the chain moving where empty blocks are off.
          if (heights.length < 2) await client.broadcastTxAsync({ tx: Buffer.from(`tick=${Math.random()}`) });
          return heights.length >= 2 || undefined;
        },
        { timeoutMs: 15_000, intervalMs: 300, description: "two NewBlock events" },
      );
      expect(heights[1]).to.equal(heights[0]! + 1);
      subscription.unsubscribe();
    } finally {
      ws.disconnect();
    }
  });
}
