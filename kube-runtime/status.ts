// Status writes through the status subresource: a merge patch of the changed fields plus observedGeneration,
// skipped entirely when nothing would change, so an idempotent reconcile does not write at all.
import { isDeepStrictEqual } from "node:util";
import { setCondition, type ConditionUpdate, type StatusCondition } from "./conditions.js";
import { isConflict, isNotFound } from "./kube-api-error.js";
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

type WithConditions = KubeObject & { status?: { conditions?: StatusCondition[] } };

export interface StatusWrite<T extends WithConditions> {
  changes: Partial<NonNullable<T["status"]>>;
  conditions: readonly ConditionUpdate[];
  now: Date;
  fieldManager: string;
  guardResourceVersion?: boolean;
  /**
   * For a status no later reconcile can recompute: on 409 Conflict the object is read again and `rebase(fresh)`
   * written onto it (a few times), instead of the error going back to a requeue.
   */
  rebase?: (fresh: T) => Partial<NonNullable<T["status"]>>;
}

const REBASE_ATTEMPTS = 4;

/** The one status writer of the reconcilers: conditions set onto the object's list, then patchStatus; an object deleted meanwhile has nothing left to report on. */
export async function writeStatus<T extends WithConditions>(
  client: KubeClient,
  resource: ResourceType,
  object: T,
  write: StatusWrite<T>,
): Promise<void> {
  let base = object;
  let changes = write.changes;
  for (let attempt = 0; ; attempt++) {
    let list = base.status?.conditions;
    for (const condition of write.conditions) list = setCondition(list, condition, write.now);
    try {
      await patchStatus(
        client,
        resource,
        base,
        { ...changes, conditions: list },
        {
          fieldManager: write.fieldManager,
          guardResourceVersion: write.guardResourceVersion === true || write.rebase !== undefined,
        },
      );
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      if (write.rebase === undefined || !isConflict(error) || attempt >= REBASE_ATTEMPTS) throw error;
      try {
        base = await client.get<T>(resource, {
          namespace: object.metadata.namespace,
          name: object.metadata.name!,
        });
      } catch (reread) {
        if (isNotFound(reread)) return;
        throw reread;
      }
      changes = write.rebase(base);
    }
  }
}
