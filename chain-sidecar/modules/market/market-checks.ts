// Checks of market messages that need no state: each message's id and reference syntax, run before the keeper,
// and the terms of a contract to open against the parameters the keeper read.
import { invalidField } from "../../tx/tx-error.js";
import { checkClientRef, checkClusterId, checkContractId, checkRegion } from "../identifiers.js";
import type { OpenContract } from "./market-messages.js";
import type { MarketParams } from "./market-params.js";
import { BILLING_MODES, type BillingMode } from "./market-records.js";

export function inRange(value: bigint, min: number, max: number, field: string): number {
  if (value < BigInt(min) || value > BigInt(max))
    throw invalidField(field, `${value} is outside ${min}..${max}`);
  return Number(value);
}

/** The parts of the contract id: the cluster and the client reference. */
export function checkOpenContract(msg: OpenContract): void {
  checkClusterId(msg.clusterId, "OpenContract.clusterId");
  checkClientRef(msg.clientRef, "OpenContract.clientRef");
}

export interface ContractTerms {
  scuPerReplica: number;
  replicas: number;
  durationSeconds: number;
  recoverWithinSeconds: number;
  /** Sorted, each listed once. */
  regions: string[];
  billing: BillingMode;
}

/**
 * The size, price, duration and regions of a contract to open, within the market's limits; `message` names the
 * message the terms came in (a federation order carries the same terms).
 */
export function checkContractTerms(
  msg: OpenContract,
  p: MarketParams,
  message = "OpenContract",
): ContractTerms {
  const scuPerReplica = inRange(msg.scuPerReplica, 1, p.maxScuPerReplica, `${message}.scuPerReplica`);
  const replicas = inRange(msg.replicas, 1, p.maxReplicas, `${message}.replicas`);
  if (msg.maxPricePerScuHour === 0n)
    throw invalidField(`${message}.maxPricePerScuHour`, "must be greater than zero");
  const durationSeconds = inRange(msg.durationSeconds, 1, p.maxDurationSeconds, `${message}.durationSeconds`);
  const recoverWithinSeconds = inRange(
    msg.recoverWithinSeconds,
    1,
    2 ** 32 - 1,
    `${message}.recoverWithinSeconds`,
  );
  if (msg.regions.length > p.maxRegions)
    throw invalidField(`${message}.regions`, `at most ${p.maxRegions} regions, got ${msg.regions.length}`);
  const regions = new Set<string>();
  msg.regions.forEach((region, i) => {
    checkRegion(region, `${message}.regions[${i}]`);
    if (regions.has(region)) throw invalidField(`${message}.regions[${i}]`, `${region} is listed twice`);
    regions.add(region);
  });
  const billing = BILLING_MODES.find((mode) => mode === msg.billing);
  if (billing === undefined)
    throw invalidField(
      `${message}.billing`,
      `${JSON.stringify(msg.billing)} is neither "reserved" nor "used"`,
    );
  return {
    scuPerReplica,
    replicas,
    durationSeconds,
    recoverWithinSeconds,
    regions: [...regions].sort(),
    billing,
  };
}

/** Every market message but the opening names a contract: its id's syntax, before the keeper reads it. */
export function checkContractReference(msg: { contractId: string }, message: string): void {
  checkContractId(msg.contractId, `${message}.contractId`);
}
