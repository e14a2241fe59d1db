// The CometBFT validator set as staking sees it: elected each epoch, and jailed or retired validators leave at once.
import type { ConsensusUpdate } from "../chain-module.js";
import { elect, type Elected } from "./election.js";
import { readAllValidators, type StakingKeeper } from "./staking-keeper.js";
import { weightOf } from "./staking-records.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";

export interface SetChange {
  updates: ConsensusUpdate[];
  /** True when the change would have emptied the set, which CometBFT cannot run with, so the set was kept. */
  keptToAvoidEmptySet: boolean;
}

function eligible(keeper: StakingKeeper, state: StateReader): { operator: string; weight: bigint }[] {
  const { minDeposit } = keeper.params(state);
  return readAllValidators(state)
    .filter((v) => !v.jailed && v.deposit >= minDeposit)
    .map((v) => ({ operator: v.operator, weight: weightOf(v) }));
}

/** Runs the election over the current weights. */
export function electSet(keeper: StakingKeeper, state: StateReader): Elected[] {
  return elect(eligible(keeper, state), keeper.params(state).maxValidators);
}

/**
 * Moves the active set to `target` (operator → power): removed validators get power 0, new or changed ones their power.
 * Updates are in operator order so every node emits the same list.
 */
export function applySet(keeper: StakingKeeper, state: StateWriter, target: Map<string, bigint>): SetChange {
  const active = keeper.activeSet(state);
  if (target.size === 0 && active.size > 0) return { updates: [], keptToAvoidEmptySet: true };
  const operators = [...new Set([...active.keys(), ...target.keys()])].sort();
  const updates: ConsensusUpdate[] = [];
  for (const operator of operators) {
    const before = active.get(operator) ?? 0n;
    const after = target.get(operator) ?? 0n;
    if (before === after) continue;
    const validator = keeper.validator(state, operator);
    if (!validator) throw new Error(`active validator ${operator} has no record`);
    keeper.setActivePower(state, operator, after);
    updates.push({ pubKey: new Uint8Array(Buffer.from(validator.consensusPubKey, "base64")), power: after });
  }
  return { updates, keptToAvoidEmptySet: false };
}

/** The end-of-block change: a fresh election at epoch boundaries, otherwise only removals of jailed or retired validators. */
export function endBlockSetChange(keeper: StakingKeeper, state: StateWriter, isEpoch: boolean): SetChange {
  if (isEpoch) {
    return applySet(keeper, state, new Map(electSet(keeper, state).map((e) => [e.operator, e.power])));
  }
  const active = keeper.activeSet(state);
  const { minDeposit } = keeper.params(state);
  const target = new Map<string, bigint>();
  for (const [operator, power] of active) {
    const validator = keeper.validator(state, operator);
    if (validator && !validator.jailed && validator.deposit >= minDeposit) target.set(operator, power);
  }
  if (target.size === active.size) return { updates: [], keptToAvoidEmptySet: false };
  return applySet(keeper, state, target);
}
