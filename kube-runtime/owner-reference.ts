// The reference that makes an object owned and controlled by another: garbage-collected with it, and mapped back
// to it by the runtime's owner index.
import type { V1OwnerReference } from "@kubernetes/client-node";
import type { KubeObject } from "./resource.js";

export function controllerReference(owner: KubeObject, apiVersion: string, kind: string): V1OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}
