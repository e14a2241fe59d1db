// Which update events are worth a reconcile: status writes (our own, mostly) and bookkeeping-only changes are not.
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "./resource.js";

/** Decides from the old and new object whether an update event should enqueue a reconcile. */
export type UpdatePredicate<T extends KubeObject = KubeObject> = (previous: T, current: T) => boolean;

/** True when spec changed: the apiserver bumps generation only for spec changes on kinds with a status subresource. */
export function generationChanged(previous: KubeObject, current: KubeObject): boolean {
  return previous.metadata.generation !== current.metadata.generation;
}

export function labelsChanged(previous: KubeObject, current: KubeObject): boolean {
  return !isDeepStrictEqual(previous.metadata.labels ?? {}, current.metadata.labels ?? {});
}

export function annotationsChanged(previous: KubeObject, current: KubeObject): boolean {
  return !isDeepStrictEqual(previous.metadata.annotations ?? {}, current.metadata.annotations ?? {});
}

export function finalizersChanged(previous: KubeObject, current: KubeObject): boolean {
  return !isDeepStrictEqual(previous.metadata.finalizers ?? [], current.metadata.finalizers ?? []);
}

export function deletionTimestampChanged(previous: KubeObject, current: KubeObject): boolean {
  return (previous.metadata.deletionTimestamp ?? null) !== (current.metadata.deletionTimestamp ?? null);
}

/** The object without what the apiserver changes on every write (resourceVersion, managedFields). */
function withoutBookkeeping(object: KubeObject): unknown {
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** True when anything but resourceVersion and managedFields changed (status included). */
export function contentChanged(previous: KubeObject, current: KubeObject): boolean {
  return !isDeepStrictEqual(withoutBookkeeping(previous), withoutBookkeeping(current));
}

/** True when anything but status, resourceVersion and managedFields changed. */
export function contentChangedIgnoringStatus(previous: KubeObject, current: KubeObject): boolean {
  const strip = (object: KubeObject): unknown => {
    const { status: _status, ...rest } = withoutBookkeeping(object) as Record<string, unknown>;
    return rest;
  };
  return !isDeepStrictEqual(strip(previous), strip(current));
}

/**
 * The default filter for a controller's primary kind. Kinds that keep a generation (a status subresource):
 * reconcile on spec (generation), labels, annotations, finalizers or deletionTimestamp changes, not on status.
 * Kinds without generation: reconcile on any change except status and bookkeeping.
 */
export function primaryObjectChanged(previous: KubeObject, current: KubeObject): boolean {
  const generations = previous.metadata.generation !== undefined && current.metadata.generation !== undefined;
  if (!generations) return contentChangedIgnoringStatus(previous, current);
  return (
    generationChanged(previous, current) ||
    labelsChanged(previous, current) ||
    annotationsChanged(previous, current) ||
    finalizersChanged(previous, current) ||
    deletionTimestampChanged(previous, current)
  );
}

/** The default filter for owned and watched kinds: their status matters to the owner, bookkeeping does not. */
export const dependentObjectChanged: UpdatePredicate = contentChanged;
