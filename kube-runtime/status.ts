// Status writes through the status subresource: a merge patch of the changed fields plus observedGeneration,
// skipped entirely when nothing would change, so an idempotent reconcile does not write at all.
import { isDeepStrictEqual } from "node:util";
import type { KubeClient } from "./kube-client.js";
import type { KubeObject, ResourceType } from "./resource.js";

export interface StatusPatchOptions {
  fieldManager?: string;
  /** Send the object's resourceVersion so a status computed from a stale read fails with 409 Conflict. */
  guardResourceVersion?: boolean;
}

export interface StatusPatchResult<T> {
  object: T;
  /** False when the status already matched and no request was made. */
  written: boolean;
}

type WithStatus = KubeObject & { status?: object };

/**
 * Merges `changes` into the object's status (top-level fields; `undefined` removes one) and sets
 * `observedGeneration` to the generation the status was computed from.
 */
export async function patchStatus<T extends WithStatus>(
  client: KubeClient,
  resource: ResourceType,
  object: T,
  changes: Partial<NonNullable<T["status"]>>,
  options: StatusPatchOptions = {},
): Promise<StatusPatchResult<T>> {
  const current = (object.status ?? {}) as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes as Record<string, unknown>)) {
    patch[field] = value === undefined ? null : value;
  }
  if (object.metadata.generation !== undefined) patch.observedGeneration = object.metadata.generation;
  const unchanged = Object.entries(patch).every(([field, value]) =>
    value === null ? !(field in current) : isDeepStrictEqual(current[field], value),
  );
  if (unchanged) return { object, written: false };
  const body: Record<string, unknown> = { status: patch };
  if (options.guardResourceVersion === true) {
    body.metadata = { resourceVersion: object.metadata.resourceVersion };
  }
  const updated = await client.mergePatch<T>(
    resource,
    { namespace: object.metadata.namespace, name: object.metadata.name! },
    body,
    { subresource: "status", fieldManager: options.fieldManager },
  );
  return { object: updated, written: true };
}
