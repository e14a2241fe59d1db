// Staking parameters: who can validate, how the set is chosen each epoch, and how misbehaviour is punished.
import { defineParams } from "../params/param-section.js";

export interface StakingParams {
  minDeposit: bigint;
  maxValidators: number;
  epochBlocks: number;
  unbondingBlocks: number;
  maxVotesPerAccount: number;
  slashFractionDoubleSignBps: number;
  doubleSignJailBlocks: number;
  downtimeWindowBlocks: number;
  maxMissedBlocks: number;
  downtimeJailBlocks: number;
}

export const stakingParams = defineParams<StakingParams>(
  "staking",
  {
    minDeposit: { kind: "amount", describe: "smallest own deposit of a validator" },
    maxValidators: { kind: "integer", min: 1, max: 10_000, describe: "size of the CometBFT validator set" },
    epochBlocks: { kind: "integer", min: 1, max: 1_000_000, describe: "blocks between elections" },
    unbondingBlocks: {
      kind: "integer",
      min: 0,
      max: 10_000_000,
      describe: "blocks before unbonded funds return",
    },
    maxVotesPerAccount: { kind: "integer", min: 1, max: 64, describe: "validators one account may vote for" },
    slashFractionDoubleSignBps: {
      kind: "integer",
      min: 0,
      max: 10_000,
      describe: "part of the deposit slashed for a duplicate vote, in basis points",
    },
    doubleSignJailBlocks: {
      kind: "integer",
      min: 0,
      max: 100_000_000,
      describe: "jail time after a duplicate vote",
    },
    downtimeWindowBlocks: {
      kind: "integer",
      min: 1,
      max: 1_000_000,
      describe: "liveness window, aligned to multiples of its length",
    },
    maxMissedBlocks: {
      kind: "integer",
      min: 0,
      max: 1_000_000,
      describe: "missed blocks tolerated per window",
    },
    downtimeJailBlocks: { kind: "integer", min: 0, max: 100_000_000, describe: "jail time for downtime" },
  },
  {
    minDeposit: 1_000_000n,
    maxValidators: 48,
    epochBlocks: 100,
    unbondingBlocks: 1_000,
    maxVotesPerAccount: 8,
    slashFractionDoubleSignBps: 500,
    doubleSignJailBlocks: 100_000,
    downtimeWindowBlocks: 100,
    maxMissedBlocks: 50,
    downtimeJailBlocks: 600,
  },
);
