// A pod's size in SCU (standard compute units): its largest ratio of requests to the SCU unit, rounded up.
import { parseQuantityNano } from "./resource-quantity.js";

/** One SCU; the chain's parameters set it, the defaults are DESIGN's 1 vCPU + 2 GiB memory + 20 GiB disk. */
export interface ScuUnit {
  cpu: string;
  memory: string;
  storage: string;
}

export const DEFAULT_SCU_UNIT: ScuUnit = { cpu: "1", memory: "2Gi", storage: "20Gi" };

/** The resource requests the extender reads; any V1Pod spec (typed or plain JSON) fits. */
export interface ResourceList {
  readonly [resource: string]: string | number | undefined;
}
interface ContainerResources {
  readonly resources?: { readonly requests?: ResourceList; readonly limits?: ResourceList };
}
export interface PodResources {
  readonly containers?: readonly ContainerResources[];
  readonly initContainers?: readonly ContainerResources[];
  readonly overhead?: ResourceList;
}

const DIMENSIONS = [
  ["cpu", "cpu"],
  ["memory", "memory"],
  ["ephemeral-storage", "storage"],
] as const satisfies readonly (readonly [string, keyof ScuUnit])[];

export class ScuCalculator {
  private readonly unitNano: Readonly<Record<keyof ScuUnit, bigint>>;

  constructor(unit: ScuUnit = DEFAULT_SCU_UNIT) {
    const nano = (key: keyof ScuUnit): bigint => {
      const value = parseQuantityNano(unit[key]);
      if (value <= 0n)
        throw new Error(`the SCU unit's ${key} must be positive, got ${JSON.stringify(unit[key])}`);
      return value;
    };
    this.unitNano = { cpu: nano("cpu"), memory: nano("memory"), storage: nano("storage") };
  }

  /** Whole SCU the pod takes, at least 1: Kubernetes' effective request (containers summed, init containers at their largest, plus overhead). */
  podScu(spec: PodResources): number {
    let scu = 1n;
    for (const [resource, dimension] of DIMENSIONS) {
      const request = effectiveRequestNano(spec, resource);
      const unit = this.unitNano[dimension];
      const ratio = (request + unit - 1n) / unit;
      if (ratio > scu) scu = ratio;
    }
    return scu > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(scu);
  }
}

function containerRequestNano(container: ContainerResources, resource: string): bigint {
  // The apiserver copies limits into absent requests; a pod read before defaulting may carry only limits.
  const quantity = container.resources?.requests?.[resource] ?? container.resources?.limits?.[resource];
  return quantity === undefined ? 0n : parseQuantityNano(quantity);
}

function effectiveRequestNano(spec: PodResources, resource: string): bigint {
  let sum = 0n;
  for (const container of spec.containers ?? []) sum += containerRequestNano(container, resource);
  let initMax = 0n;
  for (const container of spec.initContainers ?? []) {
    const request = containerRequestNano(container, resource);
    if (request > initMax) initMax = request;
  }
  const overhead = spec.overhead?.[resource];
  return (sum > initMax ? sum : initMax) + (overhead === undefined ? 0n : parseQuantityNano(overhead));
}
