// Whether a member cluster is alive, from what the chain itself sees: its operator's heartbeats, and whether the
// validator that operator runs signs the blocks (the commit's votes, `decided_last_commit`).
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import type { BlockStart } from "../chain-module.js";
import type { ValidatorDirectory } from "./expected-keepers.js";
import type { FederationParams } from "./federation-params.js";
import {
  VOTES_SEEN_KEY,
  clusterKey,
  encodeCluster,
  operatorPrefix,
  type Cluster,
} from "./federation-records.js";
import { readCluster } from "./federation-keeper.js";

/** heartbeats: silent past the timeout; cluster: heartbeats and the operator's validator silent together. */
export type OfflineReason = "heartbeats" | "cluster";

/** The clusters `operator` operates, in id order. */
export function readClustersOf(state: StateReader, operator: string): Cluster[] {
  const prefix = operatorPrefix(operator);
  return state.entries(prefix).flatMap(([key]) => {
    const cluster = readCluster(state, key.slice(prefix.length));
    return cluster ? [cluster] : [];
  });
}

/** Why the online cluster goes offline at `height`, or undefined while it is alive. */
export function offlineReason(
  cluster: Cluster,
  height: number,
  p: FederationParams,
): OfflineReason | undefined {
  const quiet = height - cluster.lastHeartbeatHeight;
  if (quiet > p.heartbeatTimeoutBlocks) return "heartbeats";
  const validatorQuiet = cluster.validatorSilentSince === 0 ? 0 : height - cluster.validatorSilentSince + 1;
  if (quiet > p.silentValidatorTimeoutBlocks && validatorQuiet > p.silentValidatorTimeoutBlocks)
    return "cluster";
  return undefined;
}

/** Follows the votes of each commit for the clusters whose operators run validators. */
export class ClusterLiveness {
  constructor(private readonly validators: ValidatorDirectory) {}

  /**
   * Notes each such cluster's validator signing or not. Votes are seen only in blocks with txs (an idle chain runs
   * no hooks), so a validator first seen silent counts as silent since the last block whose votes were seen, where
   * it still signed. Writes only a change and, while clusters run validators, the height seen.
   */
  recordCommit(state: StateWriter, lastCommit: BlockStart["lastCommit"], height: number): void {
    const seen = state.get(VOTES_SEEN_KEY);
    const previous = seen ? (decodeRecord(seen) as { height: number }).height : 0;
    const silentFrom = previous > 0 && previous < height ? previous : height;
    let watched = false;
    for (const vote of lastCommit) {
      const operator = this.validators.operatorOfConsensusAddress(state, vote.consensusAddress);
      if (operator === undefined) continue;
      for (const cluster of readClustersOf(state, operator)) {
        watched = true;
        const since = vote.signed ? 0 : cluster.validatorSilentSince || silentFrom;
        if (since === cluster.validatorSilentSince) continue;
        cluster.validatorSilentSince = since;
        state.set(clusterKey(cluster.id), encodeCluster(cluster));
      }
    }
    if (watched) state.set(VOTES_SEEN_KEY, encodeRecord({ height }));
  }
}
