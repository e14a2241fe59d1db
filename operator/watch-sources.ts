// Typed helpers for the controllers' watches: a source keeps its own object type where it is written, and the
// predicates several controllers share.
import type { ContributorNode } from "../crds/types.js";
import type { OwnedSource, WatchSource } from "../kube-runtime/controller.js";
import type { KubeObject } from "../kube-runtime/resource.js";
import type { KubeNode } from "./operator-context.js";

export function watching<S extends KubeObject>(source: WatchSource<S>): WatchSource {
  return source as unknown as WatchSource;
}

export function owning<S extends KubeObject>(source: OwnedSource<S>): OwnedSource {
  return source as unknown as OwnedSource;
}

function readyStatus(object: { status?: { conditions?: { type: string; status: string }[] } }): string {
  return object.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "";
}

/** A Node change that can move placement: readiness, labels or allocatable resources. */
export function nodeChanged(previous: KubeNode, current: KubeNode): boolean {
  return (
    readyStatus(previous) !== readyStatus(current) ||
    JSON.stringify(previous.metadata.labels ?? {}) !== JSON.stringify(current.metadata.labels ?? {}) ||
    JSON.stringify(previous.status?.allocatable ?? {}) !== JSON.stringify(current.status?.allocatable ?? {})
  );
}

export function onlineStatus(cn: ContributorNode): string {
  const online = cn.status?.conditions?.find((c) => c.type === "Online");
  return `${online?.status ?? ""}/${online?.reason ?? ""}`;
}
