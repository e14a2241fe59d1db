// How one operator process is set up: where it keeps its keys and Lease, what it watches, and its intervals.
export interface OperatorSettings {
  /** The operator's own namespace: its key Secrets and its leader Lease live here. */
  namespace: string;
  /** Secret (in `namespace`) and entry holding the operator's own private key. */
  operatorKeySecret: { name: string; key: string };
  /** Secret (in `namespace`) whose entries are contributor owner keys, one per 0x address. */
  contributorKeysSecret: string;
  /** Only ComputeContracts, PowerContainers and Pods in this namespace; all namespaces when undefined. */
  watchNamespace?: string;
  /** Only ContributorNodes matching this label selector; all when undefined. */
  contributorSelector?: string;
  /** Heartbeats per node, and how often its chain standing is mirrored. */
  heartbeatIntervalMs: number;
  /** How often each contract's escrow and state are read from chain. */
  contractPollMs: number;
  /** One metering batch per contributor per interval. */
  meteringIntervalMs: number;
  /** Parallel reconciles per controller. */
  workers: number;
  /** Grace period for pods the operator retires; the pod's own (30 s by default) when undefined. */
  podGracePeriodSeconds?: number;
  /** This cluster's id in a federation; with each object's UID it names the chain records made for it. */
  clusterId: string;
  /** Set when this cluster is a member of a federation (it then needs a clusterId): what it offers the others. */
  federation?: FederationSettings;
}

/** What a member cluster tells the chain about itself. */
export interface FederationSettings {
  /** Regions its contributor nodes are in. */
  regions: string[];
  /** Isolation it offers ("runc", "kata"). */
  isolation: string[];
  /** Where other clusters' clients reach the workloads it runs for them, and the port range it uses. */
  endpointHost: string;
  portFirst: number;
  portLast: number;
}

export const DEFAULT_SETTINGS: Omit<OperatorSettings, "namespace"> = {
  operatorKeySecret: { name: "uranus-operator-key", key: "privateKey" },
  contributorKeysSecret: "uranus-contributor-keys",
  heartbeatIntervalMs: 10_000,
  contractPollMs: 15_000,
  meteringIntervalMs: 60_000,
  workers: 4,
  clusterId: "",
};
