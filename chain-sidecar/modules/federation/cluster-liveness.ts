// Whether a member cluster is alive, from what the chain itself sees: its operator's heartbeats, and whether the
// validator that operator runs signs the blocks (the commit's votes, `decided_last_commit`).
import type { StateReader, StateWriter } from "../../state/state-access.js";
import type { BlockStart } from "../chain-module.js";
import type { ValidatorDirectory } from "./expected-keepers.js";
import type { FederationParams } from "./federation-params.js";
import { clusterKey, encodeCluster, operatorPrefix, type Cluster } from "./federation-records.js";
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

  /** Notes each such cluster's validator signing or not; writes only a change, so a steady chain writes nothing. */
  recordCommit(state: StateWriter, lastCommit: BlockStart["lastCommit"], height: number): void {
    for (const vote of lastCommit) {
      const operator = this.validators.operatorOfConsensusAddress(state, vote.consensusAddress);
      if (operator === undefined) continue;
      for (const cluster of readClustersOf(state, operator)) {
        const since = vote.signed ? 0 : cluster.validatorSilentSince || height;
        if (since === cluster.validatorSilentSince) continue;
        cluster.validatorSilentSince = since;
        state.set(clusterKey(cluster.id), encodeCluster(cluster));
      }
    }
  }
}
