import { expect } from "chai";
import fc from "fast-check";
import { ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { uranusRegistry } from "../../../../chain-sidecar/modules/uranus-modules.js";
import { answerQuery, MAX_QUERY_ANSWER_BYTES } from "../../../../chain-sidecar/query/query-handler.js";
import { verifyStateProof } from "../../../../chain-sidecar/query/state-proof.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { AppHarness, testConsensusKey, testWallet } from "../app-harness.js";

describe("chain-sidecar query: paths and Merkle proofs", function () {
  this.timeout(60_000);
  const wallets = [0, 1, 2, 3, 4, 5].map((i) => testWallet(`q-${i}`));
  const operator = testWallet("q-operator");
  let harness: AppHarness;

  before(async () => {
    harness = (
      await AppHarness.start({
        accounts: wallets.map((w, i) => ({ address: w.address, balance: 1_000n + BigInt(i) })),
        validators: [
          {
            operator: operator.address,
            consensusPubKey: Buffer.from(testConsensusKey("q")).toString("base64"),
            deposit: 2_000_000n,
            moniker: "query-node",
          },
        ],
      })
    ).harness;
    await harness.block([
      await harness.sign(wallets[0]!, TransferMsg, { to: wallets[1]!.address, amount: 5n }),
    ]);
  });

  after(async () => {
    await harness.close();
  });

  function ask(path: string, prove = false, height = 0n): Promise<ResponseQuery> {
    return harness.app.query({ path, data: new Uint8Array(), height, prove });
  }

  const appHash = () => harness.app.committed.appHash;

  it("proves any account's record against the app hash", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...wallets, operator), async (wallet) => {
        const answer = await ask(`/account/${wallet.address}`, true);
        expect(answer.code).to.equal(0);
        expect(answer.height).to.equal(BigInt(harness.height));
        await verifyStateProof(answer, appHash());
      }),
      { numRuns: 10 },
    );
  });

  it("proves a validator record, the supply and one module's params", async () => {
    for (const path of [`/validator/${operator.address}`, "/supply", "/params/staking", "/fee-pool"]) {
      const answer = await ask(path, true);
      expect(answer.code, path).to.equal(0);
      expect(answer.value.length, path).to.be.greaterThan(0);
      await verifyStateProof(answer, appHash());
    }
    const validator = JSON.parse(
      new TextDecoder().decode((await ask(`/validator/${operator.address}`, true)).value),
    ) as {
      moniker: string;
    };
    expect(validator.moniker).to.equal("query-node");
  });

  it("proves the absence of an unknown account", async () => {
    const answer = await ask(`/account/${testWallet("q-nobody").address}`, true);
    expect(answer.code).to.equal(0);
    expect(answer.value.length).to.equal(0);
    await verifyStateProof(answer, appHash());
  });

  it("fails verification when the value or the app hash is tampered with", async () => {
    const answer = await ask(`/account/${wallets[2]!.address}`, true);
    const value = new TextEncoder().encode(new TextDecoder().decode(answer.value).replace("1002", "9999"));
    let error: unknown;
    try {
      await verifyStateProof({ ...answer, value }, appHash());
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.contain("differs from the answer");
    const otherHash = new Uint8Array(appHash());
    otherHash[0]! ^= 1;
    error = undefined;
    try {
      await verifyStateProof(answer, otherHash);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.contain("does not verify");
  });

  it("answers without a proof for a fresh account with a zero balance", async () => {
    const answer = await ask(`/account/${testWallet("q-nobody").address}`);
    expect(JSON.parse(new TextDecoder().decode(answer.value))).to.deep.include({ balance: "0", nonce: 0 });
  });

  it("lists validators and params as JSON views", async () => {
    const validators = await harness.query<{ operator: string; power: string }[]>("/validators");
    expect(validators).to.have.length(1);
    expect(validators[0]!.power).to.equal("2000000");
    const params = await harness.query<{ bank: { txFee: string }; staking: { maxValidators: number } }>(
      "/params",
    );
    expect(params.bank.txFee).to.equal("100");
    expect(params.staking.maxValidators).to.equal(48);
  });

  it("explains bad queries with a code naming what is wrong", async () => {
    const unknown = await ask("/nope");
    expect(unknown.code).to.equal(ResultCode.NOT_FOUND);
    expect(unknown.log).to.contain("/account/:address");
    const badAddress = await ask("/account/0x1234");
    expect(badAddress.code).to.equal(ResultCode.INVALID_FIELD);
    expect(badAddress.log).to.contain("address");
    const noValidator = await ask(`/validator/${wallets[0]!.address}`);
    expect(noValidator.code).to.equal(ResultCode.NOT_FOUND);
    const oldHeight = await ask("/supply", false, 999n);
    expect(oldHeight.code).to.equal(ResultCode.HEIGHT_UNAVAILABLE);
    expect(oldHeight.log).to.contain("height");
    const viewProof = await ask("/validators", true);
    expect(viewProof.code).to.equal(ResultCode.PROOF_UNAVAILABLE);
  });

  it("serves a proof asked for between FinalizeBlock and Commit at once, of the last committed block", async () => {
    const committedHeight = harness.height;
    const committedHash = new Uint8Array(appHash());
    const tx = await harness.sign(wallets[3]!, TransferMsg, { to: wallets[4]!.address, amount: 7n });
    await harness.finalize([tx]);
    const during = await ask(`/account/${wallets[4]!.address}`, true);
    expect(during.height).to.equal(BigInt(committedHeight));
    expect(JSON.parse(new TextDecoder().decode(during.value))).to.deep.include({ balance: "1004" });
    await verifyStateProof(during, committedHash);
    await harness.app.commit({});
    harness.height += 1;
    const after = await ask(`/account/${wallets[4]!.address}`, true);
    expect(after.height).to.equal(BigInt(harness.height));
    expect(JSON.parse(new TextDecoder().decode(after.value))).to.deep.include({ balance: "1011" });
    await verifyStateProof(after, appHash());
  });

  it("answers ANSWER_TOO_LARGE, naming the path and the size, where an answer is over what CometBFT takes", async () => {
    expect(MAX_QUERY_ANSWER_BYTES).to.be.within(4 * 1024 * 1024 - 64, 4 * 1024 * 1024);
    const request = {
      path: `/account/${wallets[0]!.address}`,
      data: new Uint8Array(),
      height: 0n,
      prove: false,
    };
    const source = {
      state: harness.app.committed,
      height: harness.height,
      timeMs: 0,
      prove: () => Promise.reject(new Error("no proof was asked for")),
    };
    const whole = await answerQuery(uranusRegistry, source, request);
    expect(whole.code).to.equal(ResultCode.OK);
    const size = ResponseQuery.encode(whole).finish().length;
    expect((await answerQuery(uranusRegistry, source, request, size)).value).to.deep.equal(whole.value);
    const refused = await answerQuery(uranusRegistry, source, request, size - 1);
    expect(refused.code).to.equal(ResultCode.ANSWER_TOO_LARGE);
    expect(refused.value.length).to.equal(0);
    expect(refused.log).to.contain(request.path).and.contain(`${size} bytes`);
  });
});
