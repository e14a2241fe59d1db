// The chain side of each PowerContainer pod: records its lease once it runs on a node, and when it is retired ends
// the lease at the retirement moment, records the SLA breach it is owed, waits until metering has billed it to
// its last second, and only then lets the pod go (its finalizer).
import type { Wallet } from "ethers";
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import { EndLeaseMsg, RecordLeaseMsg } from "../../chain-sidecar/modules/market/market-types.js";
import { ResultCode } from "../../chain-sidecar/tx/tx-types.js";
import { FIELD_MANAGER, LABEL, type PowerContainer } from "../../crds/types.js";
import type { Lease } from "../../chain-sidecar/modules/market/market-types.js";
import type { KubePod, OperatorContext } from "../operator-context.js";
import { isRetired, unixSeconds } from "../power-container/pod-retirement.js";
import { rememberRejection } from "../power-container/rejected-nodes.js";
import {
  METERING_FINALIZER,
  POD_ANNOTATION,
  POD_LABEL,
  type LeaseOutcome,
} from "../power-container/pod-keys.js";
import { POD } from "../../kube-runtime/builtin-resources.js";
import type { ReconcileContext, ReconcileResult } from "../../kube-runtime/controller.js";
import { recordBreach, type BreachKind } from "../chain/breach-recorder.js";
import { hasFinalizer, removeFinalizer } from "../../kube-runtime/finalizers.js";
import { isNotFound } from "../../kube-runtime/kube-api-error.js";

/** What the lease controller needs from metering: bill now rather than at the next interval. */
export interface BillingTrigger {
  requestFlush(): void;
}

/** Leases start or end this long before the block time at most; keep clear of the edge. */
const BACKDATE_MARGIN_SECONDS = 5;

export class PodBillingReconciler {
  constructor(
    private readonly ctx: OperatorContext,
    private readonly billing: BillingTrigger,
  ) {}

  async reconcile(key: string, rc: ReconcileContext): Promise<ReconcileResult> {
    const pod = this.ctx.informers.pods.store.get(key);
    if (pod === undefined || !hasFinalizer(pod, METERING_FINALIZER)) return {};
    if (pod.metadata.annotations?.[POD_ANNOTATION.contractId] === undefined) return this.release(pod);
    if (!isRetired(pod)) return this.recordLease(pod, rc);
    return this.settle(pod, rc);
  }

  private powerContainer(pod: KubePod): PowerContainer | undefined {
    const name = pod.metadata.labels?.[LABEL.powerContainer];
    return name === undefined
      ? undefined
      : this.ctx.informers.powerContainers.store.get(`${pod.metadata.namespace}/${name}`);
  }

  private note(pod: KubePod, type: "Normal" | "Warning", reason: string, action: string, note: string): void {
    const pc = this.powerContainer(pod);
    this.ctx.runtime.events.record(pc ?? pod, { type, reason, action, note });
  }

  private operatorWallet(): Promise<Wallet> {
    return this.ctx.chain.keys.operatorWallet();
  }

  private earliestAllowed(now: Date): number {
    return unixSeconds(now) - this.ctx.params.market.leaseBackdateSeconds + BACKDATE_MARGIN_SECONDS;
  }

  private async annotate(pod: KubePod, annotations: Record<string, string>): Promise<KubePod> {
    return this.ctx.runtime.client.mergePatch<KubePod>(
      POD,
      { namespace: pod.metadata.namespace, name: pod.metadata.name! },
      { metadata: { annotations } },
      { fieldManager: FIELD_MANAGER },
    );
  }

  private leaseAnnotations(lease: Lease): Record<string, string> {
    return {
      [POD_ANNOTATION.leaseStart]: String(lease.startedAt),
      [POD_ANNOTATION.contributor]: lease.contributor,
      [POD_ANNOTATION.leaseNode]: lease.nodeId,
    };
  }

