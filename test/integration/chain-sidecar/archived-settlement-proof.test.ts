import { expect } from "chai";
import { Wallet } from "ethers";
import { ChainClient } from "../../../chain-sidecar/client/chain-client.js";
import { buildUranusGenesis } from "../../../chain-sidecar/genesis/validator-homes.js";
import {
  CloseContractMsg,
  OpenContractMsg,
  RecordLeaseMsg,
} from "../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../chain-sidecar/modules/metering/metering-messages.js";
import { RegisterNodeMsg } from "../../../chain-sidecar/modules/poc/poc-messages.js";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import { waitFor } from "../../../process/wait-for.js";
import { runCli } from "../../unit/chain-sidecar/cli-runner.js";
import {
  batchOf,
  contractTerms,
  meterRecord,
  nodeOffer,
} from "../../unit/chain-sidecar/modules/market/economy-fixtures.js";

const CHAIN_ID = "uranus-archive-proof";
const POD = "pod-archived-proof";

describe("a settlement pruned from state on a real CometBFT chain, proven from the archive", function () {
  this.timeout(120_000);
  let testnet: Testnet;
  let client: ChainClient;
  const payer = new Wallet(Wallet.createRandom().privateKey);
  const owner = new Wallet(Wallet.createRandom().privateKey);

  before(async () => {
    testnet = await Testnet.create({
      validators: 1,
      launcher: uranusSidecarLauncher,
      chainId: CHAIN_ID,
      timeoutCommitMs: 200,
      appGenesis: (_chainId, validators) =>
        buildUranusGenesis(validators, {
          accounts: [
            { address: payer.address, balance: 10n ** 12n },
            { address: owner.address, balance: 10n ** 12n },
          ],
          params: { metering: { settlementRetentionSeconds: 1, prunePerBlock: 10 } },
        }),
    });
    await testnet.start(1);
    client = await ChainClient.connect(testnet.nodes[0]!.rpcUrl);
  });

  after(async () => {
    client.disconnect();
    await testnet.destroy();
  });

  /** The latest block's time in whole seconds, as the chain sees it. */
  async function chainSeconds(): Promise<number> {
    const { block } = await client.comet.block();
    return Math.floor(block.header.time.getTime() / 1000);
  }

  it("answers a proven query with the record as last in state, checked against the next block's app hash", async () => {
    await client.submit(owner, RegisterNodeMsg, nodeOffer("node-a"));
    const opened = await client.submit(payer, OpenContractMsg, contractTerms({ budget: 10n ** 9n }));
    const contractId = opened.events
      .find((e) => e.type === "contract_opened")!
      .attributes.find((a) => a.key === "contract")!.value;
    const startedAt = await chainSeconds();
    await client.submit(payer, RecordLeaseMsg, {
      contractId,
      replica: 0n,
      nodeId: "node-a",
      podUid: POD,
      startedAt: BigInt(startedAt),
    });
    // The interval must have passed on the chain's clock before it can be billed.
    await waitFor(async () => (await chainSeconds()) >= startedAt + 3 || undefined, {
      timeoutMs: 20_000,
      intervalMs: 200,
      description: "three seconds of chain time",
    });
    const record = meterRecord(POD, contractId, "node-a", startedAt, startedAt + 2);
    await client.submit(owner, MeteringBatchMsg, batchOf(owner.address.toLowerCase(), [record]));
    const live = await client.queryProven(`/settlement/pod/${POD}`);
    expect(live.archived).to.equal(false);
    expect(live.value).to.deep.include({ podUid: POD, seconds: 2 });

    await client.submit(payer, CloseContractMsg, { contractId });
    // Past the one-second retention, the next block with a transaction archives the record.
    const archived = await waitFor(
      async () => {
        await client.transfer(payer, owner.address, 1n);
        const proven = await client.queryProven(`/settlement/pod/${POD}`);
        return proven.archived ? proven : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: "the settlement archived" },
    );
    expect(archived.value).to.deep.equal(live.value);
    const header = (await client.comet.block(archived.height + 1)).block.header;
    expect(archived.appHash).to.equal(Buffer.from(header.appHash).toString("hex"));
    const plain = (await client.queryJson(`/settlement/pod/${POD}`)) as { archived?: { height: number } };
    expect(plain.archived?.height).to.equal(archived.height);

    // The CLI says both where the record was last and that its proof was checked there.
    const cli = await runCli(["--node", testnet.nodes[0]!.rpcUrl, "query", "pod", POD, "--prove"]);
    expect(cli.code, cli.stderr).to.equal(0);
    expect(cli.stdout)
      .to.match(
        new RegExp(`archived +yes: as committed at height ${archived.height}, app hash ${archived.appHash}`),
      )
      .and.match(new RegExp(`proof +verified at height ${archived.height}`));
  });
});
