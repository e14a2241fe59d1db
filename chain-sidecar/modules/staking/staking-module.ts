// The staking module: thin handlers over the keeper, evidence and liveness at block start, the validator set at block end.
import { getBytes } from "ethers";
import type { JsonValue } from "../../state/canonical-json.js";
import { invalidField } from "../../tx/tx-error.js";
import { handles, recordQuery, type ChainModule } from "../chain-module.js";
import type { ExecContext } from "../exec-context.js";
import { parseAddress, parseAmount } from "../field-parsers.js";
import { LendMsg, RegisterValidatorMsg, UnbondMsg, UnjailMsg, VoteMsg } from "./staking-messages.js";
import { checkLend, checkUnbond } from "./staking-checks.js";
import { readAllValidators, readUnbondings, type StakingKeeper } from "./staking-keeper.js";
import { stakingParams } from "./staking-params.js";
import {
  readActiveSet,
  readLoansOf,
  readVotes,
  validatorKey,
  weightOf,
  type Validator,
} from "./staking-records.js";
import { applySet, electSet, endBlockSetChange } from "./validator-election.js";

function jailedEvent(ctx: ExecContext, validator: Validator): void {
  ctx.emit("validator_jailed", {
    operator: validator.operator,
    reason: validator.jailReason,
    until: validator.jailedUntil,
  });
}

function initValidators(ctx: ExecContext, keeper: StakingKeeper, raw: unknown): void {
  if (raw === undefined) return;
  if (!Array.isArray(raw)) throw invalidField("genesis.validators", "expected a list");
  raw.forEach((entry: unknown, i) => {
    const path = `genesis.validators[${i}]`;
    if (typeof entry !== "object" || entry === null) {
      throw invalidField(path, "expected { operator, consensusPubKey, deposit, moniker }");
    }
    const { operator, consensusPubKey, deposit, moniker } = entry as Record<string, unknown>;
    if (typeof consensusPubKey !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(consensusPubKey)) {
      throw invalidField(`${path}.consensusPubKey`, "expected an ed25519 public key in base64");
    }
    if (moniker !== undefined && typeof moniker !== "string")
      throw invalidField(`${path}.moniker`, "expected text");
    const candidate = {
      operator: parseAddress(operator, `${path}.operator`),
      pubKey: new Uint8Array(Buffer.from(consensusPubKey, "base64")),
      deposit: parseAmount(deposit, `${path}.deposit`),
      moniker: moniker ?? "",
    };
    keeper.registerAtGenesis(ctx.state, candidate, path);
  });
}

function validatorView(v: Validator, power: bigint | undefined): JsonValue {
  return {
    operator: v.operator,
    moniker: v.moniker,
    consensusAddress: v.consensusAddress,
    consensusPubKey: v.consensusPubKey,
    deposit: v.deposit.toString(),
    lent: v.lent.toString(),
    votes: v.votes.toString(),
    weight: weightOf(v).toString(),
    power: (power ?? 0n).toString(),
    jailed: v.jailed,
    jailedUntil: v.jailedUntil,
    jailReason: v.jailReason,
  };
}