  private async recordLease(pod: KubePod, rc: ReconcileContext): Promise<ReconcileResult> {
    const annotations = pod.metadata.annotations ?? {};
    if (annotations[POD_ANNOTATION.leaseStart] !== undefined) return {};
    const nodeName = pod.spec?.nodeName;
    if (nodeName === undefined || pod.status?.phase !== "Running") return {};
    const contractName = pod.metadata.labels?.[LABEL.contract];
    const contract = this.ctx.informers.contracts.store.get(`${pod.metadata.namespace}/${contractName}`);
    if (contract?.status?.phase !== "Running") return {};
    const contractId = annotations[POD_ANNOTATION.contractId]!;
    const podUid = pod.metadata.uid!;
    const { chain } = this.ctx;
    let lease = await chain.reader.market.lease(podUid);
    if (lease === undefined) {
      const onChain = await chain.reader.market.contract(contractId);
      if (onChain === undefined || onChain.state !== "open")
        return { requeueAfter: this.ctx.settings.contractPollMs };
      const now = this.ctx.now();
      const started = pod.status.startTime === undefined ? now : new Date(pod.status.startTime);
      const startedAt = Math.max(unixSeconds(started), this.earliestAllowed(now), onChain.openedAt);
      try {
        const included = await chain.submitter.submit(await this.operatorWallet(), RecordLeaseMsg, {
          contractId,
          replica: BigInt(pod.metadata.labels?.[POD_LABEL.replica] ?? "0"),
          nodeId: nodeName,
          podUid,
          startedAt: BigInt(startedAt),
        });
        rc.log.info({ pod: pod.metadata.name, node: nodeName, height: included.height }, "lease recorded");
      } catch (error) {
        if (!(error instanceof ChainTxError)) throw error;
        if (error.code === ResultCode.ALREADY_EXISTS && error.log.includes("RecordLease.replica")) {
          // The replica's previous pod still holds its lease; the lease controller of that pod ends it.
          return { requeueAfter: 500 };
        }
        if (error.code === ResultCode.PLACEMENT_REJECTED) {
          this.note(
            pod,
            "Warning",
            "PlacementRejected",
            "RecordLease",
            `${error.log}; moving the pod elsewhere`,
          );
          // Remembered before the pod goes, so that its replacement is made to avoid the node.
          const pc = this.ctx.informers.powerContainers.store.get(
            `${pod.metadata.namespace}/${pod.metadata.labels?.[LABEL.powerContainer]}`,
          );
          if (pc !== undefined)
            await rememberRejection(this.ctx.runtime.client, pc, nodeName, error.log, now);
          await this.annotate(pod, {
            [POD_ANNOTATION.retiredAt]: String(unixSeconds(now)),
            [POD_ANNOTATION.outcome]: "failed",
            [POD_ANNOTATION.avoidNode]: nodeName,
          });
          await this.ctx.runtime.client.delete(POD, {
            namespace: pod.metadata.namespace,
            name: pod.metadata.name!,
          });
          return {};
        }
        // DUPLICATE: an earlier attempt recorded it; the lease is read below.
        if (error.code !== ResultCode.DUPLICATE) {
          this.note(
            pod,
            "Warning",
            "LeaseFailed",
            "RecordLease",
            `recording the lease failed: ${error.codeName}: ${error.log}`,
          );
          throw error;
        }
      }
      lease = await chain.reader.market.lease(podUid);
      if (lease === undefined)
        throw new Error(`the lease of pod ${podUid} is not on chain after recording it`);
    }
    await this.annotate(pod, this.leaseAnnotations(lease));
    this.note(
      pod,
      "Normal",
      "LeaseRecorded",
      "RecordLease",
      `lease of pod ${pod.metadata.name} on node ${lease.nodeId} recorded on chain from ${lease.startedAt} at ${lease.pricePerScuHour} per SCU-hour`,
    );
    return {};
  }

