// PowerContainer: keeps exactly one current Pod while its contract runs, replaces the Pod when the spec changes,
// migrates it off a node that failed (or, RequiredDuringExecution, stopped matching) and reports where and how it
// runs. What becomes of the current pod is decided in pod-decision.ts; retired pods keep their finalizer until pod
// billing has ended their lease and the metering loop has billed them to their last second.
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
import { condition, conditionTime, type ConditionUpdate } from "../../kube-runtime/conditions.js";
import type { ReconcileContext, ReconcileResult } from "../../kube-runtime/controller.js";
import { isAlreadyExists } from "../../kube-runtime/kube-api-error.js";
import { writeStatus } from "../../kube-runtime/status.js";
import { POWER_CONTAINER } from "../uranus-resources.js";
import { childName, revisionOf } from "./child-name.js";
import type { MigrationMetrics } from "./migration-metrics.js";
import { judgeRecovery } from "./recovery-sla.js";
import { judgePlacement, type PlacementVerdict } from "./placement-health.js";
import { POD_ANNOTATION, POD_LABEL } from "./pod-keys.js";
import { decidePod, type FailedPlacement } from "./pod-decision.js";
import { podManifest } from "./pod-manifest.js";
import { describeReplica } from "./power-container-status.js";
import { isRetired, retirePod } from "./pod-retirement.js";
import { contractRejectedNodes, rejectedNodes } from "./rejected-nodes.js";
import { specHash } from "./spec-hash.js";

/** Contract phases in which replicas run. */
const RUNNING_PHASES = new Set(["Running"]);

