// PowerContainer: keeps exactly one current Pod (and a Service when ports are declared) while its contract runs,
// replaces the Pod when the spec changes, migrates it off a node that failed (or, RequiredDuringExecution, stopped
// matching) and reports where and how it runs. Retired pods keep their finalizer until the lease controller has
// ended their lease and the metering loop has billed them to their last second.
import {
  CONDITION,
  FIELD_MANAGER,
  LABEL,
  REASON,
  type ComputeContract,
  type PowerContainer,
  type PowerContainerPhase,
  type PowerContainerStatus,
} from "../../crds/types.js";
import { maxMigrations } from "../compute-contract/contract-terms.js";
import { INDEX, type KubePod, type OperatorContext } from "../operator-context.js";
import { POD } from "../../kube-runtime/builtin-resources.js";
import { conditionTime, findCondition, type ConditionUpdate } from "../../kube-runtime/conditions.js";
import type { ReconcileContext, ReconcileResult } from "../../kube-runtime/controller.js";
import { isAlreadyExists } from "../../kube-runtime/kube-api-error.js";
import { writeStatus } from "../../kube-runtime/status.js";
import { POWER_CONTAINER } from "../uranus-resources.js";
import { childName, revisionOf } from "./child-name.js";
import type { MigrationMetrics } from "./migration-metrics.js";
import { judgeRecovery, type Recovery } from "./recovery-sla.js";
import type { BreachKind } from "../chain/breach-recorder.js";
import { judgePlacement } from "./placement-health.js";
import { POD_ANNOTATION, POD_LABEL, type LeaseOutcome } from "./pod-keys.js";
import { podManifest } from "./pod-manifest.js";
import { specHash } from "./spec-hash.js";

/** Contract phases in which replicas run. */
const RUNNING_PHASES = new Set(["Running"]);
/** How long a running pod on a node it should leave waits for its lease to land before it moves anyway. */
const LEASE_WAIT_MS = 10_000;

export function isRetired(pod: KubePod): boolean {
  return (
    pod.metadata.deletionTimestamp !== undefined ||
    pod.metadata.annotations?.[POD_ANNOTATION.retiredAt] !== undefined
  );
}

export function unixSeconds(time: Date): number {
  return Math.floor(time.getTime() / 1000);
}

/** The hash a current pod must carry: the contract template's, or the container's own spec when it has none. */
export function wantedHash(pc: PowerContainer): string {
  return pc.metadata.annotations?.[POD_ANNOTATION.templateHash] ?? specHash(pc.spec);
}

interface Retirement {
  outcome: LeaseOutcome;
  since: Date;
  /** The node failed the replica: the replacement avoids it and a breach is owed. */
  failedNode?: string;
  /** The node's pod must be removed at once, without a grace period. */
  force?: boolean;
  /** An SLA breach is owed by the failed node (default when a node failed). */
  breach?: boolean;
  /** Which breach: availability unless given (migrations once the SLA's maxMigrations were used). */
  breachKind?: BreachKind;
}

export class PowerContainerReconciler {
  constructor(
    private readonly ctx: OperatorContext,
    private readonly metrics: MigrationMetrics,
  ) {}

