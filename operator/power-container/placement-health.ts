// Whether the node under a running PowerContainer still deserves it: Ready, its contributor online and unjailed,
// and (RequiredDuringExecution) still matching the required node affinity. A failure carries its moment, the
// second billing stops at.
import type { V1Node } from "@kubernetes/client-node";
import { CONDITION, REASON, type ContributorNode, type PowerContainerSpec } from "../../crds/types.js";
import { nodeMatchesSelector } from "./node-selector-match.js";

export type PlacementVerdict =
  | { failed: false }
  | {
      failed: true;
      reason: typeof REASON.Migrating.NodeFailed | typeof REASON.Migrating.NodeNoLongerMatches;
      /** When the failure began (for billing); never in the future. */
      since: Date;
      message: string;
    };

function timeOr(value: string | Date | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) || time > fallback ? fallback : time;
}

export function judgePlacement(
  nodeName: string,
  node: V1Node | undefined,
  contributor: ContributorNode | undefined,
  spec: PowerContainerSpec,
  now: Date,
): PlacementVerdict {
  if (node === undefined) {
    return { failed: true, reason: "NodeFailed", since: now, message: `node ${nodeName} is gone` };
  }
  const ready = node.status?.conditions?.find((condition) => condition.type === "Ready");
  if (ready?.status !== "True") {
    return {
      failed: true,
      reason: "NodeFailed",
      since: timeOr(ready?.lastTransitionTime, now),
      message: `node ${nodeName} is not Ready (${ready?.reason ?? ready?.status ?? "no Ready condition"})`,
    };
  }
  const online = contributor?.status?.conditions?.find(
    (condition) => condition.type === CONDITION.ContributorNode.Online,
  );
  if (online?.status === "False") {
    const jailed = online.reason === REASON.Online.Jailed;
    return {
      failed: true,
      reason: "NodeFailed",
      since: timeOr(online.lastTransitionTime, now),
      message: `contributor ${contributor!.spec.owner} of node ${nodeName} is ${jailed ? "jailed" : "offline"}: ${online.message}`,
    };
  }
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (spec.executionPolicy === "RequiredDuringExecution" && !nodeMatchesSelector(required, node)) {
    return {
      failed: true,
      reason: "NodeNoLongerMatches",
      since: now,
      message: `node ${nodeName} no longer matches the required node affinity`,
    };
  }
  return { failed: false };
}
