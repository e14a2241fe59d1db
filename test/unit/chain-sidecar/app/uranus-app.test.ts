import { expect } from "chai";
import {
  ResponseProcessProposal_ProposalStatus,
  type RequestPrepareProposal,
  type RequestProcessProposal,
} from "cosmjs-types/tendermint/abci/types";
import type { GenesisInput } from "../../../../chain-sidecar/genesis/app-state.js";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { ProposeParamChangeMsg } from "../../../../chain-sidecar/modules/governance/governance-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { AppHarness, testConsensusKey, testWallet } from "../app-harness.js";
import { genesisAccount, genesisValidator } from "../genesis-entries.js";

/** What every proposal request for the first block shares: height 1, no evidence, empty hashes. */
function firstBlock() {
  return {
    misbehavior: [],
    height: 1n,
    time: { seconds: 1n, nanos: 0 },
    nextValidatorsHash: new Uint8Array(),
    proposerAddress: new Uint8Array(),
  };
}

/** A PrepareProposal request for the first block, with an empty local last commit. */
function prepareRequest(txs: Uint8Array[], maxTxBytes: number): RequestPrepareProposal {
  return { ...firstBlock(), maxTxBytes: BigInt(maxTxBytes), txs, localLastCommit: { round: 0, votes: [] } };
}

/** A ProcessProposal request for the first block, with an empty proposed last commit. */
function processRequest(txs: Uint8Array[]): RequestProcessProposal {
  return { ...firstBlock(), txs, proposedLastCommit: { round: 0, votes: [] }, hash: new Uint8Array() };
}

describe("chain-sidecar app: ABCI flow", () => {
  const alice = testWallet("alice");
  const bob = testWallet("bob");
  const operator = testWallet("operator");
  let harness: AppHarness;
  let initValidators: number;

  beforeEach(async () => {
    const started = await AppHarness.start({
      accounts: [genesisAccount(alice, 1_000_000n), genesisAccount(bob, 0n)],
      validators: [genesisValidator(operator, testConsensusKey("v0"), 5_000_000n)],
    });
    harness = started.harness;
    initValidators = started.init.validators.length;
  });

  afterEach(async () => {
    await harness.close();
  });

  it("returns the genesis validator set from InitChain", () => {
    expect(initValidators).to.equal(1);
  });

  it("moves funds with a signed transfer and charges the flat fee", async () => {
    const tx = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 250n });
    expect((await harness.check(tx)).code).to.equal(ResultCode.OK);
    const response = await harness.block([tx]);
    expect(response.txResults[0]!.code).to.equal(ResultCode.OK);
    expect(await harness.balance(bob)).to.equal(250n);
    expect(await harness.balance(alice)).to.equal(1_000_000n - 250n - 100n);
    const account = await harness.query<{ nonce: number }>(`/account/${alice.address}`);
    expect(account.nonce).to.equal(1);
  });

  it("accepts consecutive transactions from one sender in CheckTx and rejects a replay", async () => {
    const first = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
    const second = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 2n });
    expect((await harness.check(first)).code).to.equal(ResultCode.OK);
    expect((await harness.check(second)).code).to.equal(ResultCode.OK);
    const replay = await harness.check(first);
    expect(replay.code).to.equal(ResultCode.STALE_NONCE);
    expect(replay.log).to.contain("tx.nonce");
  });

  it("reports the committed height and app hash from Info", async () => {
    const response = await harness.block([]);
    const info = await harness.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    expect(info.lastBlockHeight).to.equal(1n);
    expect(Buffer.from(info.lastBlockAppHash).toString("hex")).to.equal(
      Buffer.from(response.appHash).toString("hex"),
    );
  });

  it("drops invalid transactions in PrepareProposal and respects max_tx_bytes", async () => {
    const good = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
    const broke = await harness.sign(bob, TransferMsg, { to: alice.address, amount: 1n });
    const next = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
    const offered = [good, broke, next, new Uint8Array([1, 2, 3])];
    const prepared = await harness.app.prepareProposal(prepareRequest(offered, good.length + next.length));
    expect(prepared.txs).to.deep.equal([good, next]);
    const small = await harness.app.prepareProposal(prepareRequest([good, next], good.length));
    expect(small.txs).to.deep.equal([good]);
  });

  it("rejects proposals with undecodable or badly signed transactions and accepts good ones", async () => {
    const good = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
    const forged = new Uint8Array(good);
    forged[forged.length - 1] = 29;
    const accept = await harness.app.processProposal(processRequest([good]));
    expect(accept.status).to.equal(ResponseProcessProposal_ProposalStatus.ACCEPT);
    const garbage = await harness.app.processProposal(processRequest([good, new Uint8Array([9, 9])]));
    expect(garbage.status).to.equal(ResponseProcessProposal_ProposalStatus.REJECT);
    const bad = await harness.app.processProposal(processRequest([forged]));
    expect(bad.status).to.equal(ResponseProcessProposal_ProposalStatus.REJECT);
  });

  it("verifies each signature once across CheckTx, ProcessProposal and FinalizeBlock", async () => {
    const tx = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
    const before = harness.app.signatures.misses;
    await harness.check(tx);
    await harness.app.processProposal(processRequest([tx]));
    await harness.block([tx]);
    expect(harness.app.signatures.misses - before).to.equal(1);
  });

  it("keeps the fee and nonce of a transaction whose message fails in a block", async () => {
    const tooMuch = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 5_000_000n });
    const response = await harness.block([tooMuch]);
    expect(response.txResults[0]!.code).to.equal(ResultCode.INSUFFICIENT_FUNDS);
    expect(response.txResults[0]!.log).to.contain("Transfer.amount");
    expect(await harness.balance(alice)).to.equal(1_000_000n - 100n);
    expect(await harness.balance(bob)).to.equal(0n);
  });
});

