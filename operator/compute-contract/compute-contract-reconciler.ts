// ComputeContract: opens the contract on chain from the payer's key (or adopts a funded escrow), keeps one
// PowerContainer per replica slot (rolling template changes one at a time), follows the escrow (pausing when it
// runs low, resuming on top-up) and, on delete, removes the replicas, waits for their final bills, closes the
// contract (refunding the rest) and only then lets the object go.
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import type { Wallet } from "ethers";
import {
  CloseContractMsg,
  contractIdFor,
  OpenContractMsg,
} from "../../chain-sidecar/modules/market/market-types.js";
import { ResultCode } from "../../chain-sidecar/tx/tx-types.js";
import {
  API_VERSION,
  CONDITION,
  FIELD_MANAGER,
  FINALIZER,
  KIND,
  LABEL,
  REASON,
  type ComputeContract,
  type ComputeContractPhase,
  type ComputeContractStatus,
  type PowerContainer,
} from "../../crds/types.js";
import type { Contract } from "../../chain-sidecar/modules/market/market-types.js";
import { describeChainFailure } from "../chain/chain-failure.js";
import { KeyUnavailable } from "../chain/key-vault.js";
import type { SettlementBook } from "../metering/settlement-book.js";
import { INDEX, type OperatorContext } from "../operator-context.js";
import { childName } from "../power-container/child-name.js";
import { POD_ANNOTATION, POD_LABEL } from "../power-container/pod-keys.js";
import { specHash } from "../power-container/spec-hash.js";
import { POD } from "../../kube-runtime/builtin-resources.js";
import { isConditionTrue, setCondition, type ConditionUpdate } from "../../kube-runtime/conditions.js";
import type { ReconcileContext, ReconcileResult } from "../../kube-runtime/controller.js";
import type { ObjectKey } from "../../kube-runtime/resource.js";
import {
  addFinalizer,
  hasFinalizer,
  isBeingDeleted,
  removeFinalizer,
} from "../../kube-runtime/finalizers.js";
import { isAlreadyExists, isNotFound } from "../../kube-runtime/kube-api-error.js";
import { patchStatus } from "../../kube-runtime/status.js";
import { COMPUTE_CONTRACT, POWER_CONTAINER } from "../uranus-resources.js";
import { desiredReplicas, openContractMessage } from "./contract-terms.js";
import { ContractServices } from "./contract-service.js";
import { ContractResizer } from "./contract-resizer.js";
import { controllerReference } from "../../kube-runtime/owner-reference.js";

const PHASE_OF_STATE: Record<Contract["state"], ComputeContractPhase> = {
  open: "Running",
  paused: "Paused",
  closed: "Closed",
};

/** A reconcile that stops early with these status changes and a retry. */
class Blocked extends Error {
  constructor(
    readonly conditions: ConditionUpdate[],
    readonly phase: ComputeContractPhase,
    readonly event: { reason: string; action: string; note: string },
  ) {
    super(event.note);
  }
}

/** The opening is on its way to a block; the reconcile comes back when it is committed. */
class OpeningPending extends Error {}

/** When no word of the opening's block came (a lost transaction, say), the contract is looked at again this soon. */
const OPENING_RECHECK_MS = 2_000;

export class ComputeContractReconciler {
  constructor(
    private readonly ctx: OperatorContext,
    private readonly book: SettlementBook,
    /** Reconciles a contract again now: the block holding its opening was committed. */
    private readonly wake: (key: ObjectKey) => void,
  ) {
    this.services = new ContractServices(ctx.runtime.client, FIELD_MANAGER);
    this.resizer = new ContractResizer(ctx.chain, wake);
  }

  private readonly services: ContractServices;
  private readonly resizer: ContractResizer;

  /** Contract ids whose opening this process sent and whose block has not been seen yet: not sent again meanwhile. */
  private readonly openingsInFlight = new Set<string>();

