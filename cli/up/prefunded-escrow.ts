// Contracts paid "from an escrow opened and funded beforehand with the uranus CLI": the demo opens that escrow for
// them with the payer's key, on the contract's own terms and naming the operator, and points the contract at it.
import { randomUUID } from "node:crypto";
import type { Wallet } from "ethers";
import type { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import { contractIdFor, OpenContractMsg } from "../../chain-sidecar/modules/market/market-types.js";
import type { ComputeContract } from "../../crds/types.js";
import { ScuScale, scuUnitFromChainParams } from "../../units/scu-scale.js";
import { ChainReader } from "../../operator/chain/chain-reader.js";
import { openContractMessage } from "../../operator/compute-contract/contract-terms.js";

/** Opens an escrow for every contract that names one; returns the new contract id by the example's old one. */
export async function openPrefundedEscrows(
  client: ChainClient,
  contracts: ComputeContract[],
  payer: Wallet,
  operatorAddress: string,
): Promise<Map<string, string>> {
  const opened = new Map<string, string>();
  const needing = contracts.filter((cc) => cc.spec.payer.escrowContractId !== undefined);
  if (needing.length === 0) return opened;
  const params = await new ChainReader(client).params();
  const scale = new ScuScale(scuUnitFromChainParams(params.poc));
  for (const contract of needing) {
    // Opened before the ComputeContract exists, so it stands for an escrow of its own, not for the object's UID.
    const message = openContractMessage(contract, scale, {
      operator: operatorAddress,
      clusterId: "",
      clientRef: `escrow-${randomUUID()}`,
      maxDurationSeconds: params.market.maxDurationSeconds,
    });
    await client.submit(payer, OpenContractMsg, message);
    opened.set(
      contract.spec.payer.escrowContractId!,
      contractIdFor(payer.address, message.clusterId, message.clientRef),
    );
  }
  return opened;
}

/** The example with its escrow id replaced by the one opened for it (unchanged when it names none). */
export function withOpenedEscrow(contract: ComputeContract, opened: Map<string, string>): ComputeContract {
  const id = opened.get(contract.spec.payer.escrowContractId ?? "");
  return id === undefined
    ? contract
    : { ...contract, spec: { ...contract.spec, payer: { escrowContractId: id } } };
}
