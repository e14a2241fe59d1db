import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { PendingTxLimit } from "../../../../chain-sidecar/app/pending-tx-limit.js";
import { openUranusApp, type UranusApp } from "../../../../chain-sidecar/app/uranus-app.js";
import { buildGenesisAppState } from "../../../../chain-sidecar/genesis/app-state.js";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { CODESPACE, ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { signTx } from "../../../../chain-sidecar/tx/signing.js";
import { CHAIN_ID, testConsensusKey, testWallet } from "../app-harness.js";
import { genesisAccount, genesisValidator } from "../genesis-entries.js";

describe("chain-sidecar pending-tx limit: admission to the mempool", () => {
  it("admits new transactions up to its limit, then refuses them as OVERLOADED", () => {
    const limit = new PendingTxLimit(2);
    expect(limit.refusal(false)).to.equal(undefined);
    limit.admitted();
    limit.admitted();
    const refusal = limit.refusal(false);
    expect(refusal?.code).to.equal(ResultCode.OVERLOADED);
    expect(refusal?.log).to.match(
      /^OVERLOADED: 2 transactions wait for a block on this node \(its limit is 2\)/,
    );
  });

  it("always admits a recheck, which already holds its place", () => {
    const limit = new PendingTxLimit(1);
    limit.admitted();
    expect(limit.refusal(true)).to.equal(undefined);
  });

  it("starts counting again after a commit", () => {
    const limit = new PendingTxLimit(1);
    limit.admitted();
    limit.committed();
    expect(limit.count).to.equal(0);
    expect(limit.refusal(false)).to.equal(undefined);
  });

  it("refuses a limit that is not a positive integer", () => {
    expect(() => new PendingTxLimit(0)).to.throw(/positive integer/);
    expect(() => new PendingTxLimit(1.5)).to.throw(/positive integer/);
  });
});

describe("chain-sidecar app: CheckTx past maxPendingTxs", () => {
  const senders = [0, 1, 2, 3].map((i) => testWallet(`overload-${i}`));
  const recipient = testWallet("overload-recipient");
  let dir: string;
  let app: UranusApp;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "uranus-overload-"));
    app = await openUranusApp({ dataDir: dir, maxPendingTxs: 2 });
    const appState = buildGenesisAppState({
      accounts: senders.map((s) => genesisAccount(s, 1_000_000n)),
      validators: [genesisValidator(testWallet("overload-operator"), testConsensusKey("v0"), 5_000_000n)],
    });
    await app.initChain({
      time: { seconds: 1_700_000_000n, nanos: 0 },
      chainId: CHAIN_ID,
      validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
      initialHeight: 1n,
    });
  });

  afterEach(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const transfer = (sender: number, nonce = 0): Promise<Uint8Array> =>
    signTx(senders[sender]!, CHAIN_ID, TransferMsg, { to: recipient.address, amount: 1n }, nonce);
  const check = (tx: Uint8Array, type = CheckTxType.NEW) => app.checkTx({ tx, type });
  const commitBlock = async (height: number, txs: Uint8Array[]): Promise<number[]> => {
    const response = await app.finalizeBlock({
      txs,
      decidedLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      hash: new Uint8Array(32),
      height: BigInt(height),
      time: { seconds: 1_700_000_000n + BigInt(height), nanos: 0 },
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    });
    await app.commit({});
    return response.txResults.map((r) => r.code);
  };

  it("refuses the third new transaction with OVERLOADED in the uranus codespace, before checking it", async () => {
    const txs = await Promise.all([0, 1, 2].map((s) => transfer(s)));
    expect((await check(txs[0]!)).code).to.equal(ResultCode.OK);
    expect((await check(txs[1]!)).code).to.equal(ResultCode.OK);
    const refused = await check(txs[2]!);
    expect(refused.code).to.equal(ResultCode.OVERLOADED);
    expect(refused.codespace).to.equal(CODESPACE);
    expect(refused.log).to.match(/^OVERLOADED: /);
    // Not checked at all: even bytes that are no transaction get the same answer while the node is full.
    expect((await check(Uint8Array.of(1, 2, 3))).code).to.equal(ResultCode.OVERLOADED);
  });

  it("admits the same bytes after a commit makes room (the refused nonce was never used)", async () => {
    const [first, second, third] = await Promise.all([0, 1, 2].map((s) => transfer(s)));
    await check(first!);
    await check(second!);
    expect((await check(third!)).code).to.equal(ResultCode.OVERLOADED);
    expect(await commitBlock(1, [first!, second!])).to.deep.equal([ResultCode.OK, ResultCode.OK]);
    expect((await check(third!)).code).to.equal(ResultCode.OK);
  });

  it("rechecks the transactions left after a commit even past the limit, and counts them", async () => {
    const [a, b, c, d] = await Promise.all([0, 1, 2, 3].map((s) => transfer(s)));
    await check(a!);
    await check(b!);
    await commitBlock(1, []);
    // CometBFT rechecks what stayed in its mempool; those keep their place.
    expect((await check(a!, CheckTxType.RECHECK)).code).to.equal(ResultCode.OK);
    expect((await check(b!, CheckTxType.RECHECK)).code).to.equal(ResultCode.OK);
    expect((await check(c!, CheckTxType.RECHECK)).code).to.equal(ResultCode.OK);
    expect((await check(d!)).code).to.equal(ResultCode.OVERLOADED);
  });
});
