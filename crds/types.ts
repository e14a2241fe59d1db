// The TypeScript face of the three uranus.io custom resources; every component imports these names.
// The CRD YAML in this folder is the schema the apiserver enforces; test/unit/crds checks that both agree.
import type { ConditionStatus, StatusCondition } from "../kube-runtime/conditions.js";
import type { V1Affinity, V1ObjectMeta } from "@kubernetes/client-node";

export const GROUP = "uranus.io";
export const VERSION = "v1alpha1";
export const API_VERSION = "uranus.io/v1alpha1";
export const CATEGORY = "uranus";

export const KIND = {
  ContributorNode: "ContributorNode",
  ComputeContract: "ComputeContract",
  PowerContainer: "PowerContainer",
} as const;
export type Kind = (typeof KIND)[keyof typeof KIND];

export const PLURAL = {
  ContributorNode: "contributornodes",
  ComputeContract: "computecontracts",
  PowerContainer: "powercontainers",
} as const satisfies Record<Kind, string>;

export const SINGULAR = {
  ContributorNode: "contributornode",
  ComputeContract: "computecontract",
  PowerContainer: "powercontainer",
} as const satisfies Record<Kind, string>;

/** kubectl resolves "pc" to PriorityClass first (with a warning), so PowerContainer also answers to "pwc". */
export const SHORT_NAMES = {
  ContributorNode: ["cn"],
  ComputeContract: ["cc"],
  PowerContainer: ["pc", "pwc"],
} as const satisfies Record<Kind, readonly string[]>;

/** Labels that link a Pod to its PowerContainer and ComputeContract, and a Node to its contributor. */
export const LABEL = {
  /** On PowerContainers and Pods: the name of the owning ComputeContract. */
  contract: "uranus.io/contract",
  /** On Pods: the name of the PowerContainer that made the Pod. */
  powerContainer: "uranus.io/power-container",
  /** On Nodes: the contributor (owner address, lower case); the topology key for contributor spread. */
  contributor: "uranus.io/contributor",
} as const;

/** Annotations the operator puts on a PowerContainer's Pod so the scheduler extender can match nodes to the contract. */
export const ANNOTATION = {
  /** The contract's maxPricePerSCUHour (an Amount); a node asking more is filtered out. Required on Uranus pods. */
  maxPricePerSCUHour: "uranus.io/max-price-per-scu-hour",
  /** The contract's placement.regions, comma-separated; absent or empty allows every region. */
  regions: "uranus.io/regions",
  /** The contract's placement.minPoC (decimal integer); absent means 0. */
  minPoC: "uranus.io/min-poc",
  /** On a ComputeContract: "NodePort" exposes its Service on every node (a federation member's copies); else ClusterIP. */
  serviceType: "uranus.io/service-type",
} as const;

/** Held by a ComputeContract until its final settlement and refund are recorded on chain. */
export const FINALIZER = "uranus.io/final-settlement";

/** Field manager name for server-side apply and status writes made by Uranus components. */
export const FIELD_MANAGER = "uranus";

// ---- shared field types -------------------------------------------------------------------------

/** @asType integer */
export type Integer = number;

/** Token amount in the chain's smallest unit, as decimal digits (no sign, no leading zeros): exact beyond 2^53. */
export type Amount = string;

/** Account address: "0x" and 40 hexadecimal characters. */
export type Address = string;

/** Go-style duration such as "90s", "15m" or "72h". */
export type Duration = string;

/** Kubernetes resource quantity such as 2, "500m", "4Gi": an integer or a string. */
export type Quantity = Integer | string;

/** RFC 3339 timestamp as Kubernetes writes it, e.g. "2025-01-31T12:00:00Z". */
export type Timestamp = string;

export type Isolation = "runc" | "kata";
export const ISOLATIONS = ["runc", "kata"] as const satisfies readonly Isolation[];

export type TolerationOperator = "Exists" | "Equal";
export const TOLERATION_OPERATORS = ["Exists", "Equal"] as const satisfies readonly TolerationOperator[];
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

