// Deleting a ComputeContract: its replicas go, their final bills come in, the contract is closed on chain with the
// payer's key (refunding what is left), and only then does the finalizer go.
import { CloseContractMsg, type Contract } from "../../chain-sidecar/modules/market/market-types.js";
import { FIELD_MANAGER, FINALIZER, type ComputeContract } from "../../crds/types.js";
import { POD } from "../../kube-runtime/builtin-resources.js";
import type { ReconcileContext, ReconcileResult } from "../../kube-runtime/controller.js";
import { hasFinalizer, removeFinalizer } from "../../kube-runtime/finalizers.js";
import { isNotFound } from "../../kube-runtime/kube-api-error.js";
import { describeChainFailure } from "../chain/chain-failure.js";
import { KeyUnavailable } from "../chain/key-vault.js";
import { INDEX, type OperatorContext } from "../operator-context.js";
import { COMPUTE_CONTRACT, POWER_CONTAINER } from "../uranus-resources.js";
import type { ContractOpener } from "./contract-opener.js";
import { writeContractStatus } from "./contract-status.js";

export class ContractCloser {
  constructor(
    private readonly ctx: OperatorContext,
    private readonly opener: ContractOpener,
  ) {}

  /** Deletion: replicas away, final bills in, contract closed with its refund, then the finalizer goes. */
  async finalize(cc: ComputeContract, rc: ReconcileContext): Promise<ReconcileResult> {
    if (!hasFinalizer(cc, FINALIZER)) return {};
    const client = this.ctx.runtime.client;
    const namespace = cc.metadata.namespace!;
    const name = cc.metadata.name!;
    const key = `${namespace}/${name}`;
    if (cc.status?.phase !== "Closing") await writeContractStatus(this.ctx, cc, { phase: "Closing" }, []);
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
    const contractId = cc.status?.contractId ?? (await this.opener.openedUnseen(cc));
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
}
