// ComputeContract: opens the contract on chain from the payer's key (or adopts a funded escrow), keeps one
// PowerContainer per replica slot (rolling template changes one at a time), follows the escrow (pausing when it
// runs low, resuming on top-up) and, on delete, removes the replicas, waits for their final bills, closes the
// contract (refunding the rest) and only then lets the object go. Each concern lives in its own file here.
import type { Contract } from "../../chain-sidecar/modules/market/market-types.js";
import {
  CONDITION,
  FIELD_MANAGER,
  FINALIZER,
  LABEL,
  REASON,
  type ComputeContract,
  type ComputeContractPhase,
  type ComputeContractStatus,
} from "../../crds/types.js";
import { isConditionTrue } from "../../kube-runtime/conditions.js";
import type { ReconcileContext, ReconcileResult } from "../../kube-runtime/controller.js";
import { addFinalizer, isBeingDeleted } from "../../kube-runtime/finalizers.js";
import type { ObjectKey } from "../../kube-runtime/resource.js";
import type { SettlementBook } from "../metering/settlement-book.js";
import type { OperatorContext } from "../operator-context.js";
import { COMPUTE_CONTRACT } from "../uranus-resources.js";
import { ContractCloser } from "./contract-closer.js";
import { Blocked, ContractOpener, OpeningPending } from "./contract-opener.js";
import { ContractResizer } from "./contract-resizer.js";
import { ContractServices } from "./contract-service.js";
import {
  fundedCondition,
  openedCondition,
  PHASE_OF_STATE,
  readyCondition,
  writeContractStatus,
} from "./contract-status.js";
import { desiredReplicas } from "./contract-terms.js";
import { ReplicaSlots } from "./replica-slots.js";
import { RemoteEndpoints } from "./remote-endpoints.js";
import { RemoteMirror } from "./remote-mirror.js";
import { isRemote } from "./remote-placement.js";

/** When no word of the opening's block came (a lost transaction, say), the contract is looked at again this soon. */
const OPENING_RECHECK_MS = 2_000;
/** A contract another cluster runs is mirrored at least this often. */
const REMOTE_POLL_MS = 1_000;

export class ComputeContractReconciler {
  private readonly services: ContractServices;
  private readonly resizer: ContractResizer;
  private readonly opener: ContractOpener;
  private readonly slots: ReplicaSlots;
  private readonly closer: ContractCloser;
  private readonly remote: RemoteMirror;
  private readonly endpoints: RemoteEndpoints;

  constructor(
    private readonly ctx: OperatorContext,
    private readonly book: SettlementBook,
    /** Reconciles a contract again now: the block holding its opening was committed. */
    wake: (key: ObjectKey) => void,
  ) {
    this.services = new ContractServices(ctx.runtime.client, FIELD_MANAGER);
    this.resizer = new ContractResizer(ctx.chain, wake);
    this.opener = new ContractOpener(ctx, wake);
    this.slots = new ReplicaSlots(ctx);
    this.closer = new ContractCloser(ctx, this.opener);
    this.endpoints = new RemoteEndpoints(ctx.runtime.client, FIELD_MANAGER);
    this.remote = new RemoteMirror(ctx, this.resizer, this.endpoints);
  }

