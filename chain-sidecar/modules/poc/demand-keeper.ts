// Demand and the resource coefficients it steers: SCU requested per block, re-estimated each epoch
// (demand-controller.ts). Part of the poc module's `poc/` prefix.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { dueEpochBoundary } from "../epoch-boundary.js";
import { readParams } from "../params/params-keeper.js";
import { initialCoefficients, nextCoefficients } from "./demand-controller.js";
import { readCoefficients, readSupply } from "./poc-keeper.js";
import { pocParams, type PocParams } from "./poc-params.js";
import {
  COEFFICIENTS_KEY,
  DEMAND_PREFIX,
  demandKey,
  encodeCoefficients,
  type Coefficients,
} from "./poc-records.js";

/** The one demand keeper of the app; every method takes the state it works on. */
export class DemandKeeper {
  params(state: StateReader): PocParams {
    return readParams(state, pocParams);
  }

  /** Counts SCU requested in this block toward the demand estimate. */
  recordDemand(state: StateWriter, height: number, scu: bigint): void {
    if (scu <= 0n) return;
    const key = demandKey(height);
    const bytes = state.get(key);
    const before = bytes ? BigInt((decodeRecord(bytes) as { scu: string }).scu) : 0n;
    state.set(key, encodeRecord({ scu: (before + scu).toString() }));
  }

  /** SCU requested in the window (height − window, height]. */
  requestedInWindow(state: StateReader, height: number): bigint {
    const from = demandKey(Math.max(0, height - this.params(state).demandWindowBlocks + 1));
    return state
      .entries(DEMAND_PREFIX, { from })
      .reduce((sum, [, bytes]) => sum + BigInt((decodeRecord(bytes) as { scu: string }).scu), 0n);
  }

  /** At the first block past an epoch boundary: re-estimates demand and steps every coefficient; drops demand older than the window. */
  updateCoefficients(state: StateWriter, height: number): Coefficients | undefined {
    const params = this.params(state);
    const current = readCoefficients(state);
    if (dueEpochBoundary(height, params.epochBlocks, current.updatedHeight) === undefined) return undefined;
    const requested = this.requestedInWindow(state, height);
    const next = nextCoefficients(current, requested, readSupply(state).capacity, params, height);
    state.set(COEFFICIENTS_KEY, encodeCoefficients(next));
    const stale = state.entries(DEMAND_PREFIX, {
      to: demandKey(Math.max(0, height - params.demandWindowBlocks + 1)),
    });
    for (const [key] of stale) state.delete(key);
    return next;
  }

  initGenesis(state: StateWriter): void {
    state.set(COEFFICIENTS_KEY, encodeCoefficients(initialCoefficients(this.params(state))));
  }
}
