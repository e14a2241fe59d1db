// The coefficient controller: estimate demand as a Poisson rate, compare the load it implies with supply, and move
// each coefficient part of the way toward the scarcity target, clamped to its bounds.
//
// Per resource r, each epoch:
//   λ̂        = units requested in the window / window blocks        (the Poisson MLE: the sample mean per block)
//   load_r   = λ̂ · scuUnit_r · holdBlocks / supply_r                 (Little's law: expected units in use / supply)
//   target_r = clamp(coefBase · load_r / targetUtilisation, min, max)
//   coef_r  ← coef_r + (target_r − coef_r) · correction              (integer division truncates toward zero)
// Demand counts the SCU of contracts opened (replicas × SCU per replica) in the block they open. Truncation can
// leave a coefficient short of its target by less than 1 / correction ppm.
// A higher coefficient rewards nodes that add the scarce resource, and more supply lowers the load: negative feedback.
// With 0 < correction ≤ 1 each step closes part of the gap and never passes the target, so a steady demand
// converges monotonically; the only spread left is the Poisson noise of λ̂ (relative deviation 1/√(λ·window)).
import { PPM, type PocParams } from "./poc-params.js";
import {
  RESOURCES,
  zeroAmounts,
  type Coefficients,
  type Resource,
  type ResourceAmounts,
} from "./poc-records.js";

/** Load reported when demand meets no supply at all. */
export const LOAD_CAP_PPM = 1_000_000n * PPM;

export function scuUnit(resource: Resource, params: PocParams): bigint {
  switch (resource) {
    case "cpu":
      return BigInt(params.scuCpuMillicores);
    case "memory":
      return BigInt(params.scuMemoryBytes);
    case "storage":
      return BigInt(params.scuStorageBytes);
    case "bandwidth":
      return BigInt(params.scuBandwidthMbps);
  }
}

function bounds(params: PocParams): [bigint, bigint] {
  const a = BigInt(params.coefMinPpm);
  const b = BigInt(params.coefMaxPpm);
  return a <= b ? [a, b] : [b, a];
}

function clamp(value: bigint, [low, high]: [bigint, bigint]): bigint {
  return value < low ? low : value > high ? high : value;
}

/** Expected load over supply in ppm, from the SCU requested in the window. */
export function loadPpm(
  resource: Resource,
  requestedScu: bigint,
  supply: ResourceAmounts,
  params: PocParams,
): bigint {
  if (requestedScu === 0n) return 0n;
  const available = supply[resource];
  if (available === 0n) return LOAD_CAP_PPM;
  const load =
    (requestedScu * scuUnit(resource, params) * BigInt(params.demandHoldBlocks) * PPM) /
    (BigInt(params.demandWindowBlocks) * available);
  return load > LOAD_CAP_PPM ? LOAD_CAP_PPM : load;
}

export function targetCoefficient(load: bigint, params: PocParams): bigint {
  return clamp((BigInt(params.coefBasePpm) * load) / BigInt(params.targetUtilisationPpm), bounds(params));
}

export function stepCoefficient(current: bigint, target: bigint, params: PocParams): bigint {
  return clamp(current + ((target - current) * BigInt(params.correctionPpm)) / PPM, bounds(params));
}

export function initialCoefficients(params: PocParams): Coefficients {
  const base = clamp(BigInt(params.coefBasePpm), bounds(params));
  return {
    coef: { cpu: base, memory: base, storage: base, bandwidth: base },
    demandScuPerBlockMicro: 0n,
    loadPpm: zeroAmounts(),
    updatedHeight: 0,
  };
}

/** One epoch's update from the SCU requested over the window and the online supply. */
export function nextCoefficients(
  previous: Coefficients,
  requestedScu: bigint,
  supply: ResourceAmounts,
  params: PocParams,
  height: number,
): Coefficients {
  const coef = zeroAmounts();
  const load = zeroAmounts();
  for (const resource of RESOURCES) {
    load[resource] = loadPpm(resource, requestedScu, supply, params);
    coef[resource] = stepCoefficient(
      previous.coef[resource],
      targetCoefficient(load[resource], params),
      params,
    );
  }
  return {
    coef,
    demandScuPerBlockMicro: (requestedScu * PPM) / BigInt(params.demandWindowBlocks),
    loadPpm: load,
    updatedHeight: height,
  };
}
