// Finalizers added and removed by a merge patch that carries the object's resourceVersion: if anyone changed
// the object since we read it, the apiserver answers 409 Conflict and the controller requeues with a fresh read.
import type { KubeClient } from "./kube-client.js";
import type { KubeObject, ResourceType } from "./resource.js";

export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return object.metadata.finalizers?.includes(finalizer) ?? false;
}

export function isBeingDeleted(object: KubeObject): boolean {
  return object.metadata.deletionTimestamp !== undefined;
}

type FinalizerWrite = <T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  object: T,
  finalizer: string,
  options?: { fieldManager?: string },
) => Promise<T>;

/** Adds the finalizer unless present; returns the object as the apiserver now has it. Throws 409 on a stale read. */
export const addFinalizer: FinalizerWrite = async (client, resource, object, finalizer, options = {}) => {
  if (hasFinalizer(object, finalizer)) return object;
  const finalizers = [...(object.metadata.finalizers ?? []), finalizer];
  return writeFinalizers(client, resource, object, finalizers, options);
};

/** Removes the finalizer if present; returns the object as the apiserver now has it. Throws 409 on a stale read. */
export const removeFinalizer: FinalizerWrite = async (client, resource, object, finalizer, options = {}) => {
  if (!hasFinalizer(object, finalizer)) return object;
  const remaining = object.metadata.finalizers!.filter((name) => name !== finalizer);
  return writeFinalizers(client, resource, object, remaining, options);
};

async function writeFinalizers<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  object: T,
  finalizers: string[],
  options: { fieldManager?: string },
): Promise<T> {
  const resourceVersion = object.metadata.resourceVersion;
  if (resourceVersion === undefined || resourceVersion === "") {
    throw new Error(
      `${resource.kind} ${object.metadata.name ?? "?"} has no resourceVersion to guard the patch with`,
    );
  }
  return client.mergePatch<T>(
    resource,
    { namespace: object.metadata.namespace, name: object.metadata.name! },
    { metadata: { finalizers, resourceVersion } },
    { fieldManager: options.fieldManager },
  );
}