describe("chain-sidecar app: proposals within the block limits of genesis and governance", () => {
  const alice = testWallet("alice");
  const bob = testWallet("bob");
  const operator = testWallet("operator");
  let harness: AppHarness | undefined;

  async function start(block: { maxGas: bigint; maxBytes: bigint }): Promise<AppHarness> {
    const started = await AppHarness.start(
      {
        accounts: [
          genesisAccount(alice, 1_000_000n),
          genesisAccount(bob, 0n),
          genesisAccount(operator, 1_000n),
        ],
        validators: [genesisValidator(operator, testConsensusKey("v0"), 5_000_000n)],
      },
      undefined,
      {},
      { block },
    );
    harness = started.harness;
    return harness;
  }

  async function transfers(app: AppHarness, count: number): Promise<Uint8Array[]> {
    const txs = [];
    for (let i = 0; i < count; i++)
      txs.push(await app.sign(alice, TransferMsg, { to: bob.address, amount: 1n }));
    return txs;
  }

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("proposes at most block.max_gas txs (1 gas each) and rejects a proposal of more", async () => {
    const app = await start({ maxGas: 2n, maxBytes: 1_000_000n });
    const txs = await transfers(app, 3);
    const prepared = await app.app.prepareProposal(prepareRequest(txs, 1_000_000));
    expect(prepared.txs).to.deep.equal(txs.slice(0, 2));
    const withinLimit = await app.app.processProposal(processRequest(txs.slice(0, 2)));
    expect(withinLimit.status).to.equal(ResponseProcessProposal_ProposalStatus.ACCEPT);
    const tooMany = await app.app.processProposal(processRequest(txs));
    expect(tooMany.status).to.equal(ResponseProcessProposal_ProposalStatus.REJECT);
  });

  it("rejects a proposal of valid txs that take more than block.max_bytes", async () => {
    const probe = await start({ maxGas: -1n, maxBytes: 1_000_000n });
    const size = (await transfers(probe, 1))[0]!.length;
    await probe.close();
    const app = await start({ maxGas: -1n, maxBytes: BigInt(size + 10) });
    const txs = await transfers(app, 2);
    const one = await app.app.processProposal(processRequest(txs.slice(0, 1)));
    expect(one.status).to.equal(ResponseProcessProposal_ProposalStatus.ACCEPT);
    const two = await app.app.processProposal(processRequest(txs));
    expect(two.status).to.equal(ResponseProcessProposal_ProposalStatus.REJECT);
  });

  /** A block whose one tx proposes `maxTxs`; the only validator's proposal is already a majority. */
  async function proposeMaxTxs(app: AppHarness, maxTxs: string) {
    const change = { changes: [{ module: "block", name: "maxTxs", value: maxTxs }] };
    return app.block([await app.sign(operator, ProposeParamChangeMsg, change)]);
  }

  it("takes a tx limit changed by governance from the next block on, handing it to CometBFT with max_bytes as it was", async () => {
    const app = await start({ maxGas: 2n, maxBytes: 1_000_000n });
    const changed = await proposeMaxTxs(app, "3");
    expect(changed.txResults[0]!.code, changed.txResults[0]!.log).to.equal(ResultCode.OK);
    expect(changed.consensusParamUpdates).to.deep.equal({ block: { maxBytes: 1_000_000n, maxGas: 3n } });
    expect((await app.query<{ maxTxs: number }>("/params/block")).maxTxs).to.equal(3);

    const txs = await transfers(app, 4);
    expect((await app.app.prepareProposal(prepareRequest(txs, 1_000_000))).txs).to.deep.equal(
      txs.slice(0, 3),
    );
    const three = await app.app.processProposal(processRequest(txs.slice(0, 3)));
    expect(three.status).to.equal(ResponseProcessProposal_ProposalStatus.ACCEPT);
    const four = await app.app.processProposal(processRequest(txs));
    expect(four.status).to.equal(ResponseProcessProposal_ProposalStatus.REJECT);
    const unchanged = await app.block(txs.slice(0, 3));
    expect(unchanged.consensusParamUpdates, "only the block that changes the limit hands it on").to.equal(
      undefined,
    );
  });

  it("refuses a tx limit of 0, which no later proposal could undo, naming the parameter", async () => {
    const app = await start({ maxGas: 2n, maxBytes: 1_000_000n });
    const refused = await proposeMaxTxs(app, "0");
    expect(refused.txResults[0]!.code).to.equal(ResultCode.INVALID_FIELD);
    expect(refused.txResults[0]!.log).to.contain("maxTxs").and.contain("at least 1");
    expect(refused.consensusParamUpdates).to.equal(undefined);
    expect((await app.query<{ maxTxs: number }>("/params/block")).maxTxs).to.equal(2);
  });

  it("refuses a genesis whose app_state sets the block section, which belongs to consensus_params", async () => {
    const genesis = {
      accounts: [genesisAccount(alice, 1n)],
      validators: [genesisValidator(operator, testConsensusKey("v0"), 5_000_000n)],
      params: { block: { maxTxs: 5 } },
    };
    const failure = await AppHarness.start(genesis as unknown as GenesisInput).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).to.contain("genesis.params.block").and.contain("consensus_params.block.max_gas");
  });
});
