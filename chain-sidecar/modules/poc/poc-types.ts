// The PoC module as other code sees it: node messages, the node record, parameters, and the placement rule the
// scheduler extender applies exactly as the chain does. The keeper, state keys and handlers are internal.
export {
  DeregisterNodeMsg,
  HeartbeatBatchMsg,
  HeartbeatMsg,
  MAX_HEARTBEATS_PER_BATCH,
  RegisterNodeMsg,
  UpdateNodeMsg,
  type DeregisterNode,
  type Heartbeat,
  type HeartbeatBatch,
  type RegisterNode,
  type UpdateNode,
} from "./poc-messages.js";
export { ISOLATIONS, decodeNode, type ContributorRecord, type Isolation } from "./poc-records.js";
export type { PocParams } from "./poc-params.js";
export {
  DEFAULT_PLACEMENT_PARAMS,
  PlacementInputError,
  pickTier,
  rankForPod,
  validatePlacementParams,
  type PlacementCandidate,
  type PlacementParams,
  type RankedNode,
} from "./placement.js";