  async reconcile(key: string, rc: ReconcileContext): Promise<ReconcileResult> {
    const cached = this.ctx.informers.contracts.store.get(key);
    if (cached === undefined) return {};
    if (isBeingDeleted(cached)) return this.finalize(cached, rc);
    const cc = await addFinalizer(this.ctx.runtime.client, COMPUTE_CONTRACT, cached, FINALIZER, {
      fieldManager: FIELD_MANAGER,
    });
    const generation = cc.metadata.generation;
    let contractId: string;
    let chainContract: Contract;
    try {
      ({ contractId, chainContract } = await this.ensureOpened(cc, rc));
    } catch (error) {
      if (error instanceof OpeningPending) return { requeueAfter: OPENING_RECHECK_MS };
      const blocked = error instanceof Blocked ? error : this.blockedByChain(cc, error);
      this.ctx.runtime.events.record(cc, { type: "Warning", ...blocked.event });
      await this.writeStatus(cc, { phase: blocked.phase }, blocked.conditions);
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
    const conditions: ConditionUpdate[] = [
      {
        type: CONDITION.ComputeContract.Opened,
        status: "True",
        reason: REASON.Opened.ContractOpened,
        message: `contract ${contractId} is ${chainContract.state} on chain`,
        observedGeneration: generation,
      },
      chainContract.state === "open"
        ? {
            type: CONDITION.ComputeContract.Funded,
            status: "True",
            reason: REASON.Funded.EscrowFunded,
            message: `${chainContract.escrow} left in escrow`,
            observedGeneration: generation,
          }
        : {
            type: CONDITION.ComputeContract.Funded,
            status: "False",
            reason: REASON.Funded.EscrowExhausted,
            message:
              chainContract.state === "paused"
                ? `${chainContract.escrow} left in escrow cannot pay the next interval; top up to resume`
                : `the contract is closed on chain (${chainContract.closeReason})`,
            observedGeneration: generation,
          },
    ];
    this.announceTransition(cc, status.phase!, chainContract);

    const resizing = await this.resizer.ensure(rc.key, chainContract, desiredReplicas(cc));
    const slots =
      chainContract.state === "closed" ? 0 : Math.min(desiredReplicas(cc), chainContract.replicas);
    const pcs = await this.ensurePowerContainers(cc, slots, status.phase === "Running");
    if (slots > 0) await this.ensureService(cc);
    const ready = pcs.filter((pc) =>
      isConditionTrue(pc.status?.conditions, CONDITION.PowerContainer.Ready),
    ).length;
    status.replicas = pcs.length;
    status.readyReplicas = ready;
    status.selector = `${LABEL.contract}=${cc.metadata.name}`;
    const capped =
      resizing !== undefined && desiredReplicas(cc) > chainContract.replicas ? `; ${resizing}` : "";
    conditions.push(
      status.phase === "Paused"
        ? {
            type: CONDITION.ComputeContract.Ready,
            status: "False",
            reason: REASON.Ready.ContractPaused,
            message: `paused: replicas are stopped until the escrow is topped up${capped}`,
            observedGeneration: generation,
          }
        : ready >= slots && slots > 0
          ? {
              type: CONDITION.ComputeContract.Ready,
              status: "True",
              reason: REASON.Ready.ReplicasReady,
              message: `${ready} of ${slots} replicas ready${capped}`,
              observedGeneration: generation,
            }
          : {
              type: CONDITION.ComputeContract.Ready,
              status: "False",
              reason: REASON.Ready.ReplicasNotReady,
              message: `${ready} of ${slots} replicas ready${capped}`,
              observedGeneration: generation,
            },
    );
    await this.writeStatus(cc, status, conditions);
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

  private blockedByChain(cc: ComputeContract, error: unknown): Blocked {
    const failure = describeChainFailure(error);
    const generation = cc.metadata.generation;
    return new Blocked(
      [
        {
          type: CONDITION.ComputeContract.Opened,
          status: cc.status?.contractId === undefined ? "False" : "Unknown",
          reason: REASON.Opened.ChainRejected,
          message: failure.message,
          observedGeneration: generation,
        },
      ],
      cc.status?.phase ?? "Pending",
      { reason: failure.reason, action: "OpenContract", note: failure.message },
    );
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

  /** The contract on chain: adopted, already opened, or opened now (exactly once: its id derives from the UID). */
  private async ensureOpened(
    cc: ComputeContract,
    rc: ReconcileContext,
  ): Promise<{ contractId: string; chainContract: Contract }> {
    const { chain } = this.ctx;
    const generation = cc.metadata.generation;
    const payer = cc.spec.payer;
    const known = cc.status?.contractId ?? payer.escrowContractId;
    if (known !== undefined) {
      const chainContract = await chain.reader.market.contract(known);
      if (chainContract === undefined) {
        throw new Blocked(
          [
            {
              type: CONDITION.ComputeContract.Opened,
              status: "False",
              reason: REASON.Opened.EscrowNotFound,
              message: `contract ${known} does not exist on chain`,
              observedGeneration: generation,
            },
          ],
          "Failed",
          {
            reason: "EscrowNotFound",
            action: "AdoptContract",
            note: `contract ${known} does not exist on chain`,
          },
        );
      }
      if (payer.escrowContractId !== undefined && cc.status?.contractId === undefined) {
        const operator = await chain.keys.operatorAddress();
        if (chainContract.operator !== operator) {
          const note =
            `contract ${known} authorises operator ${chainContract.operator || "none"}, not this operator ${operator}: ` +
            `it cannot record the contract's leases`;
          throw new Blocked(
            [
              {
                type: CONDITION.ComputeContract.Opened,
                status: "False",
                reason: REASON.Opened.ChainRejected,
                message: note,
                observedGeneration: generation,
              },
            ],
            "Failed",
            { reason: "OperatorNotAuthorised", action: "AdoptContract", note },
          );
        }
        this.ctx.runtime.events.record(cc, {
          type: "Normal",
          reason: "Adopted",
          action: "AdoptContract",
          note: `adopted contract ${known} with ${chainContract.escrow} in escrow`,
        });
      }
      return { contractId: known, chainContract };
    }
    return this.open(cc, rc);
  }

  private async open(
    cc: ComputeContract,
    rc: ReconcileContext,
  ): Promise<{ contractId: string; chainContract: Contract }> {
    const { chain } = this.ctx;
    const generation = cc.metadata.generation;
    const wallet = await this.payerWallet(cc, "OpenContract");
    const payerAddress = wallet.address.toLowerCase();
    const clusterId = this.ctx.settings.clusterId;
    // Derived from the payer and this object's UID: the same after any crash, and the chain opens it only once.
    const contractId = contractIdFor(payerAddress, clusterId, cc.metadata.uid!);
    if (this.openingsInFlight.has(contractId))
      throw new OpeningPending(`contract ${contractId} is on its way to a block`);
    const chainContract = await chain.reader.market.contract(contractId);
    if (chainContract === undefined) {
      const budget = BigInt(cc.spec.budget);
      const balance = (await chain.reader.account(payerAddress)).balance;
      if (balance < budget) {
        const note = `payer ${payerAddress} holds ${balance}, less than the budget ${budget}`;
        throw new Blocked(
          [
            {
              type: CONDITION.ComputeContract.Opened,
              status: "False",
              reason: REASON.Opened.OpeningContract,
              message: `waiting for the payer's funds: ${note}`,
              observedGeneration: generation,
            },
            {
              type: CONDITION.ComputeContract.Funded,
              status: "False",
              reason: REASON.Funded.InsufficientPayerBalance,
              message: note,
              observedGeneration: generation,
            },
          ],
          "Pending",
          { reason: "InsufficientPayerBalance", action: "OpenContract", note },
        );
      }
      if (cc.status?.phase !== "Opening")
        await this.writeStatus(cc, { phase: "Opening" }, [
          {
            type: CONDITION.ComputeContract.Opened,
            status: "False",
            reason: REASON.Opened.OpeningContract,
            message: `opening contract ${contractId} on chain`,
            observedGeneration: generation,
          },
        ]);
      const message = openContractMessage(cc, this.ctx.scale, {
        operator: await chain.keys.operatorAddress(),
        clusterId,
        clientRef: cc.metadata.uid!,
        maxDurationSeconds: this.ctx.params.market.maxDurationSeconds,
      });
      try {
        // Admitted by CheckTx is enough: no worker waits for the block; its commit brings the contract back here.
        const sent = await chain.submitter.send(wallet, OpenContractMsg, message);
        this.openingsInFlight.add(contractId);
        const settled = (): void => {
          this.openingsInFlight.delete(contractId);
          this.wake(rc.key);
        };
        sent.committed.then(settled, settled);
      } catch (error) {
        // A repeat of an opening already admitted or committed: the chain names the contract; it is ours.
        if (!(error instanceof ChainTxError && error.code === ResultCode.DUPLICATE)) throw error;
      }
      rc.log.debug({ contractId }, "contract opening sent");
      throw new OpeningPending(`contract ${contractId} is on its way to a block`);
    }
    if (cc.status?.contractId === undefined) {
      rc.log.info({ contractId }, "contract opened on chain");
      this.ctx.runtime.events.record(cc, {
        type: "Normal",
        reason: "Opened",
        action: "OpenContract",
        note: `opened contract ${contractId} on chain: ${chainContract.deposited} moved from ${payerAddress} into escrow`,
      });
    }
    return { contractId, chainContract };
  }

  private async payerWallet(cc: ComputeContract, action: string): Promise<Wallet> {
    try {
      return await this.ctx.chain.keys.payerWallet(cc.metadata.namespace!, cc.spec.payer.secretRef!);
    } catch (error) {
      if (!(error instanceof KeyUnavailable)) throw error;
      throw new Blocked(
        [
          {
            type: CONDITION.ComputeContract.Opened,
            status: "False",
            reason: REASON.Opened.PayerSecretMissing,
            message: `cannot read the payer's key: ${error.message}`,
            observedGeneration: cc.metadata.generation,
          },
        ],
        "Pending",
        { reason: "PayerSecretMissing", action, note: `cannot read the payer's key: ${error.message}` },
      );
    }
  }

  /** One PowerContainer per slot, outdated ones updated one at a time, surplus ones deleted. */
  private async ensurePowerContainers(
    cc: ComputeContract,
    slots: number,
    running: boolean,
  ): Promise<PowerContainer[]> {
    const client = this.ctx.runtime.client;
    const namespace = cc.metadata.namespace!;
    const name = cc.metadata.name!;
    const hash = specHash(cc.spec.template.spec);
    const existing = new Map(
      this.ctx.informers.powerContainers.store
        .byIndex(INDEX.byContract, `${namespace}/${name}`)
        .filter((pc) => pc.metadata.ownerReferences?.some((o) => o.uid === cc.metadata.uid))
        .map((pc) => [pc.metadata.name!, pc]),
    );
    const wanted: PowerContainer[] = [];
    for (let replica = 0; replica < slots; replica++) {
      const pcName = childName(name, replica);
      const found = existing.get(pcName);
      existing.delete(pcName);
      if (found !== undefined && found.metadata.deletionTimestamp === undefined) {
        wanted.push(found);
        continue;
      }
      if (found !== undefined) continue;
      try {
        wanted.push(
          await client.create<PowerContainer>(
            POWER_CONTAINER,
            this.powerContainer(cc, pcName, replica, hash),
            { fieldManager: FIELD_MANAGER },
          ),
        );
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    }
    for (const surplus of existing.values()) {
      if (surplus.metadata.deletionTimestamp !== undefined) continue;
      await client.delete(
        POWER_CONTAINER,
        { namespace, name: surplus.metadata.name! },
        { propagationPolicy: "Background" },
      );
      this.ctx.runtime.events.record(cc, {
        type: "Normal",
        reason: "ScaledDown",
        action: "DeletePowerContainer",
        note: `deleted PowerContainer ${surplus.metadata.name}`,
      });
    }
    const outdated = wanted.filter((pc) => pc.metadata.annotations?.[POD_ANNOTATION.templateHash] !== hash);
    // One at a time while running: the next waits until every updated replica is ready again.
    const settling = wanted.some(
      (pc) =>
        pc.metadata.annotations?.[POD_ANNOTATION.templateHash] === hash &&
        (pc.status?.observedGeneration !== pc.metadata.generation ||
          !isConditionTrue(pc.status?.conditions, CONDITION.PowerContainer.Ready)),
    );
    for (const pc of running ? (settling ? [] : outdated.slice(0, 1)) : outdated) {
      await client.mergePatch(
        POWER_CONTAINER,
        { namespace, name: pc.metadata.name! },
        {
          metadata: {
            resourceVersion: pc.metadata.resourceVersion,
            annotations: { ...cc.spec.template.metadata?.annotations, [POD_ANNOTATION.templateHash]: hash },
          },
          spec: cc.spec.template.spec,
        },
        { fieldManager: FIELD_MANAGER },
      );
      this.ctx.runtime.events.record(cc, {
        type: "Normal",
        reason: "RollingOut",
        action: "UpdatePowerContainer",
        note: `updating PowerContainer ${pc.metadata.name} to the new template`,
      });
    }
    return wanted;
  }

  private powerContainer(cc: ComputeContract, name: string, replica: number, hash: string): PowerContainer {
    const meta = cc.spec.template.metadata;
    return {
      apiVersion: API_VERSION,
      kind: KIND.PowerContainer,
      metadata: {
        name,
        namespace: cc.metadata.namespace,
        labels: {
          ...meta?.labels,
          [LABEL.contract]: cc.metadata.name!,
          [POD_LABEL.replica]: String(replica),
        },
        annotations: { ...meta?.annotations, [POD_ANNOTATION.templateHash]: hash },
        ownerReferences: [controllerReference(cc, API_VERSION, KIND.ComputeContract)],
      },
      spec: cc.spec.template.spec,
    };
  }

  /** Deletion: replicas away, final bills in, contract closed with its refund, then the finalizer goes. */
  private async finalize(cc: ComputeContract, rc: ReconcileContext): Promise<ReconcileResult> {
    if (!hasFinalizer(cc, FINALIZER)) return {};
    this.services.forget(cc);
    if (cc.status?.contractId !== undefined) this.resizer.forget(cc.status.contractId);
    const client = this.ctx.runtime.client;
    const namespace = cc.metadata.namespace!;
    const name = cc.metadata.name!;
    const key = `${namespace}/${name}`;
    if (cc.status?.phase !== "Closing") await this.writeStatus(cc, { phase: "Closing" }, []);
    for (const pc of this.ctx.informers.powerContainers.store.byIndex(INDEX.byContract, key)) {
      if (pc.metadata.deletionTimestamp === undefined)
        await client.delete(
          POWER_CONTAINER,
          { namespace, name: pc.metadata.name! },
          { propagationPolicy: "Background" },
        );
    }
    const pods = this.ctx.informers.pods.store.byIndex(INDEX.byContract, key);
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp === undefined)
        await client.delete(POD, { namespace, name: pod.metadata.name! }, this.podDeletion());
    }
    if (pods.length > 0) {
      rc.log.debug({ pods: pods.length }, "waiting for the replicas' final bills");
      return { requeueAfter: 1000 };
    }
    const contractId = cc.status?.contractId ?? (await this.openedUnseen(cc));
    if (contractId !== undefined) {
      const contract = await this.ctx.chain.reader.market.contract(contractId);
      if (contract !== undefined && contract.state !== "closed") {
        if (cc.spec.payer.secretRef === undefined) {
          this.ctx.runtime.events.record(cc, {
            type: "Normal",
            reason: "Settled",
            action: "CloseContract",
            note: `final settlement done (spent ${contract.spent}); escrow ${contract.id} keeps ${contract.escrow}, which its payer closes with the uranus CLI`,
          });
        } else {
          const refunded = await this.close(cc, contract);
          if (refunded === undefined) return { requeue: true };
        }
      }
    }
    try {
      await removeFinalizer(client, COMPUTE_CONTRACT, cc, FINALIZER, { fieldManager: FIELD_MANAGER });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return {};
  }

  /** An opening whose outcome this object never recorded may still have moved the budget: its derived id, if so. */
  private async openedUnseen(cc: ComputeContract): Promise<string | undefined> {
    if (cc.spec.payer.secretRef === undefined) return undefined;
    let payer: string;
    try {
      payer = (await this.ctx.chain.keys.payerWallet(cc.metadata.namespace!, cc.spec.payer.secretRef))
        .address;
    } catch (error) {
      if (error instanceof KeyUnavailable) return undefined;
      throw error;
    }
    const id = contractIdFor(payer.toLowerCase(), this.ctx.settings.clusterId, cc.metadata.uid!);
    return (await this.ctx.chain.reader.market.contract(id)) === undefined ? undefined : id;
  }

  /** Closes with the payer's key; undefined (after a Warning) when that cannot happen yet. */
  private async close(cc: ComputeContract, contract: Contract): Promise<Contract | undefined> {
    const { chain } = this.ctx;
    try {
      const wallet = await chain.keys.payerWallet(cc.metadata.namespace!, cc.spec.payer.secretRef!);
      await chain.submitter.submit(wallet, CloseContractMsg, { contractId: contract.id });
    } catch (error) {
      if (error instanceof KeyUnavailable && error.problem === "SecretMissing") {
        // Gone with its namespace, typically: the escrow is safe on chain (it refunds on expiry or when the payer
        // closes it), so the contract does not hold the namespace hostage.
        this.ctx.runtime.events.record(cc, {
          type: "Warning",
          reason: "PayerSecretGone",
          action: "CloseContract",
          note: `${error.message}, so the operator cannot close contract ${contract.id}; its escrow ${contract.escrow} stays on chain until it expires or the payer closes it (uranus tx contract close ${contract.id})`,
        });
        return contract;
      }
      const failure = describeChainFailure(error);
      this.ctx.runtime.events.record(cc, {
        type: "Warning",
        reason: "CloseFailed",
        action: "CloseContract",
        note: `cannot close contract ${contract.id} to refund ${contract.escrow}: ${failure.message}`,
      });
      return undefined;
    }
    const closed = (await chain.reader.market.contract(contract.id))!;
    this.ctx.runtime.events.record(cc, {
      type: "Normal",
      reason: "Settled",
      action: "CloseContract",
      note: `final settlement of contract ${closed.id}: ${closed.spent} spent in total`,
    });
    this.ctx.runtime.events.record(cc, {
      type: "Normal",
      reason: "Refunded",
      action: "CloseContract",
      note: `closed contract ${closed.id}: refunded ${closed.refunded} to ${closed.payer}`,
    });
    return closed;
  }

  private podDeletion(): { gracePeriodSeconds?: number } {
    const grace = this.ctx.settings.podGracePeriodSeconds;
    return grace === undefined ? {} : { gracePeriodSeconds: grace };
  }

  private async writeStatus(
    cc: ComputeContract,
    status: Partial<ComputeContractStatus>,
    conditions: ConditionUpdate[],
  ): Promise<void> {
    const now = this.ctx.now();
    let list = cc.status?.conditions;
    for (const condition of conditions) list = setCondition(list, condition, now);
    try {
      await patchStatus(
        this.ctx.runtime.client,
        COMPUTE_CONTRACT,
        cc,
        { ...status, conditions: list },
        { fieldManager: FIELD_MANAGER },
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