/** The hash a current pod must carry: the contract template's, or the container's own spec when it has none. */
export function wantedHash(pc: PowerContainer): string {
  return pc.metadata.annotations?.[POD_ANNOTATION.templateHash] ?? specHash(pc.spec);
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
    for (const extra of active.slice(1))
      await retirePod(this.ctx.runtime.client, extra, { outcome: "completed", since: now });

    // A replica made in the same pass that opened its contract: the contract's status, written next, brings it back.
    if (current === undefined && pc.status === undefined && contract.status?.contractId === undefined)
      return {};
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
      const pod: KubePod = current;
      const limit = maxMigrations(contract);
      const refused = rejectedNodes(pc, now);
      const nodeName = pod.spec?.nodeName;
      const failedPlacement =
        nodeName === undefined ? undefined : this.failedPlacement(pod, nodeName, pc, now);
      const decision = decidePod({
        contractRuns,
        finished,
        specCurrent: pod.metadata.annotations?.[POD_ANNOTATION.templateHash] === wantedHash(pc),
        podPhase: pod.status?.phase,
        nodeName,
        shunsRecoveredNode:
          nodeName === undefined &&
          this.avoided(pod).some((node) => this.nodeHealthy(node, pc) && !refused.includes(node)),
        failedPlacement,
        // Its lease may be on chain before the lease controller wrote it down on the pod.
        ran:
          failedPlacement !== undefined &&
          (pod.metadata.annotations?.[POD_ANNOTATION.leaseStart] !== undefined ||
            (await this.ctx.chain.reader.market.lease(pod.metadata.uid!)) !== undefined),
        runningForMs: now.getTime() - this.startedAt(pod, now).getTime(),
        migrations: pc.status?.migrations ?? 0,
        maxMigrations: limit,
      });
      switch (decision.action) {
        case "keep":
          break;
        case "waitForLease":
          leaseWait = true;
          rc.log.debug({ pod: pod.metadata.name }, "waiting for its lease before moving it");
          break;
        case "retire":
          if (decision.replaced) {
            rc.log.info({ pod: pod.metadata.name }, "spec changed; replacing the pod");
            this.ctx.runtime.events.record(pc, {
              type: "Normal",
              reason: "Replacing",
              action: "RolloutPod",
              note: `pod ${pod.metadata.name} runs an older spec; replacing it`,
            });
          }
          await retirePod(this.ctx.runtime.client, pod, { outcome: decision.outcome, since: now });
          if (decision.succeeded) phase = "Succeeded";
          current = undefined;
          break;
        case "abandonPlacement":
        case "exhausted":
        case "migrate": {
          const failed = failedPlacement!;
          const failedNode = nodeName!;
          avoidNow = failedNode;
          current = undefined;
          const retirement = { since: failed.since, failedNode, force: decision.force };
          if (decision.action === "abandonPlacement") {
            await retirePod(this.ctx.runtime.client, pod, {
              ...retirement,
              outcome: "failed",
              breach: false,
            });
          } else if (decision.action === "exhausted") {
            await retirePod(this.ctx.runtime.client, pod, {
              ...retirement,
              outcome: "failed",
              breachKind: "migrations",
            });
            phase = "Failed";
            exhausted = true;
            conditions.push(
              condition(
                CONDITION.PowerContainer.Migrating,
                "False",
                REASON.Migrating.MigrationLimitReached,
                `${failed.message}; the SLA allows ${limit} migration(s) and all were used`,
                generation,
              ),
            );
            this.ctx.runtime.events.record(pc, {
              type: "Warning",
              reason: "MigrationLimitReached",
              action: "Migrate",
              note: `${failed.message}; not moving it again (limit ${limit})`,
            });
          } else {
            await retirePod(this.ctx.runtime.client, pod, { ...retirement, outcome: "migrated" });
            migrated = {
              reason: failed.reason,
              message: failed.message,
              since: failed.since,
              node: failedNode,
            };
            status.migrations = (pc.status?.migrations ?? 0) + 1;
            status.lastMigrationTime = conditionTime(failed.since);
            status.lastMigrationNode = failedNode;
            this.metrics.migrations.inc({ reason: failed.reason });
            this.ctx.runtime.events.record(pc, {
              type: "Warning",
              reason: "Migrating",
              action: "Migrate",
              note: `${failed.message}; moving the replica to another node`,
            });
          }
          break;
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
      // The new pod's own event brings this replica back: its status is written then, with the pod's placement.
      if (migrated === undefined && !exhausted && pc.status?.phase === undefined) return {};
    }
    const shunning =
      current?.spec?.nodeName === undefined && current !== undefined && this.avoided(current).length > 0;

    const described = describeReplica(this.ctx, {
      pc,
      contract,
      pod: current,
      stickyPhase: phase,
      shouldRun,
      migrated,
      now,
    });
    Object.assign(status, described.status);
    conditions.push(...described.conditions);
    const recovered = described.recovered;
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
    // Counted once the status that ends the migration is written: a reconcile on a stale read fails that write.
    if (recovered !== undefined) this.metrics.recoverySeconds.observe(Math.max(0, recovered.seconds));
    // A pod that waits while avoiding failed nodes is looked at again, in case they recover.
    if (leaseWait) return { requeueAfter: 250 };
    return shunning ? { requeueAfter: 2_000 } : {};
  }

  private startedAt(pod: KubePod, now: Date): Date {
    return pod.status?.startTime === undefined ? now : new Date(pod.status.startTime);
  }

  /** Why the node the pod runs on fails it, or undefined when it does not. */
  private failedPlacement(
    pod: KubePod,
    nodeName: string,
    pc: PowerContainer,
    now: Date,
  ): FailedPlacement | undefined {
    const verdict = this.placementVerdict(nodeName, pc, now);
    if (!verdict.failed) return undefined;
    const startedAt = this.startedAt(pod, now);
    return {
      reason: verdict.reason,
      message: verdict.message,
      since: verdict.since < startedAt ? startedAt : verdict.since,
    };
  }

  /** The nodes a pod's affinity excludes by name (the failed nodes it was made to avoid). */
  private avoided(pod: KubePod): string[] {
    const terms =
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    return (terms?.[0]?.matchFields ?? [])
      .filter((field) => field.key === "metadata.name" && field.operator === "NotIn")
      .flatMap((field) => field.values ?? []);
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
    // Its own refusals (this copy may be newer than the informer's) and its sibling replicas'.
    const siblings = this.ctx.informers.powerContainers.store.byIndex(
      INDEX.byContract,
      `${contract.metadata.namespace}/${contract.metadata.name}`,
    );
    for (const node of contractRejectedNodes([pc, ...siblings], this.ctx.now())) avoid.add(node);
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
      // A first pod is told by its lease event; a replacement says which nodes it avoids.
      if (avoid.size > 0)
        this.ctx.runtime.events.record(pc, {
          type: "Normal",
          reason: "PodCreated",
          action: "CreatePod",
          note: `created pod ${created.metadata.name} avoiding ${[...avoid].sort().join(", ")}`,
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
    return !this.placementVerdict(nodeName, pc, this.ctx.now()).failed;
  }

  /** judgePlacement over the cached Node and its ContributorNode. */
  private placementVerdict(nodeName: string, pc: PowerContainer, now: Date): PlacementVerdict {
    const node = this.ctx.informers.nodes.store.get(nodeName);
    const contributor = this.ctx.informers.contributorNodes.store.byIndex(INDEX.byNodeName, nodeName)[0];
    return judgePlacement(nodeName, node, contributor, pc.spec, now);
  }
}
