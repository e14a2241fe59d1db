import { expect } from "chai";
import { createPublicKey, verify } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ChainClient } from "../../../../chain-sidecar/client/chain-client.js";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { headerHash } from "../../../../chain-sidecar/solo/block-hashing.js";
import { precommitSignBytes } from "../../../../chain-sidecar/solo/vote-sign-bytes.js";
import { signTx } from "../../../../chain-sidecar/tx/signing.js";
import { waitFor } from "../../../../process/wait-for.js";
import { CHAIN_ID, testWallets } from "../app-harness.js";
import { genesisAccount } from "../genesis-entries.js";
import { startSoloChain, type SoloChain } from "../solo-chain.js";
import {
  ED25519_SPKI_PREFIX,
  blockIdFromJson,
  fromTimestampText,
  headerFromJson,
  type BlockIdJson,
  type HeaderJson,
} from "../../../support/cometbft-block-json.js";

interface BlockJson {
  block_id: BlockIdJson;
  block: {
    header: HeaderJson;
    last_commit: {
      height: string;
      block_id: BlockIdJson;
      signatures: {
        block_id_flag: number;
        validator_address: string;
        timestamp: string;
        signature: string;
      }[];
    };
  };
}

// Long enough for many block intervals (50 ms): a producer that made empty blocks would have made several.
const IDLE_WINDOW_MS = 800;

describe("a solo Uranus chain without empty blocks", function () {
  this.timeout(30_000);
  const { alice, bob, operator } = testWallets("idle", "alice", "bob", "operator");
  let chain: SoloChain;

  before(async () => {
    chain = await startSoloChain(
      { accounts: [genesisAccount(alice, 1_000_000n), genesisAccount(bob, 0n)] },
      operator.address,
      { blockIntervalMs: 50, createEmptyBlocks: false },
    );
  });

  after(async () => {
    await chain.stop();
  });

  async function rpcBlock(height: bigint): Promise<BlockJson> {
    const response = await fetch(`${chain.rpcUrl}/block?height=${height}`);
    return ((await response.json()) as { result: BlockJson }).result;
  }

  /** Waits for the producer to stop, then checks it makes no block for the idle window. */
  async function expectQuiet(): Promise<bigint> {
    let last = -1n;
    await waitFor(
      async () => {
        const height = chain.producer.height;
        const settled = height === last;
        last = height;
        if (!settled) await sleep(200);
        return settled || undefined;
      },
      { timeoutMs: 10_000, intervalMs: 1, description: "the solo chain to settle" },
    );
    const appHash = Buffer.from(chain.app.committed.appHash).toString("hex");
    await sleep(IDLE_WINDOW_MS);
    expect(chain.producer.height, "no block while idle").to.equal(last);
    expect(Buffer.from(chain.app.committed.appHash).toString("hex")).to.equal(appHash);
    return last;
  }

  it("makes no blocks while idle, a block for a tx and one proof block after it, then none again", async () => {
    const idleHeight = await expectQuiet();
    const tx = await signTx(alice, CHAIN_ID, TransferMsg, { to: bob.address, amount: 5n }, 0);
    const { response } = await chain.producer.submitTx(tx);
    expect(response.code, response.log).to.equal(0);
    const quietAgain = await expectQuiet();
    expect(quietAgain, "the tx block and the proof block carrying its app hash").to.equal(idleHeight + 2n);
    const txBlock = chain.producer.store.get(idleHeight + 1n)!;
    const proofBlock = chain.producer.store.get(idleHeight + 2n)!;
    expect(txBlock.txs).to.have.length(1);
    expect(proofBlock.txs).to.have.length(0);
    expect(Buffer.from(proofBlock.header.appHash)).to.deep.equal(Buffer.from(chain.app.committed.appHash));
    expect(chain.faults).to.deep.equal([]);
  });

  it("verifies a proven query on the idle chain against the latest block's header, without waiting for another", async () => {
    const client = await ChainClient.connect(chain.rpcUrl);
    try {
      const height = chain.producer.height;
      const started = performance.now();
      const proven = await client.queryProven(`/account/${bob.address}`);
      expect(performance.now() - started, "no wait for a block that will not come").to.be.lessThan(2000);
      expect(proven.height).to.equal(Number(height));
      expect((proven.value as { balance: string }).balance).to.equal("5");
      expect(chain.producer.height).to.equal(height);
    } finally {
      client.disconnect();
    }
  });

  it("serves headers whose hash is CometBFT's header hash, and commits signed over CometBFT's precommit bytes", async () => {
    const height = chain.producer.height;
    expect(height >= 3n, `height ${height}`).to.equal(true);
    const key = chain.producer.validatorKey;
    const publicKey = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(key.publicKey)]),
      format: "der",
      type: "spki",
    });
    for (let h = 2n; h <= height; h++) {
      const [previous, current] = [await rpcBlock(h - 1n), await rpcBlock(h)];
      const header = headerFromJson(current.block.header);
      expect(Buffer.from(headerHash(header)).toString("hex").toUpperCase()).to.equal(current.block_id.hash);
      expect(current.block.header.last_block_id).to.deep.equal(previous.block_id);
      const commit = current.block.last_commit;
      expect(commit.signatures).to.have.length(1);
      const [signature] = commit.signatures;
      expect(signature!.validator_address).to.equal(key.addressHex);
      const signBytes = precommitSignBytes({
        chainId: CHAIN_ID,
        height: BigInt(commit.height),
        round: 0,
        blockId: blockIdFromJson(commit.block_id),
        time: fromTimestampText(signature!.timestamp),
      });
      expect(verify(null, signBytes, publicKey, Buffer.from(signature!.signature, "base64"))).to.equal(true);
    }
  });
});