  async reconcile(key: string, rc: ReconcileContext): Promise<ReconcileResult> {
    const pc = this.ctx.informers.powerContainers.store.get(key);
    if (pc === undefined || pc.metadata.deletionTimestamp !== undefined) return {};
    const namespace = pc.metadata.namespace!;
    const contractName = pc.metadata.labels?.[LABEL.contract];
    const contract =
      contractName === undefined
        ? undefined
        : this.ctx.informers.contracts.store.get(`${namespace}/${contractName}`);
    if (contract === undefined) return {};
    const now = this.ctx.now();
    const generation = pc.metadata.generation;
    const conditions: ConditionUpdate[] = [];
    const status: Partial<PowerContainerStatus> = {};
    const scu = this.ctx.scale.containerScu(pc.spec.size);
    status.scu = scu;

    const pods = this.ctx.informers.pods.store.byIndex(INDEX.byPowerContainer, key);
    const active = pods
      .filter((pod) => !isRetired(pod))
      .sort(
        (a, b) =>
          (revisionOf(b.metadata.name!, pc.metadata.name!) ?? 0) -
          (revisionOf(a.metadata.name!, pc.metadata.name!) ?? 0),
      );
    let current: KubePod | undefined = active[0];
    for (const extra of active.slice(1)) await this.retire(extra, { outcome: "completed", since: now });

    const finished = pc.status?.phase === "Succeeded" || pc.status?.phase === "Failed";
    const contractRuns =
      RUNNING_PHASES.has(contract.status?.phase ?? "") && contract.status?.contractId !== undefined;
    let phase: PowerContainerPhase | undefined = pc.status?.phase;
    let migrated: { reason: string; message: string; since: Date; node: string } | undefined;
    /** The replica used its last migration here: Failed is a fact, as a migration is. */
    let exhausted = false;
    let avoidNow: string | undefined;
    let leaseWait = false;

    if (current !== undefined) {
      const nodeName = current.spec?.nodeName;
      if (!contractRuns || finished) {
        await this.retire(current, { outcome: "completed", since: now });
        current = undefined;
      } else if (current.metadata.annotations?.[POD_ANNOTATION.templateHash] !== wantedHash(pc)) {
        rc.log.info({ pod: current.metadata.name }, "spec changed; replacing the pod");
        this.ctx.runtime.events.record(pc, {
          type: "Normal",
          reason: "Replacing",
          action: "RolloutPod",
          note: `pod ${current.metadata.name} runs an older spec; replacing it`,
        });
        await this.retire(current, { outcome: "completed", since: now });
        current = undefined;
      } else if (current.status?.phase === "Succeeded") {
        await this.retire(current, { outcome: "completed", since: now });
        current = undefined;
        phase = "Succeeded";
      } else if (current.status?.phase === "Failed") {
        await this.retire(current, { outcome: "failed", since: now });
        current = undefined;
      } else if (nodeName === undefined && this.avoided(current).some((node) => this.nodeHealthy(node, pc))) {
        // Waiting while it shuns a node that has recovered: start over without that restriction.
        await this.retire(current, { outcome: "completed", since: now });
        current = undefined;
      } else if (nodeName !== undefined) {
        const node = this.ctx.informers.nodes.store.get(nodeName);
        const contributor = this.ctx.informers.contributorNodes.store.byIndex(INDEX.byNodeName, nodeName)[0];
        const verdict = judgePlacement(nodeName, node, contributor, pc.spec, now);
        if (verdict.failed) {
          const startedAt =
            current.status?.startTime === undefined ? now : new Date(current.status.startTime);
          const since = verdict.since < startedAt ? startedAt : verdict.since;
          const migrations = pc.status?.migrations ?? 0;
          const limit = maxMigrations(contract);
          const force = verdict.reason === "NodeFailed";
          // Its lease may be on chain before the lease controller wrote it down on the pod.
          const ran =
            current.metadata.annotations[POD_ANNOTATION.leaseStart] !== undefined ||
            (await this.ctx.chain.reader.market.lease(current.metadata.uid!)) !== undefined;
          leaseWait =
            !ran &&
            !force &&
            current.status?.phase === "Running" &&
            now.getTime() - startedAt.getTime() < LEASE_WAIT_MS;
          if (!leaseWait) avoidNow = nodeName;
          if (leaseWait) {
            // It runs on a healthy node and its lease is being recorded: move it once that is done, so the
            // lease ends as a migration rather than as a placement that never took.
            rc.log.debug({ pod: current.metadata.name }, "waiting for its lease before moving it");
          } else if (!ran) {
            // Never ran there: a placement that did not take, not a workload the contributor dropped.
            await this.retire(current, {
              outcome: "failed",
              since,
              failedNode: nodeName,
              force,
              breach: false,
            });
          } else if (migrations >= limit) {
            await this.retire(current, {
              outcome: "failed",
              since,
              failedNode: nodeName,
              force,
              breachKind: "migrations",
            });
            phase = "Failed";
            exhausted = true;
            conditions.push({
              type: CONDITION.PowerContainer.Migrating,
              status: "False",
              reason: REASON.Migrating.MigrationLimitReached,
              message: `${verdict.message}; the SLA allows ${limit} migration(s) and all were used`,
              observedGeneration: generation,
            });
            this.ctx.runtime.events.record(pc, {
              type: "Warning",
              reason: "MigrationLimitReached",
              action: "Migrate",
              note: `${verdict.message}; not moving it again (limit ${limit})`,
            });
          } else {
            await this.retire(current, { outcome: "migrated", since, failedNode: nodeName, force });
            migrated = { reason: verdict.reason, message: verdict.message, since, node: nodeName };
            status.migrations = migrations + 1;
            status.lastMigrationTime = conditionTime(since);
            status.lastMigrationNode = nodeName;
            this.metrics.migrations.inc({ reason: verdict.reason });
            this.ctx.runtime.events.record(pc, {
              type: "Warning",
              reason: "Migrating",
              action: "Migrate",
              note: `${verdict.message}; moving the replica to another node`,
            });
          }
          if (!leaseWait) current = undefined;
        }
      }
    }

    const shouldRun = contractRuns && phase !== "Succeeded" && phase !== "Failed";
    if (current === undefined && shouldRun) {
      current = await this.createPod(
        pc,
        contract,
        scu,
        this.ctx.informers.pods.store.byIndex(INDEX.byPowerContainer, key),
        avoidNow,
      );
      rc.log.info({ pod: current.metadata.name }, "pod created");
    }
    const shunning =
      current?.spec?.nodeName === undefined && current !== undefined && this.avoided(current).length > 0;

    const recovered = this.describe(
      pc,
      contract,
      current,
      phase,
      shouldRun,
      migrated,
      status,
      conditions,
      now,
    );
    if (recovered !== undefined) await judgeRecovery(this.ctx, pc, contract, recovered, rc.log);
    // A migration this reconcile made, or the Failed phase of a replica that used its last one, is a fact no later
    // reconcile can recompute (its pod is gone): on a conflict with metering's write it goes onto a fresh read.
    await writeStatus(this.ctx.runtime.client, POWER_CONTAINER, pc, {
      changes: status,
      conditions,
      now,
      fieldManager: FIELD_MANAGER,
      guardResourceVersion: true,
      rebase:
        migrated !== undefined || exhausted
          ? (fresh) =>
              migrated === undefined ? status : { ...status, migrations: (fresh.status?.migrations ?? 0) + 1 }
          : undefined,
    });
    // A pod that waits while avoiding failed nodes is looked at again, in case they recover.
    if (leaseWait) return { requeueAfter: 250 };
    return shunning ? { requeueAfter: 2_000 } : {};
  }

