// The staking module: thin handlers over the keeper, evidence and liveness at block start, the validator set at block end.
import { getBytes } from "ethers";
import type { JsonValue } from "../../state/canonical-json.js";
import { invalidField } from "../../tx/tx-error.js";
import { handles, type ChainModule } from "../chain-module.js";
import type { ExecContext } from "../exec-context.js";
import { parseAddress, parseAmount } from "../field-parsers.js";
import { LendMsg, RegisterValidatorMsg, UnbondMsg, UnjailMsg, VoteMsg } from "./staking-messages.js";
import {
  StakingKeeper,
  readActiveSet,
  readAllValidators,
  readLoansOf,
  readUnbondings,
  readVotes,
} from "./staking-keeper.js";
import { stakingParams } from "./staking-params.js";
import { validatorKey, weightOf, type Validator } from "./staking-records.js";
import { applySet, electSet, endBlockSetChange } from "./validator-election.js";

function jailedEvent(ctx: ExecContext, validator: Validator): void {
  ctx.emit("validator_jailed", [
    ["operator", validator.operator],
    ["reason", validator.jailReason],
    ["until", String(validator.jailedUntil)],
  ]);
}

function initValidators(ctx: ExecContext, raw: unknown): void {
  if (raw === undefined) return;
  if (!Array.isArray(raw)) throw invalidField("genesis.validators", "expected a list");
  const keeper = new StakingKeeper(ctx.state);
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
    keeper.registerAtGenesis(
      parseAddress(operator, `${path}.operator`),
      new Uint8Array(Buffer.from(consensusPubKey, "base64")),
      parseAmount(deposit, `${path}.deposit`),
      moniker ?? "",
      path,
    );
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

export const stakingModule: ChainModule = {
  name: "staking",
  params: stakingParams,
  messages: [
    handles(RegisterValidatorMsg, (ctx, msg) => {
      const v = new StakingKeeper(ctx.state).register(
        ctx.sender,
        getBytes(msg.consensusPubKey),
        msg.deposit,
        msg.moniker,
      );
      ctx.emit("validator_registered", [
        ["operator", v.operator],
        ["consensus_address", v.consensusAddress],
        ["deposit", v.deposit.toString()],
      ]);
    }),
    handles(LendMsg, (ctx, msg) => {
      new StakingKeeper(ctx.state).lend(ctx.sender, msg.validator, msg.amount);
      ctx.emit("lend", [
        ["lender", ctx.sender],
        ["validator", msg.validator],
        ["amount", msg.amount.toString()],
      ]);
    }),
    handles(VoteMsg, (ctx, msg) => {
      new StakingKeeper(ctx.state).vote(ctx.sender, msg.validators);
      ctx.emit("vote", [
        ["voter", ctx.sender],
        ["validators", msg.validators.join(",")],
      ]);
    }),
    handles(UnbondMsg, (ctx, msg) => {
      const entry = new StakingKeeper(ctx.state).unbond(
        ctx.sender,
        msg.validator,
        msg.amount,
        ctx.block.height,
      );
      ctx.emit("unbond", [
        ["owner", ctx.sender],
        ["validator", msg.validator],
        ["amount", msg.amount.toString()],
        ["completes_at", String(entry.completesAt)],
      ]);
    }),
    handles(UnjailMsg, (ctx) => {
      new StakingKeeper(ctx.state).unjail(ctx.sender, ctx.block.height);
      ctx.emit("validator_unjailed", [["operator", ctx.sender]]);
    }),
  ],
  initGenesis(ctx, appState) {
    initValidators(ctx, appState.validators);
  },
  genesisValidators(ctx) {
    const keeper = new StakingKeeper(ctx.state);
    return applySet(keeper, new Map(electSet(keeper, ctx.state).map((e) => [e.operator, e.power]))).updates;
  },
  beginBlock(ctx, start) {
    const keeper = new StakingKeeper(ctx.state);
    for (const evidence of start.misbehavior) {
      if (evidence.kind !== "duplicate_vote") continue;
      const punished = keeper.punishDoubleSign(evidence.consensusAddress, evidence.height, ctx.block.height);
      if (!punished) continue;
      ctx.emit("slash", [
        ["operator", punished.validator.operator],
        ["reason", "double_sign"],
        ["infraction_height", String(evidence.height)],
        ["amount", punished.slashed.toString()],
      ]);
      jailedEvent(ctx, punished.validator);
    }
    for (const vote of start.lastCommit) {
      if (vote.signed) continue;
      const jailed = keeper.recordMissedBlock(vote.consensusAddress, ctx.block.height);
      if (jailed) jailedEvent(ctx, jailed);
    }
  },
  endBlock(ctx) {
    const keeper = new StakingKeeper(ctx.state);
    for (const entry of keeper.completeUnbondings(ctx.block.height)) {
      ctx.emit("unbonding_completed", [
        ["owner", entry.owner],
        ["validator", entry.validator],
        ["amount", entry.amount.toString()],
      ]);
    }
    const isEpoch = ctx.block.height % keeper.params.epochBlocks === 0;
    if (isEpoch) {
      keeper.recountVotes();
      for (const { operator, amount } of keeper.payFeePool()) {
        ctx.emit("fee_payout", [
          ["operator", operator],
          ["amount", amount.toString()],
        ]);
      }
    }
    const change = endBlockSetChange(keeper, ctx.state, isEpoch);
    if (change.keptToAvoidEmptySet)
      ctx.emit("validator_set_kept", [["reason", "no eligible validator left"]]);
    if (isEpoch) ctx.emit("epoch", [["height", String(ctx.block.height)]]);
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
    {
      path: "/validator/:address",
      describe: "one validator as stored (provable)",
      answer(_state, params) {
        const operator = parseAddress(params.address, "address");
        return {
          kind: "record",
          stateKey: validatorKey(operator),
          missing: `${operator} is not a registered validator`,
        };
      },
    },
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
