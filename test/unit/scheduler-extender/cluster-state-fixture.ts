import { ClusterState } from "../../../scheduler-extender/cluster-state.js";
import { ScuCalculator } from "../../../units/pod-scu.js";
import { contributorNode } from "./contributor-node-fixture.js";

/** A ClusterState holding, in the order given, one contributor per name (its node named alike) with that PoC. */
export function clusterStateWithPocs(pocs: Record<string, number>): ClusterState {
  const state = new ClusterState(new ScuCalculator());
  for (const [name, poc] of Object.entries(pocs)) state.upsertContributor(contributorNode({ name, poc }));
  return state;
}