  /** The nodes a pod's affinity excludes by name (the failed nodes it was made to avoid). */
  private avoided(pod: KubePod): string[] {
    const terms =
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    return (terms?.[0]?.matchFields ?? [])
      .filter((field) => field.key === "metadata.name" && field.operator === "NotIn")
      .flatMap((field) => field.values ?? []);
  }

  /** Fills phase, placement and conditions from the current pod. */
  private describe(
    pc: PowerContainer,
    contract: ComputeContract,
    pod: KubePod | undefined,
    stickyPhase: PowerContainerPhase | undefined,
    shouldRun: boolean,
    migrated: { reason: string; message: string } | undefined,
    status: Partial<PowerContainerStatus>,
    conditions: ConditionUpdate[],
    now: Date,
  ): Recovery | undefined {
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
    if (nodeName !== undefined && pc.status?.nodeName !== nodeName) {
      this.ctx.runtime.events.record(pc, {
        type: "Normal",
        reason: "Placed",
        action: "PlacePod",
        note: `pod ${pod!.metadata.name} placed on node ${nodeName}`,
      });
    }
    status.podName = pod?.metadata.name;
    status.podUID = pod?.metadata.uid;
    status.nodeName = nodeName;
    const contributor =
      nodeName === undefined
        ? undefined
        : this.ctx.informers.contributorNodes.store.byIndex(INDEX.byNodeName, nodeName)[0];
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
    } else if (migrating && running) {
      const since = pc.status?.lastMigrationTime;
      // From the failure to the replacement being ready, as the pod reports it (the operator's delays count).
      const readyAt = pod.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime;
      const upAt = readyAt === undefined ? now : new Date(readyAt);
      const seconds = since === undefined ? undefined : (upAt.getTime() - new Date(since).getTime()) / 1000;
      if (seconds !== undefined) {
        this.metrics.recoverySeconds.observe(Math.max(0, seconds));
        recovered = { seconds, podUid: pod.metadata.uid! };
      }
      conditions.push({
        type: CONDITION.PowerContainer.Migrating,
        status: "False",
        reason: REASON.Migrating.MigrationCompleted,
        message: `running again on node ${nodeName}${seconds === undefined ? "" : ` ${seconds.toFixed(1)} s after the failure`}`,
        observedGeneration: generation,
      });
      this.ctx.runtime.events.record(pc, {
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
    return recovered;
  }

  /** Creates the next pod; a name already taken by a live pod means it exists already (no duplicate). */
  private async createPod(
    pc: PowerContainer,
    contract: ComputeContract,
    scu: number,
    pods: KubePod[],
    failedNode: string | undefined,
  ): Promise<KubePod> {
    const pcName = pc.metadata.name!;
    let revision = 0;
    const avoid = new Set<string>();
    if (failedNode !== undefined) avoid.add(failedNode);
    for (const pod of pods) {
      const r = revisionOf(pod.metadata.name!, pcName);
      if (r !== undefined && r >= revision) revision = r + 1;
      // Only nodes that are still unhealthy: a node that recovered may take the replica again.
      const node = pod.metadata.annotations?.[POD_ANNOTATION.avoidNode];
      if (node !== undefined && !this.nodeHealthy(node, pc)) avoid.add(node);
    }
    const replica = Number(pc.metadata.labels?.[POD_LABEL.replica] ?? "0");
    const manifest = podManifest({
      powerContainer: pc,
      contract,
      contractId: contract.status!.contractId!,
      replica,
      podName: childName(pcName, revision),
      scu,
      scale: this.ctx.scale,
      templateHash: wantedHash(pc),
      avoidNodes: [...avoid],
    });
    try {
      const created = await this.ctx.runtime.client.create<KubePod>(POD, manifest as KubePod, {
        fieldManager: FIELD_MANAGER,
      });
      this.ctx.runtime.events.record(pc, {
        type: "Normal",
        reason: "PodCreated",
        action: "CreatePod",
        note: `created pod ${created.metadata.name}${avoid.size > 0 ? ` avoiding ${[...avoid].sort().join(", ")}` : ""}`,
      });
      return created;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      return this.ctx.runtime.client.get<KubePod>(POD, {
        namespace: pc.metadata.namespace,
        name: manifest.metadata!.name!,
      });
    }
  }

  private nodeHealthy(nodeName: string, pc: PowerContainer): boolean {
    const node = this.ctx.informers.nodes.store.get(nodeName);
    const contributor = this.ctx.informers.contributorNodes.store.byIndex(INDEX.byNodeName, nodeName)[0];
    return !judgePlacement(nodeName, node, contributor, pc.spec, this.ctx.now()).failed;
  }

  /**
   * Marks the pod retired at `since` (guarded by its resourceVersion, so a stale cache cannot move the moment),
   * then deletes it; its finalizer keeps it until its lease is ended and billed.
   */
  async retire(pod: KubePod, retirement: Retirement): Promise<void> {
    const annotations: Record<string, string> = {
      [POD_ANNOTATION.retiredAt]: String(unixSeconds(retirement.since)),
      [POD_ANNOTATION.outcome]: retirement.outcome,
    };
    if (retirement.failedNode !== undefined) {
      annotations[POD_ANNOTATION.avoidNode] = retirement.failedNode;
      if (retirement.breach !== false) {
        annotations[POD_ANNOTATION.breachNode] = retirement.failedNode;
        if (retirement.breachKind !== undefined)
          annotations[POD_ANNOTATION.breachKind] = retirement.breachKind;
      }
    }
    const name = { namespace: pod.metadata.namespace, name: pod.metadata.name! };
    await this.ctx.runtime.client.mergePatch(
      POD,
      name,
      { metadata: { annotations, resourceVersion: pod.metadata.resourceVersion } },
      { fieldManager: FIELD_MANAGER },
    );
    await this.ctx.runtime.client.delete(
      POD,
      name,
      retirement.force === true ? { gracePeriodSeconds: 0 } : {},
    );
  }
}
