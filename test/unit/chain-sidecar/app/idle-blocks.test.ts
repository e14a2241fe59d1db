import { expect } from "chai";
import { readLastBlock } from "../../../../chain-sidecar/app/last-block-record.js";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { AppHarness, testConsensusKey, testWallets } from "../app-harness.js";
import { genesisAccount, genesisValidator } from "../genesis-entries.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("chain-sidecar app: blocks without transactions", function () {
  this.timeout(30_000);
  const { alice, bob, operator } = testWallets("idle-app", "alice", "bob", "operator");
  let harness: AppHarness;

  beforeEach(async () => {
    const started = await AppHarness.start({
      accounts: [genesisAccount(alice, 1_000_000n), genesisAccount(bob, 0n)],
      validators: [genesisValidator(operator, testConsensusKey("idle-app-v"), 1_000_000n)],
      params: { staking: { epochBlocks: 2, unbondingBlocks: 1 } },
    });
    harness = started.harness;
  });

  afterEach(async () => {
    await harness.close();
  });

  it("change no state: the app hash and every key stay, even past epoch boundaries", async () => {
    await harness.block([await harness.sign(alice, TransferMsg, { to: bob.address, amount: 10n })]);
    const appHash = hex(harness.app.committed.appHash);
    const entries = harness.app.committed.entries("");
    const empty = await harness.emptyBlocks(5);
    for (const response of empty) {
      expect(hex(response.appHash)).to.equal(appHash);
      expect(response.events).to.deep.equal([]);
      expect(response.validatorUpdates).to.deep.equal([]);
    }
    expect(harness.app.committed.entries("")).to.deep.equal(entries);
    expect(hex(harness.app.committed.appHash)).to.equal(appHash);
  });

  it("keep the last block's height and time beside the state, across a restart", async () => {
    await harness.block([await harness.sign(alice, TransferMsg, { to: bob.address, amount: 10n })]);
    const timeMs = 1_700_000_000_000 + 9_000;
    await harness.block([], { timeMs });
    expect(harness.app.committed.get("chain/lastBlock")).to.equal(undefined);
    await harness.restart();
    expect(readLastBlock(harness.app.committed)).to.deep.equal({ height: 2, timeMs });
    // CheckTx still works after the restart, against the recorded time.
    const check = await harness.check(
      await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n }),
    );
    expect(check.code, check.log).to.equal(0);
  });
});
