// Keeps ClusterState current from the apiserver with the operator runtime's informers (list+watch, bookmarks,
// relist on 410, backoff, watchdog): ContributorNodes, and the pods that carry a Uranus contract label.
import type { Logger } from "pino";
import { API_VERSION, KIND, LABEL, PLURAL } from "../crds/types.js";
import { POD } from "../kube-runtime/builtin-resources.js";
import { Informer } from "../kube-runtime/informer.js";
import { KubeClient } from "../kube-runtime/kube-client.js";
import type { KubeConnection } from "../kube-runtime/kube-config.js";
import type { KubeObject, ResourceType } from "../kube-runtime/resource.js";
import type { ClusterState } from "./cluster-state.js";
import type { ExtenderMetrics } from "./extender-metrics.js";
import { slimContributorNode, slimPod, type SlimContributorNode, type SlimPod } from "./slim-objects.js";

const CONTRIBUTOR_NODE: ResourceType = {
  apiVersion: API_VERSION,
  kind: KIND.ContributorNode,
  plural: PLURAL.ContributorNode,
  namespaced: false,
};

export interface StateInformers {
  /** True once every informer has listed once; stays true while later watches reconnect. */
  synced(): boolean;
  /** Resolves when every informer has listed once. */
  whenSynced(): Promise<void>;
  stop(): Promise<void>;
}

export function startStateInformers(
  kubeConfig: KubeConnection,
  state: ClusterState,
  metrics: ExtenderMetrics,
  log: Logger,
): StateInformers {
  const client = new KubeClient(kubeConfig);
  const contributors = new Informer<SlimContributorNode>({
    client,
    resource: CONTRIBUTOR_NODE,
    decode: slimContributorNode,
    logger: log.child({ informer: PLURAL.ContributorNode }),
  });
  const pods = new Informer<SlimPod>({
    client,
    resource: POD,
    decode: slimPod,
    labelSelector: LABEL.contract,
    logger: log.child({ informer: "pods" }),
  });

  // Each event is counted, then mirrored into the state; the runtime's informer logs and survives a throwing handler.
  const mirror = <T extends KubeObject>(
    informer: Informer<T>,
    resource: string,
    upsert: (object: T) => void,
    remove: (object: T) => void,
  ): void => {
    const count = (event: "add" | "update" | "delete") => metrics.informerEvents.labels({ resource, event });
    const added = count("add");
    const updated = count("update");
    const deleted = count("delete");
    informer.addHandler({
      add: (object) => {
        added.inc();
        upsert(object);
      },
      update: (_previous, object) => {
        updated.inc();
        upsert(object);
      },
      delete: (object) => {
        deleted.inc();
        remove(object);
      },
    });
  };
  mirror(
    contributors,
    PLURAL.ContributorNode,
    (node) => state.upsertContributor(node),
    (node) => state.removeContributor(node),
  );
  mirror(
    pods,
    "pods",
    (pod) => state.upsertPod(pod),
    (pod) => state.removePod(pod),
  );

  const all = [
    { resource: PLURAL.ContributorNode, informer: contributors },
    { resource: "pods", informer: pods },
  ] as const;
  for (const { resource, informer } of all) {
    metrics.synced.set({ resource }, 0);
    informer.start();
    informer.waitForSync().then(
      () => {
        metrics.synced.set({ resource }, 1);
        log.info({ resource, objects: informer.store.size }, "informer synced");
      },
      () => undefined,
    );
  }

  return {
    synced: () => contributors.hasSynced() && pods.hasSynced(),
    whenSynced: async () => {
      await Promise.all([contributors.waitForSync(), pods.waitForSync()]);
    },
    async stop(): Promise<void> {
      await Promise.all([contributors.stop(), pods.stop()]);
    },
  };
}
