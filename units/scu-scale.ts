// SCU arithmetic for the operator and the extender: a node's capacity (its smallest ratio to the unit), a container's size (its
// largest ratio, through the scheduler extender's calculator so both agree) and the resources one size reserves.
import { DEFAULT_SCU_UNIT, ScuCalculator, type ScuUnit } from "./pod-scu.js";
import { parseQuantityNano } from "./resource-quantity.js";

/** A container's size as the CRDs state it: whole SCU, or resource quantities. */
export interface ContainerSizeTerms {
  scu?: number;
  cpu?: string | number;
  memory?: string | number;
  storage?: string | number;
}

const NANO = 1_000_000_000n;

/** The chain's poc parameters that define one SCU. */
export interface ChainScuParams {
  scuCpuMillicores: number;
  scuMemoryBytes: number;
  scuStorageBytes: number;
}

/** A node's resources in the units the chain's RegisterNode and Heartbeat messages use. */
export interface NodeResources {
  cpuMillicores: bigint;
  memoryBytes: bigint;
  storageBytes: bigint;
}

export type ResourceQuantities = Record<"cpu" | "memory" | "ephemeral-storage", string>;

/** Bytes in the largest binary suffix that divides them, as kubectl would print them. */
function bytesQuantity(bytes: bigint): string {
  for (const [suffix, size] of [
    ["Ti", 2n ** 40n],
    ["Gi", 2n ** 30n],
    ["Mi", 2n ** 20n],
    ["Ki", 2n ** 10n],
  ] as const) {
    if (bytes > 0n && bytes % size === 0n) return `${bytes / size}${suffix}`;
  }
  return String(bytes);
}

function cpuQuantity(millicores: bigint): string {
  return millicores % 1000n === 0n ? String(millicores / 1000n) : `${millicores}m`;
}

export function scuUnitFromChainParams(params: ChainScuParams): ScuUnit {
  return {
    cpu: `${params.scuCpuMillicores}m`,
    memory: String(params.scuMemoryBytes),
    storage: String(params.scuStorageBytes),
  };
}

function quantityOrZero(value: string | number | undefined, what: string): bigint {
  if (value === undefined) return 0n;
  try {
    return parseQuantityNano(value);
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

export class ScuScale {
  readonly unit: ScuUnit;
  private readonly calculator: ScuCalculator;
  private readonly cpuMillicores: bigint;
  private readonly memoryBytes: bigint;
  private readonly storageBytes: bigint;

  constructor(unit: ScuUnit = DEFAULT_SCU_UNIT) {
    this.unit = unit;
    this.calculator = new ScuCalculator(unit);
    this.cpuMillicores = parseQuantityNano(unit.cpu) / 1_000_000n;
    this.memoryBytes = parseQuantityNano(unit.memory) / NANO;
    this.storageBytes = parseQuantityNano(unit.storage) / NANO;
  }

  /** A Node's allocatable resources; cpu in millicores, memory and ephemeral storage in bytes, rounded down. */
  nodeResources(allocatable: Readonly<Record<string, string | number>> | undefined): NodeResources {
    const source = allocatable ?? {};
    return {
      cpuMillicores: quantityOrZero(source.cpu, "allocatable cpu") / 1_000_000n,
      memoryBytes: quantityOrZero(source.memory, "allocatable memory") / NANO,
      storageBytes: quantityOrZero(source["ephemeral-storage"], "allocatable ephemeral-storage") / NANO,
    };
  }

  /** Whole SCU a node offers: its smallest ratio over the dimensions it reports (storage only when reported). */
  capacity(resources: NodeResources): number {
    const ratios = [resources.cpuMillicores / this.cpuMillicores, resources.memoryBytes / this.memoryBytes];
    if (resources.storageBytes > 0n) ratios.push(resources.storageBytes / this.storageBytes);
    const smallest = ratios.reduce((min, ratio) => (ratio < min ? ratio : min));
    return smallest > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(smallest);
  }

  /** Whole SCU a container needs: `scu` as given, or cpu/memory/storage rounded up by their largest ratio. */
  containerScu(size: ContainerSizeTerms): number {
    if (size.scu !== undefined) return size.scu;
    const requests: Record<string, string | number> = {};
    if (size.cpu !== undefined) requests.cpu = size.cpu;
    if (size.memory !== undefined) requests.memory = size.memory;
    if (size.storage !== undefined) requests["ephemeral-storage"] = size.storage;
    return this.calculator.podScu({ containers: [{ resources: { requests } }] });
  }

  /** Requests (and limits) that reserve exactly `scu` units, so the extender reads the same size back. */
  resources(scu: number): ResourceQuantities {
    const n = BigInt(scu);
    return {
      cpu: cpuQuantity(n * this.cpuMillicores),
      memory: bytesQuantity(n * this.memoryBytes),
      "ephemeral-storage": bytesQuantity(n * this.storageBytes),
    };
  }
}
