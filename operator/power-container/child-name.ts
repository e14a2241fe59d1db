// Deterministic names for the objects the operator makes (PowerContainers of a contract, Pods of a container), so
// a retry after a crash names the same object and the apiserver refuses a duplicate.
import { createHash } from "node:crypto";

const MAX_NAME = 253;

/** `<parent>-<suffix>`, shortened with a digest of the parent when it would exceed a DNS subdomain's length. */
export function childName(parent: string, suffix: string | number): string {
  const tail = `-${suffix}`;
  if (parent.length + tail.length <= MAX_NAME) return `${parent}${tail}`;
  const digest = createHash("sha256").update(parent).digest("hex").slice(0, 8);
  const keep = MAX_NAME - tail.length - digest.length - 1;
  return `${parent.slice(0, keep).replace(/[-.]+$/, "")}-${digest}${tail}`;
}

/** The revision a pod name made by childName ends with, or undefined for other names. */
export function revisionOf(podName: string, parent: string): number | undefined {
  const match = /-(\d+)$/.exec(podName);
  if (match === null) return undefined;
  return childName(parent, match[1]!) === podName ? Number(match[1]) : undefined;
}
