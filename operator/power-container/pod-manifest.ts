// The Pod that runs one PowerContainer: linked to its container and contract by labels, sized in SCU, confined by
// the restricted security profile, steered to contributor nodes (and away from nodes that failed it), spread
// across contributors when asked, and annotated with the terms the scheduler extender filters by.
import type {
  V1Affinity,
  V1Container,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1Pod,
  V1PodAffinityTerm,
} from "@kubernetes/client-node";
import {
  ANNOTATION,
  API_VERSION,
  KIND,
  LABEL,
  type ComputeContract,
  type PowerContainer,
} from "../../crds/types.js";
import type { ScuScale } from "../../units/scu-scale.js";
import { METERING_FINALIZER, POD_ANNOTATION, POD_LABEL } from "./pod-keys.js";
import { controllerReference } from "../../kube-runtime/owner-reference.js";

/** The RuntimeClass a kata-isolated pod runs under. */
export const KATA_RUNTIME_CLASS = "kata";
/** The one container's name in every PowerContainer pod. */
export const CONTAINER_NAME = "main";

export interface PodInputs {
  powerContainer: PowerContainer;
  /** The owning contract: its terms become the extender's annotations. */
  contract: ComputeContract;
  /** The contract's id on chain. */
  contractId: string;
  replica: number;
  podName: string;
  scu: number;
  scale: ScuScale;
  /** Identifies the spec the pod is made from. */
  templateHash: string;
  /** Nodes this replica failed on: the new pod must land elsewhere. */
  avoidNodes?: readonly string[];
}

function requiredTerms(
  userAffinity: V1Affinity | undefined,
  avoidNodes: readonly string[],
): V1NodeSelectorTerm[] {
  const extra: V1NodeSelectorRequirement[] = [{ key: LABEL.contributor, operator: "Exists" }];
  // The apiserver takes one value per metadata.name requirement, so one NotIn per avoided node.
  const avoid = [...new Set(avoidNodes)]
    .sort()
    .map((node) => ({ key: "metadata.name", operator: "NotIn", values: [node] }));
  const userTerms =
    userAffinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  // Terms are ORed and requirements inside one term ANDed, so our requirements join every user term.
  const terms = userTerms !== undefined && userTerms.length > 0 ? userTerms : [{}];
  return terms.map((term) => ({
    matchExpressions: [...(term.matchExpressions ?? []), ...extra],
    ...(term.matchFields !== undefined || avoid.length > 0
      ? { matchFields: [...(term.matchFields ?? []), ...avoid] }
      : {}),
  }));
}

export function podAffinity(inputs: PodInputs): V1Affinity {
  const spec = inputs.powerContainer.spec;
  const user = spec.affinity;
  const affinity: V1Affinity = {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution:
        user?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: requiredTerms(user, inputs.avoidNodes ?? []),
      },
    },
    podAffinity: user?.podAffinity,
    podAntiAffinity: user?.podAntiAffinity,
  };
  const spread = spec.contributorSpread ?? "none";
  if (spread === "none") return affinity;
  const term: V1PodAffinityTerm = {
    topologyKey: LABEL.contributor,
    labelSelector: { matchLabels: { [LABEL.contract]: inputs.contract.metadata.name! } },
  };
  const required = user?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  const preferred = user?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  affinity.podAntiAffinity =
    spread === "required"
      ? {
          requiredDuringSchedulingIgnoredDuringExecution: [...required, term],
          preferredDuringSchedulingIgnoredDuringExecution: preferred,
        }
      : {
          requiredDuringSchedulingIgnoredDuringExecution: required,
          preferredDuringSchedulingIgnoredDuringExecution: [
            ...preferred,
            { weight: 100, podAffinityTerm: term },
          ],
        };
  return affinity;
}

function container(inputs: PodInputs): V1Container {
  const spec = inputs.powerContainer.spec;
  const resources = inputs.scale.resources(inputs.scu);
  return {
    name: CONTAINER_NAME,
    image: spec.image,
    ...(spec.command !== undefined ? { command: spec.command } : {}),
    ...(spec.args !== undefined ? { args: spec.args } : {}),
    ...(spec.env !== undefined ? { env: spec.env } : {}),
    ...(spec.ports !== undefined
      ? {
          ports: spec.ports.map((port) => ({
            containerPort: port.containerPort,
            protocol: port.protocol ?? "TCP",
            ...(port.name !== undefined ? { name: port.name } : {}),
          })),
        }
      : {}),
    resources: { requests: resources, limits: resources },
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
}

export function podManifest(inputs: PodInputs): V1Pod {
  const pc = inputs.powerContainer;
  const contract = inputs.contract;
  const templateMeta = contract.spec.template.metadata;
  const placement = contract.spec.placement;
  const annotations: Record<string, string> = {
    ...templateMeta?.annotations,
    [ANNOTATION.maxPricePerSCUHour]: contract.spec.maxPricePerSCUHour,
    [POD_ANNOTATION.contractId]: inputs.contractId,
    [POD_ANNOTATION.templateHash]: inputs.templateHash,
    [POD_ANNOTATION.scu]: String(inputs.scu),
  };
  if (placement?.regions !== undefined && placement.regions.length > 0)
    annotations[ANNOTATION.regions] = placement.regions.join(",");
  if (placement?.minPoC !== undefined && placement.minPoC > 0)
    annotations[ANNOTATION.minPoC] = String(placement.minPoC);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: inputs.podName,
      namespace: pc.metadata.namespace,
      labels: {
        ...templateMeta?.labels,
        [LABEL.contract]: contract.metadata.name!,
        [LABEL.powerContainer]: pc.metadata.name!,
        [POD_LABEL.replica]: String(inputs.replica),
      },
      annotations,
      finalizers: [METERING_FINALIZER],
      ownerReferences: [controllerReference(pc, API_VERSION, KIND.PowerContainer)],
    },
    spec: {
      containers: [container(inputs)],
      affinity: podAffinity(inputs),
      ...(pc.spec.tolerations !== undefined ? { tolerations: pc.spec.tolerations } : {}),
      ...(pc.spec.imagePullSecrets !== undefined ? { imagePullSecrets: pc.spec.imagePullSecrets } : {}),
      restartPolicy: "OnFailure",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      ...(pc.spec.isolation === "kata" ? { runtimeClassName: KATA_RUNTIME_CLASS } : {}),
    },
  };
}
