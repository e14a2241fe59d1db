import { expect } from "chai";
import { hexlify } from "ethers";
import { ChainClient } from "../../../../chain-sidecar/client/chain-client.js";
import { ChainQueryError, ChainTxError } from "../../../../chain-sidecar/client/chain-errors.js";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { signTx } from "../../../../chain-sidecar/tx/signing.js";
import { testConsensusKey, testWallets } from "../app-harness.js";
import { genesisAccount } from "../genesis-entries.js";
import { startSoloChain, type SoloChain } from "../solo-chain.js";

describe("chain-sidecar client: ChainClient against the solo producer's RPC", function () {
  this.timeout(60_000);
  const { alice, bob, operator, newcomer } = testWallets("client", "alice", "bob", "operator", "newcomer");
  let chain: SoloChain;
  let client: ChainClient;

  before(async () => {
    chain = await startSoloChain(
      {
        accounts: [
          genesisAccount(alice, 10_000_000n),
          genesisAccount(operator, 1_000n),
          genesisAccount(newcomer, 5_000_000n),
        ],
      },
      operator.address,
    );
    client = await ChainClient.connect(chain.rpcUrl);
  });

  after(async () => {
    client.disconnect();
    await chain.stop();
  });

  it("reads the chain id from the node", async () => {
    expect(await client.chainId()).to.equal("uranus-test-1");
  });

  it("sends a transfer and waits for its block", async () => {
    const outcome = await client.transfer(alice, bob.address, 1234n);
    expect(outcome.height).to.be.greaterThan(0);
    expect(outcome.events.map((e) => e.type)).to.include("transfer");
    expect((await client.account(bob.address)).balance).to.equal(1234n);
  });

  it("broadcasts a JSON-RPC batch in order and answers each transaction: admitted, refused, or refused as ahead", async () => {
    const { nonce } = await client.account(newcomer.address);
    const chainId = await client.chainId();
    const txs = await Promise.all([
      signTx(newcomer, chainId, TransferMsg, { to: bob.address, amount: 1n }, nonce),
      signTx(newcomer, chainId, TransferMsg, { to: bob.address, amount: 10n ** 12n }, nonce + 1),
      signTx(newcomer, chainId, TransferMsg, { to: bob.address, amount: 2n }, nonce + 2),
    ]);
    const answers = await client.broadcastBatch(txs);
    expect(answers[0]).to.equal(undefined);
    expect(answers[1]).to.be.instanceOf(ChainTxError).and.include({ code: ResultCode.INSUFFICIENT_FUNDS });
    expect(answers[2]).to.be.instanceOf(ChainTxError).and.include({ code: ResultCode.FUTURE_NONCE });
    expect((answers[2] as ChainTxError).log).to.contain(`is ${nonce + 1}`);
  });

  it("tracks nonces so back-to-back sync broadcasts from one sender are all accepted", async () => {
    const start = (await client.account(alice.address)).nonce;
    for (let i = 0; i < 3; i++) await client.transfer(alice, bob.address, 1n, { mode: "sync" });
    const deadline = Date.now() + 10_000;
    while ((await client.account(alice.address)).nonce < start + 3) {
      if (Date.now() > deadline) throw new Error("sync transfers were not committed in time");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await client.account(alice.address)).nonce).to.equal(start + 3);
  });

  it("signs again with the next nonce when another client with the same key took it first", async () => {
    const other = await ChainClient.connect(chain.rpcUrl);
    try {
      // This client believes the next nonce is the current one; the other client uses it meanwhile.
      const believed = await client.nextNonce(alice.address);
      await other.transfer(alice, bob.address, 1n);
      const realNextNonce = client.nextNonce.bind(client);
      let asked = 0;
      client.nextNonce = async (address: string) => (++asked === 1 ? believed : realNextNonce(address));
      const outcome = await client.transfer(alice, bob.address, 2n);
      expect(asked).to.equal(2);
      expect(outcome.nonce).to.equal(believed + 1);
      // A nonce the caller chose is not changed behind its back.
      const pinned = await client.transfer(alice, bob.address, 3n, { nonce: believed }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(pinned).to.be.instanceOf(ChainTxError);
      expect((pinned as ChainTxError).code).to.equal(ResultCode.STALE_NONCE);
    } finally {
      delete (client as { nextNonce?: unknown }).nextNonce;
      other.disconnect();
    }
  });

  it("signs again with the nonce the refusal names while the committed nonce still lags behind the mempool", async () => {
    const other = await ChainClient.connect(chain.rpcUrl);
    const realAccount = client.account.bind(client);
    try {
      const believed = (await realAccount(alice.address)).nonce;
      // The other holder's transaction waits in the mempool; this client's view of the committed nonce stays behind.
      await other.transfer(alice, bob.address, 1n, { mode: "sync" });
      client.account = async (address: string) => ({ ...(await realAccount(address)), nonce: believed });
      const outcome = await client.transfer(alice, bob.address, 2n);
      expect(outcome.nonce).to.equal(believed + 1);
    } finally {
      delete (client as { account?: unknown }).account;
      other.disconnect();
    }
  });

  it("signs again with the named nonce when it believed in a nonce ahead of the chain's (a lost tx before it)", async () => {
    const realNextNonce = client.nextNonce.bind(client);
    const next = await realNextNonce(alice.address);
    let asked = 0;
    client.nextNonce = async (address: string) => (++asked === 1 ? next + 3 : realNextNonce(address));
    try {
      const outcome = await client.transfer(alice, bob.address, 4n);
      expect(asked).to.equal(2);
      expect(outcome.nonce).to.equal(next);
    } finally {
      delete (client as { nextNonce?: unknown }).nextNonce;
    }
  });

  it("reports a refusal with the chain's code and a log naming the field", async () => {
    let error: unknown;
    try {
      await client.transfer(bob, alice.address, 10n ** 12n);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ChainTxError);
    expect((error as ChainTxError).code).to.equal(ResultCode.INSUFFICIENT_FUNDS);
    expect((error as ChainTxError).stage).to.equal("check");
    expect((error as ChainTxError).message).to.contain("Transfer.amount");
  });

  it("refuses bytes signed for another chain", async () => {
    const tx = await signTx(alice, "other-chain", TransferMsg, { to: bob.address, amount: 1n }, 0);
    let error: unknown;
    try {
      await client.broadcast(tx, "sync");
    } catch (e) {
      error = e;
    }
    expect((error as ChainTxError).code).to.equal(ResultCode.WRONG_CHAIN_ID);
  });

  it("runs the staking flow: register, lend, vote, unbond", async () => {
    await client.registerValidator(newcomer, {
      consensusPubKey: hexlify(testConsensusKey("client-newcomer")),
      deposit: 2_000_000n,
      moniker: "newcomer",
    });
    await client.lend(alice, newcomer.address, 500n);
    await client.vote(alice, [newcomer.address]);
    await client.unbond(alice, newcomer.address, 200n);
    const validator = await client.validator(newcomer.address);
    expect(validator.deposit).to.equal(2_000_000n);
    expect(validator.lent).to.equal(300n);
    const position = await client.stakingPosition(alice.address);
    expect(position.loans).to.deep.equal([{ validator: newcomer.address.toLowerCase(), amount: 300n }]);
    expect(position.votes).to.deep.equal([newcomer.address.toLowerCase()]);
    expect(position.unbonding.map((u) => u.amount)).to.deep.equal([200n]);
    const validators = await client.validators();
    expect(validators.map((v) => v.moniker)).to.have.members(["solo", "newcomer"]);
  });

  it("verifies a proven account against the next block's app hash", async () => {
    const proven = await client.queryProven(`/account/${bob.address}`);
    expect(proven.height).to.be.greaterThan(0);
    expect((proven.value as { address: string }).address).to.equal(bob.address.toLowerCase());
  });

  it("reads params and supply", async () => {
    const params = await client.params();
    expect(params.staking!.maxValidators).to.equal(48);
    expect(await client.supply()).to.equal(10_000_000n + 1_000n + 5_000_000n + 10_000_000n);
  });

  it("raises a query error with the chain's code for an unknown validator", async () => {
    let error: unknown;
    try {
      await client.validator(bob.address);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ChainQueryError);
    expect((error as ChainQueryError).code).to.equal(ResultCode.NOT_FOUND);
  });

  it("ran without a fault in the producer", () => {
    expect(chain.faults).to.deep.equal([]);
  });
});