/** core/v1 Toleration, as a Pod carries it. */
export interface Toleration {
  key?: string;
  operator?: TolerationOperator;
  value?: string;
  effect?: TaintEffect;
  tolerationSeconds?: Integer;
}

/** A Secret in the object's own namespace. */
export interface LocalSecretReference {
  name: string;
}

export const EXECUTION_POLICIES = ["IgnoredDuringExecution", "RequiredDuringExecution"] as const;
export type ExecutionPolicy = (typeof EXECUTION_POLICIES)[number];

export const CONTRIBUTOR_SPREADS = ["preferred", "required", "none"] as const;
export type ContributorSpread = (typeof CONTRIBUTOR_SPREADS)[number];

export type Protocol = "TCP" | "UDP";
export const PROTOCOLS = ["TCP", "UDP"] as const satisfies readonly Protocol[];

export const CONDITION_STATUSES = ["True", "False", "Unknown"] as const satisfies readonly ConditionStatus[];

// ---- ContributorNode (cluster-scoped) -----------------------------------------------------------

export interface ContributorNodeSpec {
  nodeName: string;
  owner: Address;
  region: string;
  zone?: string;
  pricePerSCUHour: Amount;
  isolation?: Isolation[];
  unschedulable?: boolean;
}

export interface ChainRegistration {
  txHash: string;
  height: Integer;
  registeredAt?: Timestamp;
}

export interface ProofOfContribution {
  basic: Integer;
  service: Integer;
  chain: Integer;
  total: Integer;
  height?: Integer;
}

export interface ContributorNodeStatus {
  observedGeneration?: Integer;
  registration?: ChainRegistration;
  capacitySCU?: Integer;
  allocatedSCU?: Integer;
  poc?: ProofOfContribution;
  onlineSince?: Timestamp;
  conditions?: StatusCondition[];
}

export interface ContributorNode {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND.ContributorNode;
  metadata: V1ObjectMeta;
  spec: ContributorNodeSpec;
  status?: ContributorNodeStatus;
}

// ---- PowerContainer (namespaced) ----------------------------------------------------------------

export interface SecretKeySelector {
  name: string;
  key: string;
}

export interface EnvVarSource {
  secretKeyRef: SecretKeySelector;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: EnvVarSource;
}

export interface ContainerPort {
  name?: string;
  containerPort: Integer;
  protocol?: Protocol;
}

/** Either scu, or any of cpu/memory/storage (rounded up to whole SCU by their largest ratio). */
export interface ContainerSize {
  scu?: Integer;
  cpu?: Quantity;
  memory?: Quantity;
  storage?: Quantity;
}

export interface PowerContainerSpec {
  image: string;
  /** Secrets of the same namespace the image is pulled with. */
  imagePullSecrets?: LocalSecretReference[];
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: ContainerPort[];
  size: ContainerSize;
  isolation?: Isolation;
  executionPolicy?: ExecutionPolicy;
  affinity?: V1Affinity;
  tolerations?: Toleration[];
  contributorSpread?: ContributorSpread;
}

export type PowerContainerPhase = "Pending" | "Scheduled" | "Running" | "Migrating" | "Succeeded" | "Failed";
export const POWER_CONTAINER_PHASES = [
  "Pending",
  "Scheduled",
  "Running",
  "Migrating",
  "Succeeded",
  "Failed",
] as const satisfies readonly PowerContainerPhase[];

export interface PowerContainerStatus {
  observedGeneration?: Integer;
  phase?: PowerContainerPhase;
  scu?: Integer;
  nodeName?: string;
  contributorNode?: string;
  contributor?: Address;
  podName?: string;
  podUID?: string;
  startTime?: Timestamp;
  meteredSCUSeconds?: Integer;
  migrations?: Integer;
  lastMigrationTime?: Timestamp;
  lastMigrationNode?: string;
  rejectedNodes?: RejectedNode[];
  conditions?: StatusCondition[];
}

/** How many refused nodes a PowerContainer remembers (the oldest go first). */
export const MAX_REJECTED_NODES = 16;

