// The home side of a contract another member cluster runs: its status mirrored from the chain (where that cluster
// reports), its env from Secrets sealed to that cluster, and kubectl scale passed on as a resize from the payer.
import type { Contract } from "../../chain-sidecar/modules/market/market-types.js";
import type { ComputeContract, ComputeContractPhase, ComputeContractStatus } from "../../crds/types.js";
import type { ConditionUpdate } from "../../kube-runtime/conditions.js";
import { isInvalid } from "../../kube-runtime/kube-api-error.js";
import type { ObjectKey } from "../../kube-runtime/resource.js";
import type { OperatorContext } from "../operator-context.js";
import type { ContractResizer } from "./contract-resizer.js";
import { readyCondition, writeContractStatus } from "./contract-status.js";
import { desiredReplicas } from "./contract-terms.js";
import type { RemoteEndpoints } from "./remote-endpoints.js";
import { mirroredStatus } from "./remote-placement.js";
import { SealedEnvPoster } from "./sealed-env-poster.js";

export class RemoteMirror {
  private readonly sealer: SealedEnvPoster;

  constructor(
    private readonly ctx: OperatorContext,
    private readonly resizer: ContractResizer,
    private readonly endpoints: RemoteEndpoints,
  ) {
    this.sealer = new SealedEnvPoster(ctx);
  }

  /** The home Service's slice; one the apiserver refuses (a loopback address) is an event, never a stalled status. */
  private async publishEndpoints(cc: ComputeContract, endpoints: readonly string[]): Promise<void> {
    try {
      await this.endpoints.ensure(cc, endpoints);
    } catch (error) {
      if (!isInvalid(error)) throw error;
      this.ctx.runtime.events.record(cc, {
        type: "Warning",
        reason: "EndpointsNotPublished",
        action: "UpdateEndpointSlice",
        note: `the home Service cannot list ${endpoints.join(", ")}: ${(error as Error).message}`,
      });
    }
  }

  /** Writes the mirrored status with `status` and `conditions` already gathered; returns the phase written. */
  async mirror(
    key: ObjectKey,
    cc: ComputeContract,
    contract: Contract,
    status: Partial<ComputeContractStatus>,
    conditions: ConditionUpdate[],
  ): Promise<ComputeContractPhase> {
    const { chain, runtime } = this.ctx;
    const order = await chain.reader.federation.order(contract.id);
    const unsealed = order === undefined ? undefined : await this.sealer.ensure(cc, order);
    if (unsealed !== undefined)
      runtime.events.record(cc, {
        type: "Warning",
        reason: "EnvNotSealed",
        action: "SealOrderEnv",
        note: `cannot send the env from Secrets to the assigned cluster: ${unsealed}`,
      });
    const mirrored = mirroredStatus(contract, order);
    await this.publishEndpoints(cc, mirrored.placement.endpoints ?? []);
    status.phase = mirrored.phase;
    status.readyReplicas = mirrored.readyReplicas;
    status.replicas = contract.replicas;
    status.placement = mirrored.placement;
    const before = cc.status?.placement?.cluster;
    if (mirrored.placement.cluster !== undefined && mirrored.placement.cluster !== before)
      runtime.events.record(cc, {
        type: before === undefined ? "Normal" : "Warning",
        reason: before === undefined ? "Assigned" : "Reassigned",
        action: "AssignOrder",
        note: `the chain assigned contract ${contract.id} to member cluster ${mirrored.placement.cluster} (epoch ${mirrored.placement.epoch})`,
      });
    // The payer may resize: the contract's operator is the running cluster's, not this one.
    const payer = await chain.keys.payerWallet(cc.metadata.namespace!, cc.spec.payer.secretRef!);
    const resizing = await this.resizer.ensure(key, contract, desiredReplicas(cc), payer);
    const where =
      mirrored.placement.cluster === undefined
        ? "; waiting for a member cluster"
        : ` in cluster ${mirrored.placement.cluster}`;
    const note = resizing === undefined ? where : `${where}; ${resizing}`;
    conditions.push(readyCondition(cc, mirrored.phase, mirrored.readyReplicas, desiredReplicas(cc), note));
    await writeContractStatus(this.ctx, cc, status, conditions);
    return mirrored.phase;
  }
}