/** The staking module over the app's one staking keeper. */
export function stakingModule(staking: StakingKeeper): ChainModule {
  return {
    name: "staking",
    params: stakingParams,
    messages: [
      handles(RegisterValidatorMsg, (ctx, msg) => {
        const pubKey = getBytes(msg.consensusPubKey);
        const v = staking.register(ctx.state, {
          operator: ctx.sender,
          pubKey,
          deposit: msg.deposit,
          moniker: msg.moniker,
        });
        ctx.emit("validator_registered", {
          operator: v.operator,
          consensus_address: v.consensusAddress,
          deposit: v.deposit,
        });
      }),
      handles(LendMsg, (ctx, msg) => {
        checkLend(msg);
        staking.lend(ctx.state, ctx.sender, msg.validator, msg.amount);
        ctx.emit("lend", { lender: ctx.sender, validator: msg.validator, amount: msg.amount });
      }),
      handles(VoteMsg, (ctx, msg) => {
        staking.vote(ctx.state, ctx.sender, msg.validators);
        ctx.emit("vote", { voter: ctx.sender, validators: msg.validators.join(",") });
      }),
      handles(UnbondMsg, (ctx, msg) => {
        checkUnbond(msg);
        const entry = staking.unbond(ctx.state, ctx.sender, msg.validator, msg.amount, ctx.block.height);
        ctx.emit("unbond", {
          owner: ctx.sender,
          validator: msg.validator,
          amount: msg.amount,
          completes_at: entry.completesAt,
        });
      }),
      handles(UnjailMsg, (ctx) => {
        staking.unjail(ctx.state, ctx.sender, ctx.block.height);
        ctx.emit("validator_unjailed", { operator: ctx.sender });
      }),
    ],
    initGenesis(ctx, appState) {
      initValidators(ctx, staking, appState.validators);
    },
    genesisValidators(ctx) {
      const elected = electSet(staking, ctx.state);
      return applySet(staking, ctx.state, new Map(elected.map((e) => [e.operator, e.power]))).updates;
    },
    beginBlock(ctx, start) {
      for (const evidence of start.misbehavior) {
        if (evidence.kind !== "duplicate_vote") continue;
        const punished = staking.punishDoubleSign(
          ctx.state,
          evidence.consensusAddress,
          evidence.height,
          ctx.block.height,
        );
        if (!punished) continue;
        ctx.emit("slash", {
          operator: punished.validator.operator,
          reason: "double_sign",
          infraction_height: evidence.height,
          amount: punished.slashed,
        });
        jailedEvent(ctx, punished.validator);
      }
      for (const vote of start.lastCommit) {
        if (vote.signed) continue;
        const jailed = staking.recordMissedBlock(ctx.state, vote.consensusAddress, ctx.block.height);
        if (jailed) jailedEvent(ctx, jailed);
      }
    },
    endBlock(ctx) {
      for (const entry of staking.completeUnbondings(ctx.state, ctx.block.height)) {
        ctx.emit("unbonding_completed", {
          owner: entry.owner,
          validator: entry.validator,
          amount: entry.amount,
        });
      }
      const isEpoch = staking.takeDueEpoch(ctx.state, ctx.block.height);
      if (isEpoch) {
        staking.recountVotes(ctx.state);
        for (const { operator, amount } of staking.payFeePool(ctx.state)) {
          ctx.emit("fee_payout", { operator: operator, amount: amount });
        }
      }
      const change = endBlockSetChange(staking, ctx.state, isEpoch);
      if (change.keptToAvoidEmptySet)
        ctx.emit("validator_set_kept", { reason: "no eligible validator left" });
      if (isEpoch) ctx.emit("epoch", { height: ctx.block.height });
      return change.updates;
    },
    queries: [
      {
        path: "/validators",
        describe: "every validator, heaviest first, with its CometBFT power (0 when not in the set)",
        answer(state) {
          const active = readActiveSet(state);
          const list = readAllValidators(state).sort((a, b) => {
            const wa = weightOf(a);
            const wb = weightOf(b);
            if (wa !== wb) return wa > wb ? -1 : 1;
            return a.operator < b.operator ? -1 : 1;
          });
          return { kind: "view", value: list.map((v) => validatorView(v, active.get(v.operator))) };
        },
      },
      recordQuery("/validator/:address", "one validator as stored (provable)", (params) => {
        const operator = parseAddress(params.address, "address");
        return { stateKey: validatorKey(operator), missing: `${operator} is not a registered validator` };
      }),
      {
        path: "/staking/:address",
        describe: "an account's loans, votes and pending unbondings",
        answer(state, params) {
          const owner = parseAddress(params.address, "address");
          return {
            kind: "view",
            value: {
              address: owner,
              loans: readLoansOf(state, owner).map((l) => ({
                validator: l.validator,
                amount: l.amount.toString(),
              })),
              votes: readVotes(state, owner),
              unbonding: readUnbondings(state)
                .filter((u) => u.owner === owner)
                .map((u) => ({
                  validator: u.validator,
                  amount: u.amount.toString(),
                  completesAt: u.completesAt,
                })),
            },
          };
        },
      },
    ],
  };
}
