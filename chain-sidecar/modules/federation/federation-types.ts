// The federation module as other code sees it: its messages, the cluster and order records with their codecs, the
// workload format and parameters. The keepers, state keys and handlers are internal to the chain.
export * from "./federation-messages.js";
export {
  ORDER_STATES,
  PLACEMENTS,
  decodeCluster,
  decodeOrder,
  type Cluster,
  type Order,
  type OrderState,
  type Placement,
} from "./federation-records.js";
export {
  canonicalWorkload,
  parseWorkload,
  type OrderWorkload,
  type WorkloadEnvVar,
  type WorkloadPort,
} from "./federation-checks.js";
export type { FederationParams } from "./federation-params.js";
