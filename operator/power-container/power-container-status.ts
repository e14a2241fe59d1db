// A PowerContainer's status from its current pod: phase, placement, and the Scheduled, Ready and Migrating
// conditions; a completed migration yields the recovery time the SLA judges.
import {
  CONDITION,
  REASON,
  type ComputeContract,
  type PowerContainer,
  type PowerContainerPhase,
  type PowerContainerStatus,
} from "../../crds/types.js";
import { conditionTime, findCondition, type ConditionUpdate } from "../../kube-runtime/conditions.js";
import { INDEX, type KubePod, type OperatorContext } from "../operator-context.js";
import { POD_ANNOTATION } from "./pod-keys.js";
import type { Recovery } from "./recovery-sla.js";

/** What a PowerContainer's status is made from in one reconcile. */
export interface ReplicaFacts {
  pc: PowerContainer;
  contract: ComputeContract;
  /** The current pod, if any. */
  pod: KubePod | undefined;
  /** Succeeded or Failed once reached; they are never left. */
  stickyPhase: PowerContainerPhase | undefined;
  shouldRun: boolean;
  /** Set when this reconcile moved the replica off its node. */
  migrated: { reason: string; message: string } | undefined;
  now: Date;
}

export interface ReplicaDescription {
  status: Partial<PowerContainerStatus>;
  conditions: ConditionUpdate[];
  /** A completed migration's recovery, for the SLA. */
  recovered: Recovery | undefined;
}

/** Phase, placement and conditions from the current pod. */
export function describeReplica(ctx: OperatorContext, facts: ReplicaFacts): ReplicaDescription {
  const { pc, contract, pod, stickyPhase, shouldRun, migrated, now } = facts;
  const status: Partial<PowerContainerStatus> = {};
  const conditions: ConditionUpdate[] = [];
  let recovered: Recovery | undefined;
  const generation = pc.metadata.generation;
  const nodeName = pod?.spec?.nodeName;
  const running =
    pod?.status?.phase === "Running" &&
    (pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false);
  const migrating =
    migrated !== undefined ||
    findCondition(pc.status?.conditions, CONDITION.PowerContainer.Migrating)?.status === "True";
  let phase: PowerContainerPhase;
  if (stickyPhase === "Succeeded" || stickyPhase === "Failed") phase = stickyPhase;
  else if (!shouldRun || pod === undefined) phase = "Pending";
  else if (running) phase = "Running";
  else if (migrating) phase = "Migrating";
  else if (nodeName !== undefined) phase = "Scheduled";
  else phase = "Pending";
  status.phase = phase;
  status.podName = pod?.metadata.name;
  status.podUID = pod?.metadata.uid;
  status.nodeName = nodeName;
  const contributor =
    nodeName === undefined
      ? undefined
      : ctx.informers.contributorNodes.store.byIndex(INDEX.byNodeName, nodeName)[0];
  status.contributorNode = contributor?.metadata.name;
  status.contributor = contributor?.spec.owner.toLowerCase();
  status.startTime =
    pod?.status?.startTime === undefined ? undefined : conditionTime(new Date(pod.status.startTime));

  if (migrated !== undefined) {
    conditions.push({
      type: CONDITION.PowerContainer.Migrating,
      status: "True",
      reason: migrated.reason,
      message: migrated.message,
      observedGeneration: generation,
    });
  } else if (migrating && running && pod.metadata.annotations?.[POD_ANNOTATION.leaseStart] !== undefined) {
    // Complete once the replacement's lease is on chain too: the recovery breach names that leased pod.
    const since = pc.status?.lastMigrationTime;
    // From the failure to the replacement being ready, as the pod reports it (the operator's delays count).
    const readyAt = pod.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime;
    const upAt = readyAt === undefined ? now : new Date(readyAt);
    const seconds = since === undefined ? undefined : (upAt.getTime() - new Date(since).getTime()) / 1000;
    if (seconds !== undefined) recovered = { seconds, podUid: pod.metadata.uid! };
    conditions.push({
      type: CONDITION.PowerContainer.Migrating,
      status: "False",
      reason: REASON.Migrating.MigrationCompleted,
      message: `running again on node ${nodeName}${seconds === undefined ? "" : ` ${seconds.toFixed(1)} s after the failure`}`,
      observedGeneration: generation,
    });
    ctx.runtime.events.record(pc, {
      type: "Normal",
      reason: "Migrated",
      action: "Migrate",
      note: `pod ${pod.metadata.name} runs on node ${nodeName}${seconds === undefined ? "" : `, ${seconds.toFixed(1)} s after the failure`}`,
    });
  }

  const unschedulable = pod?.status?.conditions?.find(
    (c) => c.type === "PodScheduled" && c.status === "False",
  );
  conditions.push(
    nodeName !== undefined
      ? {
          type: CONDITION.PowerContainer.Scheduled,
          status: "True",
          reason: REASON.Scheduled.PodScheduled,
          message: `pod ${pod!.metadata.name} is on node ${nodeName}`,
          observedGeneration: generation,
        }
      : unschedulable?.reason === "Unschedulable"
        ? {
            type: CONDITION.PowerContainer.Scheduled,
            status: "False",
            reason: REASON.Scheduled.NoEligibleNode,
            message: unschedulable.message ?? "no node can take the pod",
            observedGeneration: generation,
          }
        : {
            type: CONDITION.PowerContainer.Scheduled,
            status: "False",
            reason: REASON.Scheduled.PodPending,
            message: pod === undefined ? "no pod yet" : `pod ${pod.metadata.name} waits for a node`,
            observedGeneration: generation,
          },
  );
  const ready: Omit<ConditionUpdate, "type"> =
    phase === "Succeeded"
      ? { status: "False", reason: REASON.Ready.PodSucceeded, message: "the container completed" }
      : phase === "Failed"
        ? {
            status: "False",
            reason: REASON.Ready.PodFailed,
            message: "the replica failed and is not restarted",
          }
        : !shouldRun
          ? {
              status: "False",
              reason: REASON.Ready.ContractPaused,
              message: `contract ${contract.metadata.name} is ${contract.status?.phase ?? "not open yet"}`,
            }
          : running
            ? {
                status: "True",
                reason: REASON.Ready.PodRunning,
                message: `pod ${pod.metadata.name} is running`,
              }
            : { status: "False", reason: REASON.Ready.PodNotReady, message: "the pod is not running yet" };
  conditions.push({ ...ready, type: CONDITION.PowerContainer.Ready, observedGeneration: generation });
  return { status, conditions, recovered };
}
