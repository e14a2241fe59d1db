import { expect } from "chai";
import { ChainClient } from "../../../../chain-sidecar/client/chain-client.js";
import { RegisterNodeMsg } from "../../../../chain-sidecar/modules/poc/poc-messages.js";
import { BlockWatcher, type BlockEvent } from "../../../../operator/chain/block-watcher.js";
import { waitFor } from "../../../../process/wait-for.js";
import { testWallets } from "../../chain-sidecar/app-harness.js";
import { genesisAccount } from "../../chain-sidecar/genesis-entries.js";
import { nodeOffer } from "../../chain-sidecar/modules/market/economy-fixtures.js";
import { startSoloChain, type SoloChain } from "../../chain-sidecar/solo-chain.js";

describe("operator chain: BlockWatcher's block events, against the solo producer's RPC", function () {
  this.timeout(60_000);
  const { owner, bob, validator } = testWallets("block-watcher", "owner", "bob", "validator");
  let chain: SoloChain;
  let client: ChainClient;
  let watcher: BlockWatcher;

  before(async () => {
    // A node misses its heartbeat window after two blocks, so the chain's end of block takes it offline soon.
    chain = await startSoloChain(
      { accounts: [genesisAccount(owner, 10_000_000n)], params: { poc: { heartbeatWindowBlocks: 2 } } },
      validator.address,
    );
    client = await ChainClient.connect(chain.rpcUrl);
    watcher = new BlockWatcher({ comet: client.comet, pollMs: 20 });
  });

  after(async () => {
    await watcher.stop();
    client.disconnect();
    await chain.stop();
  });

  it("hands listeners each event of their types once, from transactions and from the end of the block", async () => {
    const seen: BlockEvent[] = [];
    watcher.onEvents(["transfer", "node_offline"], (event) => seen.push(event));
    watcher.start();
    await watcher.knownHeight();
    await client.submit(owner, RegisterNodeMsg, nodeOffer("watched-node"));
    // Blocks come only with transactions: transfers until the sweep at the end of one takes the node offline.
    let transfers = 0;
    const offline = await waitFor(
      async () => {
        await client.transfer(owner, bob.address, 1n);
        transfers += 1;
        return seen.find((e) => e.type === "node_offline");
      },
      { timeoutMs: 30_000, intervalMs: 10, description: "the node_offline event of the watched node" },
    );
    expect(offline.attributes).to.include({ node: "watched-node", owner: owner.address.toLowerCase() });
    await waitFor(
      () =>
        seen.filter((e) => e.type === "transfer").length === transfers ? Promise.resolve(true) : undefined,
      { timeoutMs: 10_000, intervalMs: 20, description: "an event for every transfer" },
    );
    const transferEvents = seen.filter((e) => e.type === "transfer");
    expect(transferEvents.every((e) => e.attributes.to === bob.address.toLowerCase())).to.equal(true);
    expect(new Set(transferEvents.map((e) => e.height)).size).to.equal(transfers);
    const heights = seen.map((e) => e.height);
    expect(heights).to.deep.equal([...heights].sort((a, b) => a - b));
    // Types nobody listens to are not handed out.
    expect(seen.map((e) => e.type)).to.not.include("node_registered");
  });
});
