import { expect } from "chai";
import { hexlify } from "ethers";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import * as staking from "../../../../chain-sidecar/modules/staking/staking-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { AppHarness, testConsensusKey, testWallets } from "../app-harness.js";
import { genesisAccount, genesisValidator } from "../genesis-entries.js";
import { expectCheckTxRefusal, itRefuses } from "../checktx-refusals.js";

const { ALREADY_EXISTS, INSUFFICIENT_FUNDS, INVALID_FIELD, NOT_FOUND, NOT_JAILED, UNAUTHORISED } = ResultCode;

describe("chain-sidecar modules: bad input gets its specific code and names the field", function () {
  this.timeout(60_000);
  const actors = testWallets("bad", "rich", "poor", "validator", "lender", "stranger");
  const { rich, poor, validator, lender, stranger } = actors;
  const takenKey = testConsensusKey("bad-taken");
  let harness: AppHarness;
  const current = () => harness;

  before(async () => {
    harness = (
      await AppHarness.start({
        accounts: [
          genesisAccount(rich, 10_000_000n),
          genesisAccount(poor, 150n),
          genesisAccount(validator, 1_000n),
          genesisAccount(lender, 1_000_000n),
        ],
        validators: [genesisValidator(validator, takenKey, 5_000n)],
        params: {
          staking: { minDeposit: 1_000n, maxVotesPerAccount: 2 },
          bank: { txFee: 100n, maxTxBytes: 512 },
        },
      })
    ).harness;
    const loan = await harness.sign(lender, staking.LendMsg, { validator: validator.address, amount: 300n });
    const response = await harness.block([loan]);
    expect(response.txResults[0]!.code).to.equal(ResultCode.OK);
  });

  after(async () => {
    await harness.close();
  });

  describe("every transaction", () => {
    const oneUnit = { to: poor.address, amount: 1n };
    itRefuses(current, TransferMsg, [
      [
        "wrong chain id",
        rich,
        oneUnit,
        ResultCode.WRONG_CHAIN_ID,
        "tx.chainId",
        { chainId: "another-chain" },
      ],
    ]);
    it("stale nonce", async () => {
      await harness.block([await harness.sign(rich, TransferMsg, oneUnit)]);
      await expectCheckTxRefusal(harness, rich, TransferMsg, oneUnit, ResultCode.STALE_NONCE, "tx.nonce", {
        nonce: 0,
      });
    });
    itRefuses(current, TransferMsg, [
      ["future nonce", rich, oneUnit, ResultCode.FUTURE_NONCE, "tx.nonce", { nonce: 99 }],
      ["cannot pay the fee", stranger, oneUnit, INSUFFICIENT_FUNDS, "fee"],
    ]);
    const big = {
      consensusPubKey: hexlify(testConsensusKey("big")),
      deposit: 1_000n,
      moniker: "x".repeat(600),
    };
    itRefuses(current, staking.RegisterValidatorMsg, [
      ["oversize", rich, big, ResultCode.OVERSIZE, "maxTxBytes"],
    ]);
  });

  describe("Transfer", () => {
    itRefuses(current, TransferMsg, [
      ["zero amount", rich, { to: poor.address, amount: 0n }, INVALID_FIELD, ".amount"],
      ["more than the balance", poor, { to: rich.address, amount: 100n }, INSUFFICIENT_FUNDS, ".amount"],
    ]);
  });

  describe("RegisterValidator", () => {
    const fresh = (overrides: Partial<staking.RegisterValidator> = {}) => ({
      consensusPubKey: hexlify(testConsensusKey("bad-fresh")),
      deposit: 2_000n,
      moniker: "ok",
      ...overrides,
    });
    const withKey = (key: Uint8Array) => fresh({ consensusPubKey: hexlify(key) });
    itRefuses(current, staking.RegisterValidatorMsg, [
      ["deposit below minDeposit", rich, fresh({ deposit: 999n }), INVALID_FIELD, ".deposit"],
      ["all-zero consensus key", rich, withKey(new Uint8Array(32)), INVALID_FIELD, ".consensusPubKey"],
      ["consensus key already used", rich, withKey(takenKey), ALREADY_EXISTS, ".consensusPubKey"],
      ["already a validator", validator, fresh(), ALREADY_EXISTS, "RegisterValidator"],
      ["moniker too long", rich, fresh({ moniker: "m".repeat(65) }), INVALID_FIELD, ".moniker"],
      ["moniker with control characters", rich, fresh({ moniker: "a\nb" }), INVALID_FIELD, ".moniker"],
      ["deposit above the balance", lender, fresh({ deposit: 5_000_000n }), INSUFFICIENT_FUNDS, ".deposit"],
    ]);
  });

  /** Lend and Unbond name a validator by its operator and an amount. */
  const toward = (operator: { address: string }, amount: bigint) => ({ validator: operator.address, amount });

  describe("Lend", () => {
    itRefuses(current, staking.LendMsg, [
      ["unknown validator", rich, toward(stranger, 5n), NOT_FOUND, ".validator"],
      ["zero amount", rich, toward(validator, 0n), INVALID_FIELD, ".amount"],
      ["more than the balance", poor, toward(validator, 1_000n), INSUFFICIENT_FUNDS, ".amount"],
    ]);
  });

  describe("Vote", () => {
    const votes = (...operators: { address: string }[]) => ({ validators: operators.map((o) => o.address) });
    itRefuses(current, staking.VoteMsg, [
      ["too many validators", rich, votes(validator, lender, poor), INVALID_FIELD, ".validators"],
      ["a validator listed twice", rich, votes(validator, validator), INVALID_FIELD, ".validators[1]"],
      ["not a validator", rich, votes(stranger), NOT_FOUND, ".validators[0]"],
    ]);
  });

  describe("Unbond", () => {
    itRefuses(current, staking.UnbondMsg, [
      ["zero amount", lender, toward(validator, 0n), INVALID_FIELD, ".amount"],
      ["no loan to that validator", rich, toward(validator, 1n), NOT_FOUND, ".validator"],
      ["more than the loan", lender, toward(validator, 301n), INSUFFICIENT_FUNDS, ".amount"],
      ["unknown validator", lender, toward(stranger, 1n), NOT_FOUND, ".validator"],
      ["more than the own deposit", validator, toward(validator, 5_001n), INSUFFICIENT_FUNDS, ".amount"],
      [
        "a remaining deposit below minDeposit",
        validator,
        toward(validator, 4_500n),
        INVALID_FIELD,
        ".amount",
      ],
    ]);
  });

  describe("Unjail", () => {
    itRefuses(current, staking.UnjailMsg, [
      ["sender operates no validator", rich, {}, UNAUTHORISED, "Unjail"],
      ["validator is not jailed", validator, {}, NOT_JAILED, "Unjail"],
    ]);
  });
});
