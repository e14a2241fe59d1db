import { expect } from "chai";
import { hexlify, type Wallet } from "ethers";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import {
  LendMsg,
  RegisterValidatorMsg,
  UnbondMsg,
  UnjailMsg,
  VoteMsg,
} from "../../../../chain-sidecar/modules/staking/staking-messages.js";
import type { MessageSpec } from "../../../../chain-sidecar/tx/message-spec.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { signTx } from "../../../../chain-sidecar/tx/signing.js";
import { AppHarness, CHAIN_ID, testConsensusKey, testWallet } from "../app-harness.js";

describe("chain-sidecar modules: bad input gets its specific code and names the field", function () {
  this.timeout(60_000);
  const rich = testWallet("bad-rich");
  const poor = testWallet("bad-poor");
  const validator = testWallet("bad-validator");
  const lender = testWallet("bad-lender");
  const stranger = testWallet("bad-stranger");
  const takenKey = hexlify(testConsensusKey("bad-taken"));
  let harness: AppHarness;

  before(async () => {
    harness = (
      await AppHarness.start({
        accounts: [
          { address: rich.address, balance: 10_000_000n },
          { address: poor.address, balance: 150n },
          { address: validator.address, balance: 1_000n },
          { address: lender.address, balance: 1_000_000n },
        ],
        validators: [
          {
            operator: validator.address,
            consensusPubKey: Buffer.from(testConsensusKey("bad-taken")).toString("base64"),
            deposit: 5_000n,
          },
        ],
        params: {
          staking: { minDeposit: 1_000n, maxVotesPerAccount: 2 },
          bank: { txFee: 100n, maxTxBytes: 512 },
        },
      })
    ).harness;
    const loan = await harness.sign(lender, LendMsg, { validator: validator.address, amount: 300n });
    const response = await harness.block([loan]);
    expect(response.txResults[0]!.code).to.equal(ResultCode.OK);
  });

  after(async () => {
    await harness.close();
  });

  async function expectRejected<T>(
    wallet: Wallet,
    spec: MessageSpec<T>,
    message: T,
    code: number,
    field: string,
    options: { nonce?: number; chainId?: string } = {},
  ): Promise<void> {
    const account = await harness.query<{ nonce: number }>(`/account/${wallet.address}`);
    const tx = await signTx(
      wallet,
      options.chainId ?? CHAIN_ID,
      spec,
      message,
      options.nonce ?? account.nonce,
    );
    const result = await harness.check(tx);
    expect(result.code, result.log).to.equal(code);
    expect(result.log).to.contain(field);
  }

  describe("every transaction", () => {
    it("wrong chain id", () =>
      expectRejected(
        rich,
        TransferMsg,
        { to: poor.address, amount: 1n },
        ResultCode.WRONG_CHAIN_ID,
        "tx.chainId",
        {
          chainId: "another-chain",
        },
      ));
    it("stale nonce", async () => {
      const tx = await harness.sign(rich, TransferMsg, { to: poor.address, amount: 1n });
      await harness.block([tx]);
      await expectRejected(
        rich,
        TransferMsg,
        { to: poor.address, amount: 1n },
        ResultCode.STALE_NONCE,
        "tx.nonce",
        {
          nonce: 0,
        },
      );
    });
    it("future nonce", () =>
      expectRejected(
        rich,
        TransferMsg,
        { to: poor.address, amount: 1n },
        ResultCode.FUTURE_NONCE,
        "tx.nonce",
        {
          nonce: 99,
        },
      ));
    it("cannot pay the fee", () =>
      expectRejected(
        stranger,
        TransferMsg,
        { to: poor.address, amount: 1n },
        ResultCode.INSUFFICIENT_FUNDS,
        "fee",
      ));
    it("oversize", () =>
      expectRejected(
        rich,
        RegisterValidatorMsg,
        { consensusPubKey: hexlify(testConsensusKey("big")), deposit: 1_000n, moniker: "x".repeat(600) },
        ResultCode.OVERSIZE,
        "maxTxBytes",
      ));
  });

  describe("Transfer", () => {
    it("zero amount", () =>
      expectRejected(
        rich,
        TransferMsg,
        { to: poor.address, amount: 0n },
        ResultCode.INVALID_FIELD,
        "Transfer.amount",
      ));
    it("more than the balance", () =>
      expectRejected(
        poor,
        TransferMsg,
        { to: rich.address, amount: 100n },
        ResultCode.INSUFFICIENT_FUNDS,
        "Transfer.amount",
      ));
  });

  describe("RegisterValidator", () => {
    const fresh = () => ({
      consensusPubKey: hexlify(testConsensusKey("bad-fresh")),
      deposit: 2_000n,
      moniker: "ok",
    });
    it("deposit below minDeposit", () =>
      expectRejected(
        rich,
        RegisterValidatorMsg,
        { ...fresh(), deposit: 999n },
        ResultCode.INVALID_FIELD,
        "RegisterValidator.deposit",
      ));
    it("all-zero consensus key", () =>
      expectRejected(
        rich,
        RegisterValidatorMsg,
        { ...fresh(), consensusPubKey: hexlify(new Uint8Array(32)) },
        ResultCode.INVALID_FIELD,
        "RegisterValidator.consensusPubKey",
      ));
    it("consensus key already used", () =>
      expectRejected(
        rich,
        RegisterValidatorMsg,
        { ...fresh(), consensusPubKey: takenKey },
        ResultCode.ALREADY_EXISTS,
        "RegisterValidator.consensusPubKey",
      ));
    it("already a validator", () =>
      expectRejected(
        validator,
        RegisterValidatorMsg,
        fresh(),
        ResultCode.ALREADY_EXISTS,
        "RegisterValidator",
      ));
    it("moniker too long", () =>
      expectRejected(
        rich,
        RegisterValidatorMsg,
        { ...fresh(), moniker: "m".repeat(65) },
        ResultCode.INVALID_FIELD,
        "RegisterValidator.moniker",
      ));
    it("moniker with control characters", () =>
      expectRejected(
        rich,
        RegisterValidatorMsg,
        { ...fresh(), moniker: "a\nb" },
        ResultCode.INVALID_FIELD,
        "RegisterValidator.moniker",
      ));
    it("deposit above the balance", () =>
      expectRejected(
        lender,
        RegisterValidatorMsg,
        { ...fresh(), deposit: 5_000_000n },
        ResultCode.INSUFFICIENT_FUNDS,
        "RegisterValidator.deposit",
      ));
  });

  describe("Lend", () => {
    it("unknown validator", () =>
      expectRejected(
        rich,
        LendMsg,
        { validator: stranger.address, amount: 5n },
        ResultCode.NOT_FOUND,
        "Lend.validator",
      ));
    it("zero amount", () =>
      expectRejected(
        rich,
        LendMsg,
        { validator: validator.address, amount: 0n },
        ResultCode.INVALID_FIELD,
        "Lend.amount",
      ));
    it("more than the balance", () =>
      expectRejected(
        poor,
        LendMsg,
        { validator: validator.address, amount: 1_000n },
        ResultCode.INSUFFICIENT_FUNDS,
        "Lend.amount",
      ));
  });

  describe("Vote", () => {
    it("too many validators", () =>
      expectRejected(
        rich,
        VoteMsg,
        { validators: [validator.address, lender.address, poor.address] },
        ResultCode.INVALID_FIELD,
        "Vote.validators",
      ));
    it("a validator listed twice", () =>
      expectRejected(
        rich,
        VoteMsg,
        { validators: [validator.address, validator.address] },
        ResultCode.INVALID_FIELD,
        "Vote.validators[1]",
      ));
    it("not a validator", () =>
      expectRejected(
        rich,
        VoteMsg,
        { validators: [stranger.address] },
        ResultCode.NOT_FOUND,
        "Vote.validators[0]",
      ));
  });

  describe("Unbond", () => {
    it("zero amount", () =>
      expectRejected(
        lender,
        UnbondMsg,
        { validator: validator.address, amount: 0n },
        ResultCode.INVALID_FIELD,
        "Unbond.amount",
      ));
    it("no loan to that validator", () =>
      expectRejected(
        rich,
        UnbondMsg,
        { validator: validator.address, amount: 1n },
        ResultCode.NOT_FOUND,
        "Unbond.validator",
      ));
    it("more than the loan", () =>
      expectRejected(
        lender,
        UnbondMsg,
        { validator: validator.address, amount: 301n },
        ResultCode.INSUFFICIENT_FUNDS,
        "Unbond.amount",
      ));
    it("unknown validator", () =>
      expectRejected(
        lender,
        UnbondMsg,
        { validator: stranger.address, amount: 1n },
        ResultCode.NOT_FOUND,
        "Unbond.validator",
      ));
    it("more than the own deposit", () =>
      expectRejected(
        validator,
        UnbondMsg,
        { validator: validator.address, amount: 5_001n },
        ResultCode.INSUFFICIENT_FUNDS,
        "Unbond.amount",
      ));
    it("a remaining deposit below minDeposit", () =>
      expectRejected(
        validator,
        UnbondMsg,
        { validator: validator.address, amount: 4_500n },
        ResultCode.INVALID_FIELD,
        "Unbond.amount",
      ));
  });

  describe("Unjail", () => {
    it("sender operates no validator", () =>
      expectRejected(rich, UnjailMsg, {}, ResultCode.UNAUTHORISED, "Unjail"));
    it("validator is not jailed", () =>
      expectRejected(validator, UnjailMsg, {}, ResultCode.NOT_JAILED, "Unjail"));
  });
});
