// A ComputeContract's spec as the chain's OpenContract message, and the SLA numbers the operator keeps.
import { Duration } from "@icholy/duration";
import type { OpenContract } from "../../chain-sidecar/modules/market/market-types.js";
import { DEFAULTS, type ComputeContract } from "../../crds/types.js";
import type { ScuScale } from "../../units/scu-scale.js";

/** Kubernetes waits 300 s before evicting from a lost node; a contract that names no SLA gets this. */
export const DEFAULT_RECOVER_WITHIN_SECONDS = 10;
/** Moves per replica when the SLA names none. */
export const DEFAULT_MAX_MIGRATIONS = 10;

/** Whole seconds of a Go-style duration, rounded up; the schema already refused malformed ones. */
export function durationSeconds(text: string, field: string): number {
  let milliseconds: number;
  try {
    milliseconds = new Duration(text).milliseconds();
  } catch {
    throw new Error(`${field}: ${JSON.stringify(text)} is not a duration such as "90s" or "1h30m"`);
  }
  if (!(milliseconds > 0)) throw new Error(`${field}: ${JSON.stringify(text)} must be greater than zero`);
  return Math.ceil(milliseconds / 1000);
}

export function recoverWithinSeconds(contract: ComputeContract): number {
  const text = contract.spec.sla?.recoverWithin;
  return text === undefined
    ? DEFAULT_RECOVER_WITHIN_SECONDS
    : durationSeconds(text, "spec.sla.recoverWithin");
}

export function maxMigrations(contract: ComputeContract): number {
  return contract.spec.sla?.maxMigrations ?? DEFAULT_MAX_MIGRATIONS;
}

export function desiredReplicas(contract: ComputeContract): number {
  return contract.spec.replicas ?? DEFAULTS.replicas;
}

/** The chain's name of the contract's billing term (the CRD's Reserved/Used, lower case). */
export function chainBilling(contract: ComputeContract): "reserved" | "used" {
  return (contract.spec.billing ?? DEFAULTS.billing) === "Used" ? "used" : "reserved";
}

export interface OpeningParty {
  /** May then record the contract's leases and breaches. */
  operator: string;
  /** The member cluster the opening comes from; "" outside a federation. */
  clusterId: string;
  /** What the chain contract stands for, normally the ComputeContract's UID: its id derives from it. */
  clientRef: string;
  maxDurationSeconds: number;
}

/**
 * The OpenContract message for a contract the operator opens from the payer's key. A contract without a duration
 * runs up to the chain's longest allowed.
 */
export function openContractMessage(
  contract: ComputeContract,
  scale: ScuScale,
  party: OpeningParty,
): OpenContract {
  const spec = contract.spec;
  return {
    scuPerReplica: BigInt(scale.containerScu(spec.template.spec.size)),
    replicas: BigInt(desiredReplicas(contract)),
    maxPricePerScuHour: BigInt(spec.maxPricePerSCUHour),
    budget: BigInt(spec.budget),
    durationSeconds: BigInt(
      spec.duration === undefined
        ? party.maxDurationSeconds
        : durationSeconds(spec.duration, "spec.duration"),
    ),
    recoverWithinSeconds: BigInt(recoverWithinSeconds(contract)),
    maxMigrations: BigInt(maxMigrations(contract)),
    regions: [...(spec.placement?.regions ?? [])].sort(),
    minPoc: BigInt(spec.placement?.minPoC ?? 0),
    spread: spec.template.spec.contributorSpread === "required",
    billing: chainBilling(contract),
    operator: party.operator,
    clusterId: party.clusterId,
    clientRef: party.clientRef,
  };
}
