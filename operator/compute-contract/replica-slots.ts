// A ComputeContract's replicas: one PowerContainer per slot, surplus ones deleted, and template changes rolled
// out one replica at a time while the contract runs.
import {
  API_VERSION,
  CONDITION,
  FIELD_MANAGER,
  KIND,
  LABEL,
  type ComputeContract,
  type PowerContainer,
} from "../../crds/types.js";
import { isConditionTrue } from "../../kube-runtime/conditions.js";
import { isAlreadyExists } from "../../kube-runtime/kube-api-error.js";
import { controllerReference } from "../../kube-runtime/owner-reference.js";
import { INDEX, type OperatorContext } from "../operator-context.js";
import { childName } from "../power-container/child-name.js";
import { POD_ANNOTATION, POD_LABEL } from "../power-container/pod-keys.js";
import { specHash } from "../power-container/spec-hash.js";
import { POWER_CONTAINER } from "../uranus-resources.js";

export class ReplicaSlots {
  constructor(private readonly ctx: OperatorContext) {}

  /** One PowerContainer per slot, outdated ones updated one at a time, surplus ones deleted. */
  async ensure(cc: ComputeContract, slots: number, running: boolean): Promise<PowerContainer[]> {
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
}
