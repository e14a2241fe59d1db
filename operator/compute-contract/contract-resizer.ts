// Keeps a contract's replica slots on chain at spec.replicas (kubectl scale, a HorizontalPodAutoscaler): one
// ResizeContract per new size, signed by the operator the contract authorises; its commit brings the contract back.
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import { ResizeContractMsg } from "../../chain-sidecar/modules/market/market-types.js";
import { ResultCode } from "../../chain-sidecar/tx/tx-types.js";
import type { ChainGateway } from "../chain/chain-gateway.js";
import type { Contract } from "../../chain-sidecar/modules/market/market-types.js";
import type { ObjectKey } from "../../kube-runtime/resource.js";
import type { Wallet } from "ethers";

interface Refusal {
  replicas: number;
  /** The escrow when refused: a top-up changes it, and the resize is tried again. */
  escrow: bigint;
  note: string;
}

export class ContractResizer {
  /** Contract id → the size on its way to a block. */
  private readonly inFlight = new Map<string, number>();
  private readonly refused = new Map<string, Refusal>();

  constructor(
    private readonly chain: ChainGateway,
    /** Reconciles the contract again: its resize was committed or refused in the block. */
    private readonly wake: (key: ObjectKey) => void,
  ) {}

  /** Undefined once the chain holds `replicas` slots; otherwise why it does not yet, for the Ready condition. */
  async ensure(
    key: ObjectKey,
    contract: Contract,
    replicas: number,
    /** Who signs: the operator, or the payer when another cluster's operator holds the contract. */
    signer?: Wallet,
  ): Promise<string | undefined> {
    const id = contract.id;
    if (contract.replicas === replicas || contract.state === "closed") {
      this.refused.delete(id);
      return undefined;
    }
    if (this.inFlight.get(id) === replicas)
      return `resizing contract ${id} to ${replicas} replica(s) on chain`;
    const refusal = this.refused.get(id);
    if (refusal?.replicas === replicas && refusal.escrow === contract.escrow) return refusal.note;
    try {
      const sent = await this.chain.submitter.send(
        signer ?? (await this.chain.keys.operatorWallet()),
        ResizeContractMsg,
        {
          contractId: id,
          replicas: BigInt(replicas),
        },
      );
      this.inFlight.set(id, replicas);
      sent.committed.then(
        () => this.settle(key, id),
        (error: unknown) => {
          if (error instanceof ChainTxError) this.refuse(contract, replicas, error);
          this.settle(key, id);
        },
      );
      return `resizing contract ${id} to ${replicas} replica(s) on chain`;
    } catch (error) {
      if (!(error instanceof ChainTxError)) throw error;
      return this.refuse(contract, replicas, error);
    }
  }

  forget(contractId: string): void {
    this.refused.delete(contractId);
  }

  private settle(key: ObjectKey, id: string): void {
    this.inFlight.delete(id);
    this.wake(key);
  }

  private refuse(contract: Contract, replicas: number, error: ChainTxError): string {
    const note =
      error.code === ResultCode.INSUFFICIENT_FUNDS
        ? `the escrow does not cover ${replicas} replicas, so ${contract.replicas} run; top up contract ${contract.id}: ${error.log}`
        : `resizing contract ${contract.id} to ${replicas} replica(s) was refused: ${error.log}`;
    this.refused.set(contract.id, { replicas, escrow: contract.escrow, note });
    return note;
  }
}
