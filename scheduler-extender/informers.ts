// Keeps ClusterState current from the apiserver with the operator runtime's informers (list+watch, bookmarks,
// relist on 410, backoff, watchdog): ContributorNodes, and the pods that carry a Uranus contract label.
import type { Logger } from "pino";
import { API_VERSION, KIND, LABEL, PLURAL } from "../crds/types.js";
import { POD } from "../kube-runtime/builtin-resources.js";
import { Informer } from "../kube-runtime/informer.js";
import { KubeClient } from "../kube-runtime/kube-client.js";
import type { KubeConnection } from "../kube-runtime/kube-config.js";
import type { ResourceType } from "../kube-runtime/resource.js";
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

  // The runtime's informer logs and survives a handler that throws.
  const counted = (resource: string, event: "add" | "update" | "delete") => {
    const counter = metrics.informerEvents.labels({ resource, event });
    return () => counter.inc();
  };
  const nodeEvent = {
    add: counted(PLURAL.ContributorNode, "add"),
    update: counted(PLURAL.ContributorNode, "update"),
    delete: counted(PLURAL.ContributorNode, "delete"),
  };
  const podEvent = {
    add: counted("pods", "add"),
    update: counted("pods", "update"),
    delete: counted("pods", "delete"),
  };
  contributors.addHandler({
    add: (node) => {
      nodeEvent.add();
      state.upsertContributor(node);
    },
    update: (_previous, node) => {
      nodeEvent.update();
      state.upsertContributor(node);
    },
    delete: (node) => {
      nodeEvent.delete();
      state.removeContributor(node);
    },
  });
  pods.addHandler({
    add: (pod) => {
      podEvent.add();
      state.upsertPod(pod);
    },
    update: (_previous, pod) => {
      podEvent.update();
      state.upsertPod(pod);
    },
    delete: (pod) => {
      podEvent.delete();
      state.removePod(pod);
    },
  });

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
