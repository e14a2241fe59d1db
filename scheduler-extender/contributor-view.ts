// The scheduling-relevant facts of one ContributorNode, parsed once when the informer delivers it.
import { CONDITION, REASON, type ContributorNode } from "../crds/types.js";

export interface ContributorView {
  /** The ContributorNode's own name. */
  readonly name: string;
  /** The Kubernetes Node it offers: what kube-scheduler calls the node. */
  readonly nodeName: string;
  /** Owner address, lower case: the contributor. */
  readonly owner: string;
  readonly region: string;
  /** Undefined when the spec's price is not a decimal amount; such a node matches no contract. */
  readonly pricePerSCUHour: bigint | undefined;
  readonly poc: bigint;
  readonly capacitySCU: number;
  readonly allocatedSCU: number;
  readonly registered: boolean;
  readonly online: boolean;
  readonly jailed: boolean;
  readonly unschedulable: boolean;
  readonly offersKata: boolean;
}

function conditionOf(node: ContributorNode, type: string) {
  return node.status?.conditions?.find((condition) => condition.type === type);
}

function nonNegativeInteger(value: unknown): number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

export function contributorView(node: ContributorNode): ContributorView {
  const online = conditionOf(node, CONDITION.ContributorNode.Online);
  const registered = conditionOf(node, CONDITION.ContributorNode.Registered);
  const price = node.spec.pricePerSCUHour;
  const total = node.status?.poc?.total;
  return {
    name: node.metadata.name ?? "",
    nodeName: node.spec.nodeName,
    owner: node.spec.owner.toLowerCase(),
    region: node.spec.region,
    pricePerSCUHour: typeof price === "string" && /^\d{1,78}$/.test(price) ? BigInt(price) : undefined,
    poc: BigInt(nonNegativeInteger(total)),
    capacitySCU: nonNegativeInteger(node.status?.capacitySCU),
    allocatedSCU: nonNegativeInteger(node.status?.allocatedSCU),
    registered: registered?.status === "True",
    online: online?.status === "True",
    jailed: online?.status === "False" && online.reason === REASON.Online.Jailed,
    unschedulable: node.spec.unschedulable === true,
    offersKata: node.spec.isolation?.includes("kata") ?? false,
  };
}
