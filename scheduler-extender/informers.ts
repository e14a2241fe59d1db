// Keeps ClusterState current from the apiserver: list+watch of ContributorNodes and of Uranus pods.
import {
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
  type V1Pod,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import { GROUP, LABEL, PLURAL, VERSION, type ContributorNode } from "../crds/types.js";
import type { ClusterState } from "./cluster-state.js";
import type { ExtenderMetrics } from "./extender-metrics.js";

export interface StateInformers {
  /** True once every informer has listed once; stays true across later re-watches. */
  synced(): boolean;
  /** Resolves when every informer has listed once. */
  whenSynced(): Promise<void>;
  stop(): Promise<void>;
}

const RESTART_INITIAL_MS = 250;
const RESTART_MAX_MS = 30_000;

interface Watched<T extends KubernetesObject> {
  resource: string;
  informer: Informer<T> & ObjectCache<T>;
  /** Set by the list function: client-node's start() resolves even when its list failed. */
  listedOk: boolean;
  upsert: (object: T) => void;
  remove: (object: T) => void;
}

export function startStateInformers(
  kubeConfig: KubeConfig,
  state: ClusterState,
  metrics: ExtenderMetrics,
  log: Logger,
): StateInformers {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const podSelector = LABEL.contract;

  const contributors: Watched<ContributorNode> = {
    resource: PLURAL.ContributorNode,
    listedOk: false,
    informer: makeInformer<ContributorNode>(
      kubeConfig,
      `/apis/${GROUP}/${VERSION}/${PLURAL.ContributorNode}`,
      async () => {
        const list = (await custom.listClusterCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL.ContributorNode,
        })) as KubernetesListObject<ContributorNode>;
        contributors.listedOk = true;
        return list;
      },
    ),
    upsert: (node) => state.upsertContributor(node),
    remove: (node) => state.removeContributor(node),
  };
  const pods: Watched<V1Pod> = {
    resource: "pods",
    listedOk: false,
    informer: makeInformer<V1Pod>(
      kubeConfig,
      "/api/v1/pods",
      async () => {
        const list = await core.listPodForAllNamespaces({ labelSelector: podSelector });
        pods.listedOk = true;
        return list;
      },
      podSelector,
    ),
    upsert: (pod) => state.upsertPod(pod),
    remove: (pod) => state.removePod(pod),
  };

  let stopped = false;
  const listed = new Set<string>();
  let resolveSynced: () => void = () => undefined;
  const syncedPromise = new Promise<void>((resolve) => (resolveSynced = resolve));
  const timers = new Set<NodeJS.Timeout>();

  function run<T extends KubernetesObject>(watched: Watched<T>): void {
    const { resource, informer } = watched;
    let failures = 0;
    const guard = (apply: (object: T) => void) => (object: T) => {
      failures = 0;
      try {
        apply(object);
      } catch (error) {
        log.error({ err: error, resource, name: object.metadata?.name }, "could not apply a watched object");
      }
    };
    informer.on("add", guard(watched.upsert));
    informer.on("update", guard(watched.upsert));
    informer.on("delete", guard(watched.remove));
    informer.on("error", (error: unknown) => {
      if (stopped) return;
      metrics.informerRestarts.inc({ resource });
      const delay = Math.min(RESTART_MAX_MS, RESTART_INITIAL_MS * 2 ** failures) * (0.5 + Math.random() / 2);
      failures++;
      log.warn({ resource, err: error, retryInMs: Math.round(delay) }, "informer failed; restarting");
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopped) begin();
      }, delay);
      timers.add(timer);
    });
    const begin = (): void => {
      informer.start().then(
        () => {
          if (stopped || !watched.listedOk) return;
          metrics.synced.set({ resource }, 1);
          if (!listed.has(resource))
            log.info({ resource, objects: informer.list().length }, "informer synced");
          listed.add(resource);
          if (listed.size === 2) resolveSynced();
        },
        (error: unknown) => log.warn({ resource, err: error }, "informer start failed"),
      );
    };
    metrics.synced.set({ resource }, 0);
    begin();
  }

  run(contributors);
  run(pods);

  return {
    synced: () => listed.size === 2,
    whenSynced: () => syncedPromise,
    async stop(): Promise<void> {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await contributors.informer.stop();
      await pods.informer.stop();
    },
  };
}
