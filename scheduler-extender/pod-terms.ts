// What a Uranus pod asks of a node, read from the labels and annotations the operator sets on it.
import { ANNOTATION, LABEL } from "../crds/types.js";
import type { PodResources, ScuCalculator } from "../units/pod-scu.js";
import { QuantityError } from "../units/resource-quantity.js";

/** The parts of a Pod (scheduler request or informer object) the extender reads. */
export interface PodLike {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: PodResources & { readonly runtimeClassName?: string; readonly nodeName?: string };
  readonly status?: { readonly phase?: string };
}

export interface PodTerms {
  /** "namespace/contract": replicas of one contract share it. */
  readonly contractKey: string;
  readonly scu: number;
  readonly maxPricePerSCUHour: bigint;
  /** Undefined allows every region. */
  readonly regions: ReadonlySet<string> | undefined;
  readonly minPoC: bigint;
  readonly needsKata: boolean;
}

export type PodTermsResult =
  | { readonly kind: "foreign" }
  | { readonly kind: "uranus"; readonly terms: PodTerms }
  | { readonly kind: "invalid"; readonly contractKey: string; readonly problem: string };

const DECIMAL = /^\d{1,78}$/;

/** The contract key of a Uranus pod, undefined for any other pod. */
export function contractKeyOf(pod: PodLike): string | undefined {
  const contract = pod.metadata?.labels?.[LABEL.contract];
  if (contract === undefined || contract === "") return undefined;
  return `${pod.metadata?.namespace ?? "default"}/${contract}`;
}

export function readPodTerms(pod: PodLike, scu: ScuCalculator): PodTermsResult {
  const contractKey = contractKeyOf(pod);
  if (contractKey === undefined) return { kind: "foreign" };
  const annotations = pod.metadata?.annotations ?? {};
  const invalid = (problem: string): PodTermsResult => ({ kind: "invalid", contractKey, problem });

  const maxPrice = annotations[ANNOTATION.maxPricePerSCUHour];
  if (maxPrice === undefined) return invalid(`pod has no ${ANNOTATION.maxPricePerSCUHour} annotation`);
  if (!DECIMAL.test(maxPrice)) {
    return invalid(`pod annotation ${ANNOTATION.maxPricePerSCUHour} must be a decimal amount`);
  }
  const minPoC = annotations[ANNOTATION.minPoC] ?? "0";
  if (!DECIMAL.test(minPoC)) return invalid(`pod annotation ${ANNOTATION.minPoC} must be a decimal integer`);
  const regionList = (annotations[ANNOTATION.regions] ?? "")
    .split(",")
    .map((region) => region.trim())
    .filter((region) => region !== "");

  let size: number;
  try {
    size = scu.podScu(pod.spec ?? {});
  } catch (error) {
    if (error instanceof QuantityError) return invalid(`pod resource request ${error.message}`);
    throw error;
  }
  return {
    kind: "uranus",
    terms: {
      contractKey,
      scu: size,
      maxPricePerSCUHour: BigInt(maxPrice),
      regions: regionList.length === 0 ? undefined : new Set(regionList),
      minPoC: BigInt(minPoC),
      needsKata: pod.spec?.runtimeClassName?.startsWith("kata") ?? false,
    },
  };
}