  private async settle(cached: KubePod, rc: ReconcileContext): Promise<ReconcileResult> {
    const { chain } = this.ctx;
    let pod: KubePod;
    try {
      // Fresh: what an earlier attempt annotated (lease end, breach) must be seen.
      pod = await this.ctx.runtime.client.get<KubePod>(POD, {
        namespace: cached.metadata.namespace,
        name: cached.metadata.name!,
      });
    } catch (error) {
      if (isNotFound(error)) return {};
      throw error;
    }
    if (pod.metadata.uid !== cached.metadata.uid || !hasFinalizer(pod, METERING_FINALIZER)) return {};
    const name = { namespace: pod.metadata.namespace, name: pod.metadata.name! };
    const grace = this.ctx.settings.podGracePeriodSeconds;
    if (pod.metadata.deletionTimestamp === undefined)
      await this.ctx.runtime.client.delete(
        POD,
        name,
        grace === undefined ? {} : { gracePeriodSeconds: grace },
      );
    let annotations = pod.metadata.annotations ?? {};
    const podUid = pod.metadata.uid!;
    const contractId = annotations[POD_ANNOTATION.contractId]!;
    const now = this.ctx.now();

    if (annotations[POD_ANNOTATION.leaseStart] === undefined) {
      // Recorded by a run that stopped before writing it down?
      const lease = await chain.reader.market.lease(podUid);
      if (lease === undefined) return this.release(pod);
      pod = await this.annotate(pod, this.leaseAnnotations(lease));
      annotations = pod.metadata.annotations ?? {};
    }
    const retiredAt =
      annotations[POD_ANNOTATION.retiredAt] !== undefined
        ? Number(annotations[POD_ANNOTATION.retiredAt])
        : unixSeconds(new Date(pod.metadata.deletionTimestamp!)) -
          (pod.metadata.deletionGracePeriodSeconds ?? 0);

    if (annotations[POD_ANNOTATION.leaseEndedAt] === undefined) {
      let lease = await chain.reader.market.lease(podUid);
      if (lease === undefined) return this.release(pod);
      if (lease.endedAt === 0) {
        const billedTo = (await chain.reader.metering.settlement(podUid))?.billedTo ?? 0;
        const endedAt = Math.max(retiredAt, lease.startedAt, billedTo, this.earliestAllowed(now));
        const outcome = (annotations[POD_ANNOTATION.outcome] ?? "completed") as LeaseOutcome;
        try {
          await chain.submitter.submit(await this.operatorWallet(), EndLeaseMsg, {
            contractId,
            podUid,
            endedAt: BigInt(endedAt),
            outcome,
          });
        } catch (error) {
          if (!(error instanceof ChainTxError && error.code === ResultCode.WRONG_STATE)) throw error;
        }
        lease = await chain.reader.market.lease(podUid);
        if (lease === undefined || lease.endedAt === 0)
          throw new Error(`the lease of pod ${podUid} did not end`);
        this.note(
          pod,
          "Normal",
          "LeaseEnded",
          "EndLease",
          `lease of pod ${pod.metadata.name} ended on chain at ${lease.endedAt} (${lease.outcome})`,
        );
      }
      pod = await this.annotate(pod, { [POD_ANNOTATION.leaseEndedAt]: String(lease.endedAt) });
      annotations = pod.metadata.annotations ?? {};
    }

    const breachNode = annotations[POD_ANNOTATION.breachNode];
    if (breachNode !== undefined && annotations[POD_ANNOTATION.breachRecorded] === undefined) {
      pod = await this.recordBreach(pod, breachNode, retiredAt, now, rc);
      annotations = pod.metadata.annotations ?? {};
    }

    const leaseEndedAt = Number(annotations[POD_ANNOTATION.leaseEndedAt]);
    const contract = await chain.reader.market.contract(contractId);
    if (contract !== undefined && contract.state !== "closed") {
      const leaseStart = Number(annotations[POD_ANNOTATION.leaseStart]);
      const billedTo = (await chain.reader.metering.settlement(podUid))?.billedTo ?? leaseStart;
      if (billedTo < leaseEndedAt) {
        this.billing.requestFlush();
        return { requeueAfter: 1000 };
      }
    }
    return this.release(pod);
  }

  private async recordBreach(
    pod: KubePod,
    nodeId: string,
    retiredAt: number,
    now: Date,
    rc: ReconcileContext,
  ): Promise<KubePod> {
    const kind = (pod.metadata.annotations?.[POD_ANNOTATION.breachKind] ?? "availability") as BreachKind;
    const outcome = await recordBreach(this.ctx.chain, {
      contractId: pod.metadata.annotations![POD_ANNOTATION.contractId]!,
      replica: Number(pod.metadata.labels?.[POD_LABEL.replica] ?? "0"),
      nodeId,
      podUid: pod.metadata.uid!,
      kind,
      seconds: unixSeconds(now) - retiredAt,
    });
    if (outcome === "recorded")
      this.note(
        pod,
        "Normal",
        "BreachRecorded",
        "RecordBreach",
        `SLA ${kind} breach by node ${nodeId} recorded on chain`,
      );
    else if (outcome === "repeat")
      rc.log.info({ node: nodeId }, "the breach was already recorded by an earlier attempt");
    else rc.log.info({ node: nodeId }, "no breach recorded: the node never held a lease of the contract");
    return this.annotate(pod, {
      [POD_ANNOTATION.breachRecorded]: outcome === "not-served" ? "not-served" : "recorded",
    });
  }

  private async release(pod: KubePod): Promise<ReconcileResult> {
    try {
      await removeFinalizer(this.ctx.runtime.client, POD, pod, METERING_FINALIZER, {
        fieldManager: FIELD_MANAGER,
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return {};
  }
}
