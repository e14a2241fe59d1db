import { expect } from "chai";
import { pino } from "pino";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { SoloProducer } from "../../../../chain-sidecar/solo/solo-producer.js";
import { SoloRpcServer } from "../../../../chain-sidecar/solo/rpc-server.js";
import { ValidatorKey } from "../../../../chain-sidecar/node/validator-key.js";
import { newGenesisDoc } from "../../../../chain-sidecar/genesis/genesis-doc.js";
import { KvstoreApp, KV_INVALID_TX } from "../../../support/kvstore-app.js";
import { waitFor } from "../../../../process/wait-for.js";

const silent = pino({ level: "silent" });

describe("solo producer RPC through Comet38Client", function () {
  this.timeout(20_000);
  let app: KvstoreApp;
  let producer: SoloProducer;
  let rpc: SoloRpcServer;
  let client: Comet38Client;
  let fatal: Error[];
  const key = ValidatorKey.generate();

  /** A started producer of "solo-test" over `app`, on the one validator `key`, that makes no empty blocks. */
  async function startProducer(options: { blockIntervalMs: number; produceOnTx?: boolean }): Promise<void> {
    producer = new SoloProducer({
      app,
      genesis: newGenesisDoc({
        chainId: "solo-test",
        validators: [{ publicKey: key.publicKey, power: 10n }],
      }),
      validatorKey: key,
      logger: silent,
      onFatal: (error) => fatal.push(error),
      ...options,
      createEmptyBlocks: false,
    });
    await producer.start();
  }

  beforeEach(async () => {
    app = new KvstoreApp();
    fatal = [];
    await startProducer({ blockIntervalMs: 50, produceOnTx: true });
    rpc = new SoloRpcServer({ producer, logger: silent });
    await rpc.listen();
    client = await Comet38Client.connect(rpc.url);
  });

  afterEach(async () => {
    client.disconnect();
    await rpc.close();
    await producer.stop();
  });

  it("reports status, abci_info and genesis", async () => {
    const status = await client.status();
    expect(status.nodeInfo.network).to.equal("solo-test");
    expect(status.validatorInfo.votingPower).to.equal(10n);
    expect(Buffer.from(status.validatorInfo.pubkey!.data)).to.deep.equal(Buffer.from(key.publicKey));
    const info = await client.abciInfo();
    expect(info.data).to.equal("kvstore");
    const genesis = await client.genesis();
    expect(genesis.chainId).to.equal("solo-test");
    expect(genesis.validators).to.have.length(1);
    expect(app.calls.slice(0, 2)).to.deep.equal(["info", "initChain"]);
  });

  it("commits a tx and serves it through block, block_results, tx, abci_query and blockchain", async () => {
    const committed = await client.broadcastTxCommit({ tx: Buffer.from("color=blue") });
    expect(committed.checkTx.code).to.equal(0);
    expect(committed.txResult!.code).to.equal(0);
    expect(committed.height).to.be.greaterThan(0);
    const block = await client.block(committed.height);
    expect(block.block.txs.map((t) => Buffer.from(t).toString())).to.deep.equal(["color=blue"]);
    expect(block.block.header.chainId).to.equal("solo-test");
    const results = await client.blockResults(committed.height);
    expect(results.results[0]!.events[0]!.attributes[0]!.value).to.equal("color");
    expect(results.finalizeBlockEvents[0]!.type).to.equal("kv_block");
    const tx = await client.tx({ hash: committed.hash });
    expect(tx.height).to.equal(committed.height);
    expect(Buffer.from(tx.tx).toString()).to.equal("color=blue");
    const query = await client.abciQuery({ path: "/store", data: Buffer.from("color") });
    expect(Buffer.from(query.value).toString()).to.equal("blue");
    const chain = await client.blockchain(1, committed.height);
    // The proof block carrying the tx's app hash may already follow it.
    expect(chain.lastHeight).to.be.within(committed.height, committed.height + 1);
    expect(chain.blockMetas[0]!.header.height).to.equal(committed.height);
    // Each header commits to the app hash of the block before it.
    const next = await client.broadcastTxCommit({ tx: Buffer.from("size=9") });
    const nextBlock = await client.block(next.height);
    const raw = (await (await fetch(`${rpc.url}/block_results?height=${next.height - 1}`)).json()) as {
      result: { app_hash: string };
    };
    expect(Buffer.from(nextBlock.block.header.appHash).toString("base64")).to.equal(raw.result.app_hash);
    expect(Buffer.from(nextBlock.block.header.lastBlockId!.hash)).to.deep.equal(
      Buffer.from((await client.block(next.height - 1)).blockId.hash),
    );
  });

  it("serves CometBFT's consensus metrics at /metrics, counting committed blocks and txs", async () => {
    await client.broadcastTxCommit({ tx: Buffer.from("metric=1") });
    const text = await (await fetch(`${rpc.url}/metrics`)).text();
    for (const name of [
      "cometbft_consensus_height",
      "cometbft_consensus_num_txs",
      "cometbft_consensus_total_txs",
      "cometbft_consensus_block_interval_seconds",
    ])
      expect(text, name).to.match(new RegExp(`^# TYPE ${name} `, "m"));
    expect(text).to.match(/^cometbft_consensus_total_txs(\{[^}]*\})? 1$/m);
  });

  it("returns CheckTx failures without committing, and refuses duplicates", async () => {
    const bad = await client.broadcastTxSync({ tx: Buffer.from("no-equals") });
    expect(bad.code).to.equal(KV_INVALID_TX);
    expect(bad.log).to.match(/key=value/);
    const ok = await client.broadcastTxSync({ tx: Buffer.from("a=1") });
    expect(ok.code).to.equal(0);
    await waitFor(() => app.store.get("a") === "1" || undefined, {
      timeoutMs: 5000,
      description: "a=1 committed",
    });
    let refused: unknown;
    try {
      await client.broadcastTxSync({ tx: Buffer.from("a=1") });
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.match(/tx already exists in cache/);
    const validators = await client.validators({});
    expect(validators.total).to.equal(1);
  });

  it("rechecks the mempool after each block and drops txs that became invalid", async () => {
    await rpc.close();
    await producer.stop();
    app = new KvstoreApp({ maxTxsPerBlock: 1 });
    await startProducer({ blockIntervalMs: 20 });
    await waitFor(() => producer.store.height === 1n || undefined, {
      timeoutMs: 5000,
      description: "first block",
    });
    rpc = new SoloRpcServer({ producer, logger: silent });
    await rpc.listen();
    // Both pass CheckTx; only one fits in the next block, after which the other conflicts with it.
    const [first, second] = await Promise.all([
      producer.submitTx(Buffer.from("unique-name=first")),
      producer.submitTx(Buffer.from("unique-name=second")),
    ]);
    expect(first.response.code).to.equal(0);
    expect(second.response.code).to.equal(0);
    await waitFor(() => (producer.store.height >= 2n && producer.mempool.size === 0) || undefined, {
      timeoutMs: 5000,
      description: "block 2 and an empty mempool",
    });
    expect(app.store.get("unique-name")).to.equal("first");
    expect(producer.store.get(2n)!.txs).to.have.length(1);
    expect(producer.store.findTx(second.hash)).to.equal(undefined);
    expect(app.maxConcurrentBlockCalls).to.equal(1);
    expect(fatal).to.deep.equal([]);
  });

  it("answers CheckTx while a block is being finalized, and rechecks what it admitted after the commit", async () => {
    const hold = app.holdNextFinalize();
    const first = await client.broadcastTxSync({ tx: Buffer.from("unique-slow=first") });
    expect(first.code).to.equal(0);
    await hold.entered;
    const heldAt = producer.store.height;
    let second;
    try {
      // FinalizeBlock of the block holding the first tx is still running: CheckTx must not wait for it.
      second = await client.broadcastTxSync({ tx: Buffer.from("unique-slow=second") });
      expect(second.code).to.equal(0);
      expect(producer.store.height, "the held block is not committed yet").to.equal(heldAt);
    } finally {
      hold.release();
    }
    // After the commit the recheck finds the key taken, so the second never lands.
    await waitFor(() => (producer.mempool.size === 0 ? true : undefined), {
      timeoutMs: 5000,
      description: "the mempool rechecked after the held block",
    });
    expect(app.store.get("unique-slow")).to.equal("first");
    expect(producer.store.findTx(Buffer.from(second.hash).toString("hex").toUpperCase())).to.equal(undefined);
    expect(app.maxConcurrentBlockCalls).to.equal(1);
    expect(app.maxConcurrentCalls).to.equal(2);
    expect(fatal).to.deep.equal([]);
  });

  it("pushes NewBlock and Tx events to websocket subscribers", async () => {
    const ws = await Comet38Client.connect(rpc.url.replace("http:", "ws:"));
    try {
      const blocks: number[] = [];
      const txs: string[] = [];
      const blockSub = ws.subscribeNewBlock().subscribe({ next: (b) => blocks.push(b.header.height) });
      const txSub = ws.subscribeTx().subscribe({ next: (t) => txs.push(Buffer.from(t.tx).toString()) });
      await waitFor(() => rpc.subscriptionCount === 2 || undefined, {
        timeoutMs: 5000,
        description: "both subscriptions registered",
      });
      const committed = await client.broadcastTxCommit({ tx: Buffer.from("ws=yes") });
      await waitFor(() => (blocks.includes(committed.height) && txs.includes("ws=yes")) || undefined, {
        timeoutMs: 5000,
        description: "NewBlock and Tx events",
      });
      blockSub.unsubscribe();
      txSub.unsubscribe();
    } finally {
      ws.disconnect();
    }
  });
});
