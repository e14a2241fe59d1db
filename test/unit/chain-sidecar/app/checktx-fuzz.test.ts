import { expect } from "chai";
import fc from "fast-check";
import { encodeRlp, hexlify, type RlpStructuredData } from "ethers";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import * as staking from "../../../../chain-sidecar/modules/staking/staking-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { AppHarness, testConsensusKey, testWallets } from "../app-harness.js";
import { genesisAccount, genesisValidator } from "../genesis-entries.js";

const knownCodes = new Set<number>(Object.values(ResultCode));

/** Random RLP trees, so the fuzzer reaches past the RLP decoder into field decoding. */
const rlpItem: fc.Arbitrary<RlpStructuredData> = fc.letrec<{ item: RlpStructuredData }>((tie) => ({
  item: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.uint8Array({ maxLength: 40 }).map((b) => hexlify(b)),
    fc.array(tie("item"), { maxLength: 5 }),
  ),
})).item;

describe("chain-sidecar app: CheckTx fuzzing", function () {
  this.timeout(300_000);
  const { alice, validator } = testWallets("fuzz", "alice", "validator");
  let harness: AppHarness;
  let valid: Uint8Array[];

  before(async () => {
    harness = (
      await AppHarness.start({
        accounts: [genesisAccount(alice, 10n ** 12n)],
        validators: [genesisValidator(validator, testConsensusKey("fuzz"), 10n ** 7n)],
      })
    ).harness;
    await harness.block([]);
    // One valid transaction of each bank and staking message, all at nonce 0, for the mutations to start from.
    const register = {
      consensusPubKey: hexlify(testConsensusKey("fuzz-2")),
      deposit: 10n ** 7n,
      moniker: "f",
    };
    valid = [
      await harness.sign(alice, TransferMsg, { to: validator.address, amount: 5n }, 0),
      await harness.sign(alice, staking.LendMsg, { validator: validator.address, amount: 5n }, 0),
      await harness.sign(alice, staking.VoteMsg, { validators: [validator.address] }, 0),
      await harness.sign(alice, staking.UnbondMsg, { validator: validator.address, amount: 1n }, 0),
      await harness.sign(alice, staking.UnjailMsg, {}, 0),
      await harness.sign(alice, staking.RegisterValidatorMsg, register, 0),
    ];
  });

  after(async () => {
    await harness.close();
  });

  const mutated = fc
    .record({
      base: fc.nat({ max: 5 }),
      edits: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
          fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
          fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), byte: fc.nat({ max: 255 }) }),
          fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.nat({ max: 255 }) }),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    })
    .map(({ base, edits }) => ({ base, edits }));

  async function throughCheckTx(tx: Uint8Array): Promise<void> {
    const result = await harness.check(tx);
    expect(Number.isInteger(result.code)).to.equal(true);
    expect(knownCodes.has(result.code), `unknown code ${result.code}`).to.equal(true);
    expect(result.code).to.not.equal(ResultCode.INTERNAL);
    if (result.code !== ResultCode.OK) expect(result.log.length).to.be.greaterThan(0);
  }

  it("answers 4,000 random byte strings with a code, never a throw", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => throughCheckTx(bytes)),
      { numRuns: 4000, seed: 1 },
    );
  });

  it("answers 3,000 random RLP structures behind the version byte with a code", async () => {
    await fc.assert(
      fc.asyncProperty(rlpItem, async (item) => {
        const payload = encodeRlp(item);
        await throughCheckTx(new Uint8Array([1, ...Buffer.from(payload.slice(2), "hex")]));
      }),
      { numRuns: 3000, seed: 2 },
    );
  });

  it("answers 3,000 mutations of valid transactions with a code", async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async ({ base, edits }) => {
        let bytes = [...valid[base]!];
        for (const edit of edits) {
          const at = edit.at % (bytes.length + 1);
          if (edit.kind === "flip" && bytes.length > 0) bytes[at % bytes.length]! ^= 1 << edit.bit;
          if (edit.kind === "cut") bytes = bytes.slice(0, at);
          if (edit.kind === "insert") bytes.splice(at, 0, edit.byte);
          if (edit.kind === "set" && bytes.length > 0) bytes[at % bytes.length] = edit.byte;
        }
        await throughCheckTx(new Uint8Array(bytes));
      }),
      { numRuns: 3000, seed: 3 },
    );
  });
});
