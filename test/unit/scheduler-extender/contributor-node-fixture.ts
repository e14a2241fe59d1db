// ContributorNode objects and Uranus pods as the operator would shape them, for the extender's tests.
import {
  ANNOTATION,
  API_VERSION,
  CONDITION,
  KIND,
  LABEL,
  REASON,
  type ContributorNode,
  type ContributorNodeStatus,
} from "../../../crds/types.js";
import type { StatusCondition } from "../../../kube-runtime/conditions.js";

export interface ContributorNodeFacts {
  name: string;
  nodeName?: string;
  owner?: string;
  region?: string;
  price?: string;
  poc?: number;
  capacitySCU?: number;
  allocatedSCU?: number;
  registered?: boolean;
  online?: boolean;
  jailed?: boolean;
  unschedulable?: boolean;
  kata?: boolean;
}

const TIME = "2026-01-01T00:00:00Z";

function condition(type: string, status: boolean, reason: string): StatusCondition {
  return { type, status: status ? "True" : "False", reason, message: "", lastTransitionTime: TIME };
}

/** A 0x address derived from a short label, so tests can name contributors. */
export function ownerAddress(label: string): string {
  const hex = Buffer.from(label).toString("hex").padEnd(40, "0").slice(0, 40);
  return `0x${hex}`;
}

export function contributorStatus(facts: ContributorNodeFacts): ContributorNodeStatus {
  const online = (facts.online ?? true) && !(facts.jailed ?? false);
  const onlineReason = facts.jailed
    ? REASON.Online.Jailed
    : online
      ? REASON.Online.HeartbeatCurrent
      : REASON.Online.HeartbeatMissed;
  const registered = facts.registered ?? true;
  return {
    capacitySCU: facts.capacitySCU ?? 100,
    allocatedSCU: facts.allocatedSCU ?? 0,
    poc: { basic: facts.poc ?? 0, service: 0, chain: 0, total: facts.poc ?? 0 },
    conditions: [
      condition(
        CONDITION.ContributorNode.Registered,
        registered,
        registered ? REASON.Registered.RegisteredOnChain : REASON.Registered.RegistrationPending,
      ),
      condition(CONDITION.ContributorNode.Online, online, onlineReason),
    ],
  };
}

export function contributorNode(facts: ContributorNodeFacts): ContributorNode {
  return {
    apiVersion: API_VERSION,
    kind: KIND.ContributorNode,
    metadata: { name: facts.name },
    spec: {
      nodeName: facts.nodeName ?? facts.name,
      owner: facts.owner ?? ownerAddress(facts.name),
      region: facts.region ?? "eu",
      pricePerSCUHour: facts.price ?? "10",
      isolation: facts.kata ? ["runc", "kata"] : ["runc"],
      unschedulable: facts.unschedulable ?? false,
    },
    status: contributorStatus(facts),
  };
}

export interface UranusPodFacts {
  name: string;
  namespace?: string;
  uid?: string;
  contract?: string;
  maxPrice?: string;
  regions?: string;
  minPoC?: string;
  cpu?: string;
  memory?: string;
  nodeName?: string;
  runtimeClassName?: string;
  labels?: Record<string, string>;
}

/** A Pod as plain JSON (what the apiserver and kube-scheduler exchange), shaped as the operator makes them. */
export interface PlainPod {
  apiVersion: "v1";
  kind: "Pod";
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: {
    nodeName?: string;
    runtimeClassName?: string;
    containers: { name: string; image: string; resources: { requests: Record<string, string> } }[];
  };
  status?: { phase?: string };
}

export function uranusPod(facts: UranusPodFacts): PlainPod {
  const annotations: Record<string, string> = {};
  if (facts.maxPrice !== undefined) annotations[ANNOTATION.maxPricePerSCUHour] = facts.maxPrice;
  if (facts.regions !== undefined) annotations[ANNOTATION.regions] = facts.regions;
  if (facts.minPoC !== undefined) annotations[ANNOTATION.minPoC] = facts.minPoC;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: facts.name,
      namespace: facts.namespace ?? "default",
      ...(facts.uid === undefined ? {} : { uid: facts.uid }),
      labels: {
        ...(facts.contract === undefined ? {} : { [LABEL.contract]: facts.contract }),
        ...facts.labels,
      },
      annotations,
    },
    spec: {
      ...(facts.nodeName === undefined ? {} : { nodeName: facts.nodeName }),
      ...(facts.runtimeClassName === undefined ? {} : { runtimeClassName: facts.runtimeClassName }),
      containers: [
        {
          name: "work",
          image: "registry.k8s.io/pause:3.10",
          resources: { requests: { cpu: facts.cpu ?? "100m", memory: facts.memory ?? "64Mi" } },
        },
      ],
    },
  };
}
