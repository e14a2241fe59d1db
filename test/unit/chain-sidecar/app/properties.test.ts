import { expect } from "chai";
import fc from "fast-check";
import { hexlify } from "ethers";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import * as staking from "../../../../chain-sidecar/modules/staking/staking-messages.js";
import { signTx } from "../../../../chain-sidecar/tx/signing.js";
import { AppHarness, CHAIN_ID, consensusAddressHex, testConsensusKey, testWallet } from "../app-harness.js";
import { genesisAccount, genesisValidator } from "../genesis-entries.js";
import { auditState } from "../state-audit.js";
import type { GenesisInput } from "../../../../chain-sidecar/genesis/app-state.js";
import type { MessageSpec } from "../../../../chain-sidecar/tx/message-spec.js";

const wallets = [0, 1, 2, 3, 4].map((i) => testWallet(`prop-${i}`));
const validatorKeys = [0, 1, 2, 3].map((i) => testConsensusKey(`prop-${i}`));

const genesis: GenesisInput = {
  accounts: wallets.map((w, i) => genesisAccount(w, 100_000n * BigInt(i + 1))),
  validators: [0, 1].map((i) => genesisValidator(wallets[i]!, validatorKeys[i]!, 20_000n)),
  params: {
    bank: { txFee: 7n },
    staking: {
      minDeposit: 10_000n,
      maxValidators: 2,
      epochBlocks: 3,
      unbondingBlocks: 2,
      downtimeWindowBlocks: 4,
      maxMissedBlocks: 1,
      downtimeJailBlocks: 1,
      doubleSignJailBlocks: 2,
      slashFractionDoubleSignBps: 2_500,
    },
  },
};

type Op =
  | { kind: "transfer"; from: number; to: number; amount: bigint }
  | { kind: "lend"; from: number; to: number; amount: bigint }
  | { kind: "vote"; from: number; to: number[] }
  | { kind: "unbond"; from: number; to: number; amount: bigint }
  | { kind: "register"; from: number; key: number; deposit: bigint }
  | { kind: "unjail"; from: number }
  | { kind: "garbage"; bytes: Uint8Array };

const who = fc.nat({ max: wallets.length - 1 });
const amount = fc.oneof(fc.bigInt({ min: 0n, max: 30_000n }), fc.constantFrom(0n, 1n, 10n ** 30n));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("transfer" as const), from: who, to: who, amount }),
  fc.record({ kind: fc.constant("lend" as const), from: who, to: who, amount }),
  fc.record({ kind: fc.constant("vote" as const), from: who, to: fc.array(who, { maxLength: 3 }) }),
  fc.record({ kind: fc.constant("unbond" as const), from: who, to: who, amount }),
  fc.record({ kind: fc.constant("register" as const), from: who, key: fc.nat({ max: 3 }), deposit: amount }),
  fc.record({ kind: fc.constant("unjail" as const), from: who }),
  fc.record({ kind: fc.constant("garbage" as const), bytes: fc.uint8Array({ maxLength: 60 }) }),
);
const block = fc.record({
  ops: fc.array(fc.record({ op, nonceSkew: fc.constantFrom(0, 0, 0, 0, 1, -1) }), { maxLength: 6 }),
  absent: fc.subarray([0, 1, 2, 3]),
  misbehaving: fc.subarray([0, 1, 2, 3], { maxLength: 1 }),
});

/** The transaction `o` stands for, signed by its sender at `nonce`. */
function signOp(o: Exclude<Op, { kind: "garbage" }>, nonce: number): Promise<Uint8Array> {
  const sign = <T>(spec: MessageSpec<T>, message: T) =>
    signTx(wallets[o.from]!, CHAIN_ID, spec, message, nonce);
  const target = (i: number) => wallets[i]!.address;
  switch (o.kind) {
    case "transfer":
      return sign(TransferMsg, { to: target(o.to), amount: o.amount });
    case "lend":
      return sign(staking.LendMsg, { validator: target(o.to), amount: o.amount });
    case "vote":
      return sign(staking.VoteMsg, { validators: o.to.map(target) });
    case "unbond":
      return sign(staking.UnbondMsg, { validator: target(o.to), amount: o.amount });
    case "register": {
      const consensusPubKey = hexlify(validatorKeys[o.key]!);
      return sign(staking.RegisterValidatorMsg, {
        consensusPubKey,
        deposit: o.deposit,
        moniker: `v${o.from}`,
      });
    }
    case "unjail":
      return sign(staking.UnjailMsg, {});
  }
}

