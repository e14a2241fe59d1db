import { expect } from "chai";
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import * as staking from "../../../../chain-sidecar/modules/staking/staking-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { AppHarness, consensusAddressHex, testConsensusKey, testWallets } from "../app-harness.js";
import { genesisAccount, genesisValidator } from "../genesis-entries.js";

interface ValidatorView {
  operator: string;
  deposit: string;
  lent: string;
  votes: string;
  power: string;
  jailed: boolean;
  jailedUntil: number;
  jailReason: string;
}

const keys = {
  a: testConsensusKey("st-a"),
  b: testConsensusKey("st-b"),
  c: testConsensusKey("st-c"),
  newcomer: testConsensusKey("st-newcomer"),
};
const cons = {
  a: consensusAddressHex(keys.a),
  b: consensusAddressHex(keys.b),
  c: consensusAddressHex(keys.c),
  newcomer: consensusAddressHex(keys.newcomer),
};

function updatedPowers(response: ResponseFinalizeBlock): Map<string, bigint> {
  return new Map(
    response.validatorUpdates.map(
      (u) => [consensusAddressHex(u.pubKey.ed25519!), u.power] as [string, bigint],
    ),
  );
}

describe("chain-sidecar modules: DPoS staking", function () {
  this.timeout(60_000);
  const actors = testWallets("st", "a", "b", "c", "lender", "voter", "newcomer");
  const { a, b, c, lender, voter, newcomer } = actors;
  let harness: AppHarness;
  let initPowers: Map<string, bigint>;

  beforeEach(async () => {
    const started = await AppHarness.start({
      accounts: [
        ...[a, b, c].map((w) => genesisAccount(w, 10_000n)),
        genesisAccount(lender, 100_000n),
        genesisAccount(voter, 50_000n),
        genesisAccount(newcomer, 10_000n),
      ],
      validators: [
        genesisValidator(a, keys.a, 5_000n),
        genesisValidator(b, keys.b, 3_000n),
        genesisValidator(c, keys.c, 2_000n),
      ],
      params: {
        bank: { txFee: 10n },
        staking: {
          minDeposit: 1_000n,
          maxValidators: 2,
          epochBlocks: 5,
          unbondingBlocks: 3,
          slashFractionDoubleSignBps: 1_000,
          doubleSignJailBlocks: 6,
          downtimeWindowBlocks: 10,
          maxMissedBlocks: 2,
          downtimeJailBlocks: 4,
        },
      },
    });
    harness = started.harness;
    initPowers = new Map(
      started.init.validators.map((u) => [consensusAddressHex(u.pubKey.ed25519!), u.power]),
    );
  });

  afterEach(async () => {
    await harness.close();
  });

  async function validator(wallet: { address: string }): Promise<ValidatorView> {
    const all = await harness.query<ValidatorView[]>("/validators");
    return all.find((v) => v.operator === wallet.address.toLowerCase())!;
  }

  it("starts with the top maxValidators by weight as the CometBFT set", () => {
    expect([...initPowers.entries()]).to.have.deep.members([
      [cons.a, 5_000n],
      [cons.b, 3_000n],
    ]);
  });

  it("slashes and jails on DUPLICATE_VOTE, removing the validator from the set in the same block", async () => {
    await harness.block([]);
    const response = await harness.block([], { misbehavior: [{ consensusAddress: cons.a, height: 1 }] });
    expect(updatedPowers(response).get(cons.a)).to.equal(0n);
    const view = await validator(a);
    expect(view.deposit).to.equal("4500");
    expect(view.jailed).to.equal(true);
    expect(view.jailReason).to.equal("double_sign");
    expect(view.power).to.equal("0");
    expect(response.events.map((e) => e.type)).to.include.members(["slash", "validator_jailed"]);
    const pool = await harness.query<{ amount: string }>("/fee-pool");
    expect(BigInt(pool.amount) >= 500n, `fee pool ${pool.amount}`).to.equal(true);
    // The same evidence again does not slash twice.
    await harness.block([], { misbehavior: [{ consensusAddress: cons.a, height: 1 }] });
    expect((await validator(a)).deposit).to.equal("4500");
    // At the next epoch the election fills the seat with the next heaviest validator.
    const epoch = (await harness.busyBlocks(5 - harness.height)).at(-1)!;
    expect(harness.height).to.equal(5);
    expect(updatedPowers(epoch).get(cons.c)).to.equal(2_000n);
  });

  it("jails a validator that misses more than maxMissedBlocks in a window, and unjails only after the jail period", async () => {
    const votes = { absent: [cons.b], signers: [cons.a] };
    await harness.busyBlocks(2, votes);
    expect((await validator(b)).jailed).to.equal(false);
    // A block without txs does not count the votes: an idle chain writes nothing.
    await harness.emptyBlocks(1, votes);
    expect((await validator(b)).jailed).to.equal(false);
    const third = (await harness.busyBlocks(1, votes))[0]!;
    expect(updatedPowers(third).get(cons.b)).to.equal(0n);
    const jailed = await validator(b);
    expect(jailed.jailed).to.equal(true);
    expect(jailed.jailReason).to.equal("downtime");
    expect(jailed.jailedUntil).to.equal(4 + 4);

    const early = await harness.sign(b, staking.UnjailMsg, {});
    const earlyResult = (await harness.block([early])).txResults[0]!;
    expect(earlyResult.code).to.equal(ResultCode.TOO_EARLY);
    expect(earlyResult.log).to.contain("jailed until height 8");

    await harness.emptyBlocks(2);
    const unjail = await harness.sign(b, staking.UnjailMsg, {});
    expect((await harness.block([unjail])).txResults[0]!.code).to.equal(ResultCode.OK);
    expect((await validator(b)).jailed).to.equal(false);
    // Back in the set at the next epoch (height 10).
    const blocks = await harness.busyBlocks(10 - harness.height);
    expect((updatedPowers(blocks.at(-1)!).get(cons.b) ?? 0n) > 0n).to.equal(true);
  });

  it("keeps unbonded funds until the unbonding period has passed", async () => {
    const lend = await harness.sign(lender, staking.LendMsg, { validator: c.address, amount: 700n });
    await harness.block([lend]);
    expect((await validator(c)).lent).to.equal("700");
    const unbond = await harness.sign(lender, staking.UnbondMsg, { validator: c.address, amount: 700n });
    const unbondHeight = harness.height + 1;
    await harness.block([unbond]);
    const afterUnbond = await harness.balance(lender);
    expect((await validator(c)).lent).to.equal("0");
    const pending = await harness.query<{ unbonding: { completesAt: number; amount: string }[] }>(
      `/staking/${lender.address}`,
    );
    expect(pending.unbonding).to.deep.equal([
      { validator: c.address.toLowerCase(), amount: "700", completesAt: unbondHeight + 3 },
    ]);
    await harness.busyBlocks(2);
    expect(await harness.balance(lender)).to.equal(afterUnbond);
    const completed = (await harness.busyBlocks(1))[0]!;
    expect(harness.height).to.equal(unbondHeight + 3);
    expect(await harness.balance(lender)).to.equal(afterUnbond + 700n);
    expect(completed.events.map((e) => e.type)).to.include("unbonding_completed");
  });

  it("counts loans and votes into the weight at the next epoch, which changes the set", async () => {
    const lend = await harness.sign(lender, staking.LendMsg, { validator: c.address, amount: 2_000n });
    const vote = await harness.sign(voter, staking.VoteMsg, { validators: [c.address] });
    await harness.block([lend, vote]);
    const blocks = await harness.busyBlocks(5 - harness.height);
    const epoch = updatedPowers(blocks.at(-1)!);
    const cView = await validator(c);
    expect(cView.votes).to.equal((50_000n - 10n).toString());
    expect(BigInt(cView.power)).to.equal(2_000n + 2_000n + 49_990n);
    expect(epoch.get(cons.c)).to.equal(53_990n);
    expect(epoch.get(cons.b)).to.equal(0n);
  });

  it("lets a registered validator join the CometBFT set at the next epoch, not before", async () => {
    const register = await harness.sign(newcomer, staking.RegisterValidatorMsg, {
      consensusPubKey: `0x${Buffer.from(keys.newcomer).toString("hex")}`,
      deposit: 4_000n,
      moniker: "newcomer",
    });
    const registered = await harness.block([register]);
    expect(registered.txResults[0]!.code, registered.txResults[0]!.log).to.equal(ResultCode.OK);
    expect(registered.validatorUpdates, "not before the epoch ends").to.deep.equal([]);
    expect((await validator(newcomer)).deposit).to.equal("4000");
    const blocks = await harness.busyBlocks(5 - harness.height);
    expect(blocks.slice(0, -1).flatMap((b) => b.validatorUpdates)).to.deep.equal([]);
    const epoch = updatedPowers(blocks.at(-1)!);
    expect(epoch.get(cons.newcomer)).to.equal(4_000n);
    expect(epoch.get(cons.b), "the weakest of the set leaves it (maxValidators 2)").to.equal(0n);
  });

  it("splits a voter's balance evenly across the chosen validators", async () => {
    const vote = await harness.sign(voter, staking.VoteMsg, { validators: [a.address, b.address] });
    await harness.block([vote]);
    await harness.busyBlocks(5 - harness.height);
    const balance = 50_000n - 10n;
    const first = [a.address, b.address].map((x) => x.toLowerCase()).sort()[0]!;
    const views = [await validator(a), await validator(b)];
    const total = views.reduce((s, v) => s + BigInt(v.votes), 0n);
    expect(total).to.equal(balance);
    for (const view of views) {
      expect(BigInt(view.votes)).to.equal(balance / 2n + (view.operator === first ? balance % 2n : 0n));
    }
  });

  it("pays the fee pool to the validators of the ending epoch in proportion to power", async () => {
    const txs = [
      await harness.sign(lender, staking.LendMsg, { validator: c.address, amount: 1n }),
      await harness.sign(lender, staking.LendMsg, { validator: c.address, amount: 1n }),
    ];
    await harness.block(txs);
    const before = [await harness.balance(a), await harness.balance(b)];
    await harness.busyBlocks(5 - harness.height);
    const gained = [(await harness.balance(a)) - before[0]!, (await harness.balance(b)) - before[1]!];
    expect(gained).to.deep.equal([(20n * 5_000n) / 8_000n, (20n * 3_000n) / 8_000n]);
  });

  it("runs an epoch whose boundary block had no txs at the next block with txs, and only once", async () => {
    const vote = await harness.sign(voter, staking.VoteMsg, { validators: [c.address] });
    await harness.block([vote]);
    const idle = await harness.emptyBlocks(6 - harness.height);
    expect(
      idle.flatMap((b) => b.validatorUpdates),
      "no election in blocks without txs",
    ).to.deep.equal([]);
    expect(idle.flatMap((b) => b.events).map((e) => e.type)).to.not.include("epoch");
    const [late, after] = await harness.busyBlocks(2);
    expect(updatedPowers(late!).get(cons.c), "the height-5 epoch, run at height 7").to.equal(
      2_000n + 49_990n,
    );
    expect(late!.events.map((e) => e.type)).to.include("epoch");
    expect(
      after!.events.map((e) => e.type),
      "not again before height 10",
    ).to.not.include("epoch");
  });

  it("lets a validator top up its deposit by lending to itself and retire by unbonding all of it", async () => {
    const topUp = await harness.sign(b, staking.LendMsg, { validator: b.address, amount: 500n });
    await harness.block([topUp]);
    expect((await validator(b)).deposit).to.equal("3500");
    const retire = await harness.sign(b, staking.UnbondMsg, { validator: b.address, amount: 3_500n });
    const response = await harness.block([retire]);
    expect(response.txResults[0]!.code).to.equal(ResultCode.OK);
    expect(updatedPowers(response).get(cons.b)).to.equal(0n);
  });

  it("never empties the CometBFT set, even when every validator is jailed", async () => {
    const response = await harness.block([], {
      misbehavior: [
        { consensusAddress: cons.a, height: 1 },
        { consensusAddress: cons.b, height: 1 },
      ],
    });
    expect(response.validatorUpdates).to.deep.equal([]);
    expect(response.events.map((e) => e.type)).to.include("validator_set_kept");
  });
});