  async reconcile(key: string, rc: ReconcileContext): Promise<ReconcileResult> {
    const cached = this.ctx.informers.contracts.store.get(key);
    if (cached === undefined) return {};
    if (isBeingDeleted(cached)) {
      this.services.forget(cached);
      this.endpoints.forget(cached);
      if (cached.status?.contractId !== undefined) this.resizer.forget(cached.status.contractId);
      return this.closer.finalize(cached, rc);
    }
    const cc = await addFinalizer(this.ctx.runtime.client, COMPUTE_CONTRACT, cached, FINALIZER, {
      fieldManager: FIELD_MANAGER,
    });
    let contractId: string;
    let chainContract: Contract;
    try {
      ({ contractId, chainContract } = await this.opener.ensureOpened(cc, rc));
    } catch (error) {
      if (error instanceof OpeningPending) return { requeueAfter: OPENING_RECHECK_MS };
      const blocked = error instanceof Blocked ? error : this.opener.blockedByChain(cc, error);
      this.ctx.runtime.events.record(cc, { type: "Warning", ...blocked.event });
      await writeContractStatus(this.ctx, cc, { phase: blocked.phase }, blocked.conditions);
      return { requeue: true };
    }

    const status: Partial<ComputeContractStatus> = {
      contractId,
      phase: PHASE_OF_STATE[chainContract.state],
      escrow: {
        deposited: chainContract.deposited.toString(),
        spent: chainContract.spent.toString(),
        remaining: chainContract.escrow.toString(),
      },
    };
    const settlement = this.book.lastOf(contractId);
    if (settlement !== undefined) status.lastSettlement = settlement;
    const conditions = [
      openedCondition(
        cc,
        "True",
        REASON.Opened.ContractOpened,
        `contract ${contractId} is ${chainContract.state} on chain`,
      ),
      fundedCondition(cc, chainContract),
    ];
    if (isRemote(cc)) {
      // The home Service keeps its name wherever the contract runs; its slice follows the chain.
      if (chainContract.state !== "closed") await this.ensureService(cc);
      const phase = await this.remote.mirror(rc.key, cc, chainContract, status, conditions);
      this.announceTransition(cc, phase, chainContract);
      // Another cluster's reports and the chain's reassignments arrive only through the chain: read it often.
      return { requeueAfter: Math.min(this.ctx.settings.contractPollMs, REMOTE_POLL_MS) };
    }
    this.announceTransition(cc, status.phase!, chainContract);

    const resizing = await this.resizer.ensure(rc.key, chainContract, desiredReplicas(cc));
    const slots =
      chainContract.state === "closed" ? 0 : Math.min(desiredReplicas(cc), chainContract.replicas);
    const pcs = await this.slots.ensure(cc, slots, status.phase === "Running");
    if (slots > 0) await this.ensureService(cc);
    const ready = pcs.filter((pc) =>
      isConditionTrue(pc.status?.conditions, CONDITION.PowerContainer.Ready),
    ).length;
    status.replicas = pcs.length;
    status.readyReplicas = ready;
    status.selector = `${LABEL.contract}=${cc.metadata.name}`;
    const capped =
      resizing !== undefined && desiredReplicas(cc) > chainContract.replicas ? `; ${resizing}` : "";
    conditions.push(readyCondition(cc, status.phase!, ready, slots, capped));
    await writeContractStatus(this.ctx, cc, status, conditions);
    return { requeueAfter: this.ctx.settings.contractPollMs };
  }

  private async ensureService(cc: ComputeContract): Promise<void> {
    const taken = await this.services.ensure(cc);
    if (taken !== undefined)
      this.ctx.runtime.events.record(cc, {
        type: "Warning",
        reason: "ServiceNameTaken",
        action: "CreateService",
        note: taken,
      });
  }

  private announceTransition(cc: ComputeContract, phase: ComputeContractPhase, contract: Contract): void {
    const before = cc.status?.phase;
    if (before === phase) return;
    if (phase === "Paused") {
      this.ctx.runtime.events.record(cc, {
        type: "Warning",
        reason: "Paused",
        action: "PauseContract",
        note: `escrow ${contract.escrow} cannot pay the next interval: replicas stopped, PowerContainers kept; top up contract ${contract.id} to resume`,
      });
    } else if (phase === "Running" && before === "Paused") {
      this.ctx.runtime.events.record(cc, {
        type: "Normal",
        reason: "Resumed",
        action: "ResumeContract",
        note: `contract ${contract.id} was topped up to ${contract.escrow}; replicas start again`,
      });
    } else if (phase === "Closed") {
      this.ctx.runtime.events.record(cc, {
        type: "Warning",
        reason: "Closed",
        action: "CloseContract",
        note: `contract ${contract.id} closed on chain (${contract.closeReason}); refunded ${contract.refunded}`,
      });
    }
  }
}