/** Signs the ops of one block; nonces follow a local count, sometimes skewed to make stale/future nonces. */
async function signBlock(ops: { op: Op; nonceSkew: number }[], nonces: number[]): Promise<Uint8Array[]> {
  const txs: Uint8Array[] = [];
  for (const { op: o, nonceSkew } of ops) {
    if (o.kind === "garbage") {
      txs.push(o.bytes);
      continue;
    }
    const nonce = Math.max(0, nonces[o.from]! + nonceSkew);
    if (nonceSkew === 0) nonces[o.from]! += 1;
    txs.push(await signOp(o, nonce));
  }
  return txs;
}

function blockOptions(b: { absent: number[]; misbehaving: number[] }, height: number) {
  return {
    absent: b.absent.map((i) => consensusAddressHex(validatorKeys[i]!)),
    misbehavior: b.misbehaving.map((i) => ({
      consensusAddress: consensusAddressHex(validatorKeys[i]!),
      height,
    })),
  };
}

describe("chain-sidecar app: properties", function () {
  this.timeout(600_000);

  it("conserves total supply and never goes negative, across any mix of valid and invalid transactions", async () => {
    const outcomes = { ok: 0, failed: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(block, { minLength: 1, maxLength: 6 }), async (blocks) => {
        const { harness } = await AppHarness.start(genesis);
        try {
          const nonces = wallets.map(() => 0);
          const genesisSupply = 100_000n * (1n + 2n + 3n + 4n + 5n) + 2n * 20_000n;
          for (const b of blocks) {
            const txs = await signBlock(b.ops, nonces);
            const response = await harness.block(txs, blockOptions(b, Math.max(1, harness.height)));
            for (const r of response.txResults) outcomes[r.code === 0 ? "ok" : "failed"]++;
            // Txs that failed their ante check did not use their nonce; resync from state.
            for (let i = 0; i < wallets.length; i++) {
              nonces[i] = (await harness.query<{ nonce: number }>(`/account/${wallets[i]!.address}`)).nonce;
            }
            const audit = auditState(harness.app.committed);
            expect(audit.negatives).to.deep.equal([]);
            expect(audit.lentMismatches).to.deep.equal([]);
            expect(audit.supply).to.equal(genesisSupply);
            expect(audit.held).to.equal(audit.supply);
          }
        } finally {
          await harness.close();
        }
      }),
      { numRuns: 25, seed: 11 },
    );
    // The generator must exercise both paths, or the property says little.
    expect(outcomes.ok).to.be.greaterThan(20);
    expect(outcomes.failed).to.be.greaterThan(20);
  });

  it("reaches the same app hash on two independent instances, also when one restarts from disk midway", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(block, { minLength: 2, maxLength: 5 }),
        fc.nat({ max: 4 }),
        async (blocks, restartAt) => {
          const first = (await AppHarness.start(genesis)).harness;
          const second = (await AppHarness.start(genesis)).harness;
          try {
            const nonces = wallets.map(() => 0);
            for (const [i, b] of blocks.entries()) {
              const txs = await signBlock(b.ops, nonces);
              const options = blockOptions(b, Math.max(1, first.height));
              const one = await first.block(txs, options);
              if (i === restartAt) await second.restart();
              const two = await second.block(txs, options);
              expect(hexlify(two.appHash)).to.equal(hexlify(one.appHash));
              expect(two.txResults.map((r) => r.code)).to.deep.equal(one.txResults.map((r) => r.code));
              expect(two.validatorUpdates).to.deep.equal(one.validatorUpdates);
            }
            await second.restart();
            const info = await second.app.info({
              version: "",
              blockVersion: 0n,
              p2pVersion: 0n,
              abciVersion: "",
            });
            expect(hexlify(info.lastBlockAppHash)).to.equal(hexlify(first.app.committed.appHash));
            expect(second.app.committed.entries("")).to.deep.equal(first.app.committed.entries(""));
          } finally {
            await first.close();
            await second.close();
          }
        },
      ),
      { numRuns: 10, seed: 12 },
    );
  });
});