/** A node the chain refused to lease this container on (region, price, PoC): its replacement pods avoid it a while. */
export interface RejectedNode {
  node: string;
  message: string;
  time: Timestamp;
}

export interface PowerContainer {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND.PowerContainer;
  metadata: V1ObjectMeta;
  spec: PowerContainerSpec;
  status?: PowerContainerStatus;
}

// ---- ComputeContract (namespaced) ---------------------------------------------------------------

export interface PowerContainerTemplateMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PowerContainerTemplate {
  metadata?: PowerContainerTemplateMetadata;
  spec: PowerContainerSpec;
}

export interface ServiceLevel {
  recoverWithin?: Duration;
  maxMigrations?: Integer;
}

/** Which member clusters may run a contract: only this one (the default), any, or any other. */
export type ClusterPlacement = "Local" | "Any" | "Others";
export const CLUSTER_PLACEMENTS = ["Local", "Any", "Others"] as const satisfies readonly ClusterPlacement[];

/** Reserved: pay for the SCU each replica reserves; Used: pay for measured use, at most that (unmeasured as Reserved). */
export type Billing = "Reserved" | "Used";
export const BILLINGS = ["Reserved", "Used"] as const satisfies readonly Billing[];

export interface Placement {
  regions?: string[];
  minPoC?: Integer;
  clusters?: ClusterPlacement;
}

/** Where the federation runs a contract (placement.clusters Any or Others), as the chain says. */
export interface FederatedPlacement {
  cluster?: string;
  epoch?: Integer;
  endpoints?: string[];
  previousClusters?: string[];
}

/** A Secret in the contract's namespace holding the payer's private key (never the key itself). */
export interface PayerSecretReference {
  name: string;
  key?: string;
}

/** Exactly one of secretRef or escrowContractId. */
export interface Payer {
  secretRef?: PayerSecretReference;
  escrowContractId?: string;
}

export interface ComputeContractSpec {
  template: PowerContainerTemplate;
  replicas?: Integer;
  maxPricePerSCUHour: Amount;
  budget: Amount;
  duration?: Duration;
  sla?: ServiceLevel;
  placement?: Placement;
  billing?: Billing;
  payer: Payer;
}

export type ComputeContractPhase =
  "Pending" | "Opening" | "Running" | "Paused" | "Closing" | "Closed" | "Failed";
export const COMPUTE_CONTRACT_PHASES = [
  "Pending",
  "Opening",
  "Running",
  "Paused",
  "Closing",
  "Closed",
  "Failed",
] as const satisfies readonly ComputeContractPhase[];

export interface Escrow {
  deposited: Amount;
  spent: Amount;
  remaining: Amount;
}

export interface Settlement {
  height: Integer;
  time?: Timestamp;
  amount: Amount;
  txHash?: string;
}

export interface ComputeContractStatus {
  observedGeneration?: Integer;
  contractId?: string;
  phase?: ComputeContractPhase;
  escrow?: Escrow;
  replicas?: Integer;
  readyReplicas?: Integer;
  /** The pods' label selector, for the scale subresource. */
  selector?: string;
  placement?: FederatedPlacement;
  lastSettlement?: Settlement;
  conditions?: StatusCondition[];
}

export interface ComputeContract {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND.ComputeContract;
  metadata: V1ObjectMeta;
  spec: ComputeContractSpec;
  status?: ComputeContractStatus;
}

export type UranusResource = ContributorNode | ComputeContract | PowerContainer;

// ---- defaults the apiserver fills in (the schema carries the same values) ------------------------

export const DEFAULTS = {
  replicas: 1,
  isolation: "runc",
  contributorIsolation: ["runc"],
  executionPolicy: "IgnoredDuringExecution",
  contributorSpread: "none",
  protocol: "TCP",
  payerSecretKey: "privateKey",
  billing: "Reserved",
} as const;

// Condition types and reasons live beside these types; importers keep the one module.
export { CONDITION, REASON } from "./condition-names.js";
