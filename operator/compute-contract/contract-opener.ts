// Opening a ComputeContract's escrow on chain exactly once: adopted when the spec names a funded escrow, otherwise
// opened from the payer's key under an id derived from the object's UID, so a crash or a repeat cannot open twice.
import type { Wallet } from "ethers";
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import {
  contractIdFor,
  OpenContractMsg,
  type Contract,
} from "../../chain-sidecar/modules/market/market-types.js";
import { ResultCode } from "../../chain-sidecar/tx/tx-types.js";
import { REASON, type ComputeContract, type ComputeContractPhase } from "../../crds/types.js";
import type { ConditionUpdate } from "../../kube-runtime/conditions.js";
import type { ReconcileContext } from "../../kube-runtime/controller.js";
import type { ObjectKey } from "../../kube-runtime/resource.js";
import { describeChainFailure } from "../chain/chain-failure.js";
import { KeyUnavailable } from "../chain/key-vault.js";
import type { OperatorContext } from "../operator-context.js";
import { openContractMessage } from "./contract-terms.js";
import { isRemote, openOrderMessage } from "./remote-placement.js";
import { OpenOrderMsg } from "../../chain-sidecar/modules/federation/federation-types.js";
import { openedCondition, unfundedCondition, writeContractStatus } from "./contract-status.js";

/** An opening not committed within this long shows the phase Opening. */
const SHOW_OPENING_AFTER_MS = 1_500;

/** A reconcile that stops early with these status changes and a retry. */
export class Blocked extends Error {
  constructor(
    readonly conditions: ConditionUpdate[],
    readonly phase: ComputeContractPhase,
    readonly event: { reason: string; action: string; note: string },
  ) {
    super(event.note);
  }
}

/** The opening is on its way to a block; the reconcile comes back when it is committed. */
export class OpeningPending extends Error {}

export interface OpenedContract {
  contractId: string;
  chainContract: Contract;
}

export class ContractOpener {
  /** Contract ids whose opening this process sent and whose block has not been seen yet, with when it was sent. */
  private readonly openingsInFlight = new Map<string, number>();

  constructor(
    private readonly ctx: OperatorContext,
    /** Reconciles a contract again now: the block holding its opening was committed. */
    private readonly wake: (key: ObjectKey) => void,
  ) {}

  blockedByChain(cc: ComputeContract, error: unknown): Blocked {
    const failure = describeChainFailure(error);
    return new Blocked(
      [
        openedCondition(
          cc,
          cc.status?.contractId === undefined ? "False" : "Unknown",
          REASON.Opened.ChainRejected,
          failure.message,
        ),
      ],
      cc.status?.phase ?? "Pending",
      { reason: failure.reason, action: "OpenContract", note: failure.message },
    );
  }

  /** The contract on chain: adopted, already opened, or opened now (exactly once: its id derives from the UID). */
  async ensureOpened(
    cc: ComputeContract,
    rc: ReconcileContext,
  ): Promise<{ contractId: string; chainContract: Contract }> {
    const { chain } = this.ctx;
    const payer = cc.spec.payer;
    const known = cc.status?.contractId ?? payer.escrowContractId;
    if (known !== undefined) {
      const chainContract = await chain.reader.market.contract(known);
      if (chainContract === undefined) {
        throw new Blocked(
          [
            openedCondition(
              cc,
              "False",
              REASON.Opened.EscrowNotFound,
              `contract ${known} does not exist on chain`,
            ),
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
          throw new Blocked([openedCondition(cc, "False", REASON.Opened.ChainRejected, note)], "Failed", {
            reason: "OperatorNotAuthorised",
            action: "AdoptContract",
            note,
          });
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
    const wallet = await this.payerWallet(cc, "OpenContract");
    const payerAddress = wallet.address.toLowerCase();
    const clusterId = this.ctx.settings.clusterId;
    // Derived from the payer and this object's UID: the same after any crash, and the chain opens it only once.
    const contractId = contractIdFor(payerAddress, clusterId, cc.metadata.uid!);
    const sentAt = this.openingsInFlight.get(contractId);
    if (sentAt !== undefined) {
      // Only a slow opening is shown: the usual one goes from no phase to Running in one write.
      if (cc.status?.phase !== "Opening" && performance.now() - sentAt >= SHOW_OPENING_AFTER_MS)
        await writeContractStatus(this.ctx, cc, { phase: "Opening" }, [
          openedCondition(
            cc,
            "False",
            REASON.Opened.OpeningContract,
            `opening contract ${contractId} on chain`,
          ),
        ]);
      throw new OpeningPending(`contract ${contractId} is on its way to a block`);
    }
    const chainContract = await chain.reader.market.contract(contractId);
    if (chainContract === undefined) {
      const budget = BigInt(cc.spec.budget);
      const balance = (await chain.reader.account(payerAddress)).balance;
      if (balance < budget) {
        const note = `payer ${payerAddress} holds ${balance}, less than the budget ${budget}`;
        throw new Blocked(
          [
            openedCondition(
              cc,
              "False",
              REASON.Opened.OpeningContract,
              `waiting for the payer's funds: ${note}`,
            ),
            unfundedCondition(cc, note),
          ],
          "Pending",
          { reason: "InsufficientPayerBalance", action: "OpenContract", note },
        );
      }
      const party = {
        clusterId,
        clientRef: cc.metadata.uid!,
        maxDurationSeconds: this.ctx.params.market.maxDurationSeconds,
      };
      try {
        // Admitted by CheckTx is enough: no worker waits for the block; its commit brings the contract back here.
        const sent = isRemote(cc)
          ? await chain.submitter.send(wallet, OpenOrderMsg, openOrderMessage(cc, this.ctx.scale, party))
          : await chain.submitter.send(
              wallet,
              OpenContractMsg,
              openContractMessage(cc, this.ctx.scale, {
                ...party,
                operator: await chain.keys.operatorAddress(),
              }),
            );
        this.openingsInFlight.set(contractId, performance.now());
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
      // Opening may use a Secret read seconds ago: a rollout of many contracts of one payer reads it once.
      return await this.ctx.chain.keys.payerWallet(cc.metadata.namespace!, cc.spec.payer.secretRef!, true);
    } catch (error) {
      if (!(error instanceof KeyUnavailable)) throw error;
      throw new Blocked(
        [
          openedCondition(
            cc,
            "False",
            REASON.Opened.PayerSecretMissing,
            `cannot read the payer's key: ${error.message}`,
          ),
        ],
        "Pending",
        { reason: "PayerSecretMissing", action, note: `cannot read the payer's key: ${error.message}` },
      );
    }
  }

  /** An opening whose outcome this object never recorded may still have moved the budget: its derived id, if so. */
  async openedUnseen(cc: ComputeContract): Promise<string | undefined> {
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
}
