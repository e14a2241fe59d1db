// Assembles the operator: runtime, chain gateway, the four controllers and the metering loop; starts and stops them.
import { Registry } from "prom-client";
import { LABEL, type ComputeContract, type ContributorNode, type PowerContainer } from "../crds/types.js";
import { ScuScale, scuUnitFromChainParams } from "../units/scu-scale.js";
import { ChainGateway } from "./chain/chain-gateway.js";
import type { OperatorParams } from "./chain/chain-reader.js";
import { KeyVault } from "./chain/key-vault.js";
import { ComputeContractReconciler } from "./compute-contract/compute-contract-reconciler.js";
import { ContributorNodeReconciler } from "./contributor-node/contributor-node-reconciler.js";
import { JailedOwners } from "./contributor-node/jailed-owners.js";
import { PodBillingReconciler } from "./pod-billing/pod-billing-reconciler.js";
import { MeteringLoop } from "./metering/metering-loop.js";
import { MeteringMetrics } from "./metering/metering-metrics.js";
import { SettlementBook } from "./metering/settlement-book.js";
import type { Logger } from "../observability/logger.js";
import { silentLogger } from "../observability/logger.js";
import { OperatorMetrics } from "../observability/metrics.js";
import {
  createInformers,
  INDEX,
  type KubeNode,
  type KubePod,
  type OperatorContext,
} from "./operator-context.js";
import type { OperatorSettings } from "./operator-settings.js";
import { MigrationMetrics } from "./power-container/migration-metrics.js";
import { PowerContainerReconciler } from "./power-container/power-container-reconciler.js";
import type { OwnedSource, WatchSource } from "../kube-runtime/controller.js";
import { contentChanged } from "../kube-runtime/predicates.js";
import { keyOf, objectKey, type KubeObject, type ObjectKey } from "../kube-runtime/resource.js";
import type { KubeConnection } from "../kube-runtime/kube-config.js";
import { OperatorRuntime } from "../kube-runtime/operator-runtime.js";

export const OPERATOR_NAME = "uranus-operator";

export interface OperatorOptions {
  kubeConfig: KubeConnection;
  /** CometBFT RPC of the chain sidecar. */
  chainEndpoint: string;
  settings: OperatorSettings;
  logger?: Logger;
  /** "host:port" for /healthz, /readyz and /metrics. */
  healthAddress?: string;
  /** Compete for the leader Lease in settings.namespace; without it this process always leads. */
  leaderElection?: boolean;
  identity?: string;
  /** How often the chain is polled for new blocks. */
  blockPollMs?: number;
  now?: () => Date;
}

export interface RunningOperator {
  readonly runtime: OperatorRuntime;
  readonly chain: ChainGateway;
  readonly metering: MeteringLoop;
  stop(): Promise<void>;
}

/** Controllers take sources of any kind; this keeps each source's own object type where it is written. */
/** How long a ContributorNode waits after a pod of its node changed before it shows the new allocation. */
const POD_ALLOCATION_DELAY_MS = 1_000;

function watching<S extends KubeObject>(source: WatchSource<S>): WatchSource {
  return source as unknown as WatchSource;
}

function owning<S extends KubeObject>(source: OwnedSource<S>): OwnedSource {
  return source as unknown as OwnedSource;
}

function readyStatus(object: { status?: { conditions?: { type: string; status: string }[] } }): string {
  return object.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "";
}

function nodeChanged(previous: KubeNode, current: KubeNode): boolean {
  return (
    readyStatus(previous) !== readyStatus(current) ||
    JSON.stringify(previous.metadata.labels ?? {}) !== JSON.stringify(current.metadata.labels ?? {}) ||
    JSON.stringify(previous.status?.allocatable ?? {}) !== JSON.stringify(current.status?.allocatable ?? {})
  );
}

function onlineStatus(cn: ContributorNode): string {
  const online = cn.status?.conditions?.find((c) => c.type === "Online");
  return `${online?.status ?? ""}/${online?.reason ?? ""}`;
}

/** Waits for the chain's parameters, retrying while the sidecar is not up yet. */
async function chainParams(chain: ChainGateway, log: Logger): Promise<OperatorParams> {
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      return await chain.reader.params();
    } catch (error) {
      log.warn({ err: error, retryInMs: delay }, "cannot read the chain's parameters yet");
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const logger = options.logger ?? silentLogger();
  const settings = options.settings;
  const metrics = new OperatorMetrics(new Registry(), { processMetrics: true });
  // /readyz asks about the chain, which is connected once the runtime (and its client) exists.
  const connected: { chain?: ChainGateway } = {};
  const runtime = new OperatorRuntime({
    kubeConfig: options.kubeConfig,
    name: OPERATOR_NAME,
    identity: options.identity,
    logger,
    metrics,
    healthAddress: options.healthAddress,
    leaderElection: options.leaderElection === true ? { namespace: settings.namespace } : undefined,
    readyChecks: [
      { name: "chain", check: () => connected.chain?.watcher.reachable() ?? "connecting to the chain" },
    ],
  });
  const keys = new KeyVault({
    client: runtime.client,
    operatorKey: { namespace: settings.namespace, ...settings.operatorKeySecret },
    contributorKeys: { namespace: settings.namespace, name: settings.contributorKeysSecret },
  });
  const chain = await ChainGateway.connect({
    endpoint: options.chainEndpoint,
    keys,
    registry: metrics.registry,
    logger,
    pollMs: options.blockPollMs,
  });
  connected.chain = chain;
  const params = await chainParams(chain, logger);
  const informers = createInformers(runtime, settings);
  const ctx: OperatorContext = {
    runtime,
    chain,
    scale: new ScuScale(scuUnitFromChainParams(params.poc)),
    params,
    settings,
    informers,
    now: options.now ?? ((): Date => new Date()),
  };
  const book = new SettlementBook();
  const registry = metrics.registry;
  const pcKeysOnNode = (nodeName: string): ObjectKey[] => {
    const keys = new Set<string>();
    for (const pod of informers.pods.store.byIndex(INDEX.byNodeName, nodeName)) {
      const pc = pod.metadata.labels?.[LABEL.powerContainer];
      if (pc !== undefined) keys.add(keyOf({ namespace: pod.metadata.namespace, name: pc }));
    }
    return [...keys];
  };

  const contributorReconciler = new ContributorNodeReconciler(
    ctx,
    new JailedOwners(chain.reader, settings.heartbeatIntervalMs, logger),
  );
  runtime.controller<ContributorNode>({
    name: "contributornode",
    for: informers.contributorNodes,
    workers: settings.workers,
    watches: [
      watching({
        informer: informers.nodes,
        map: (node) =>
          informers.contributorNodes.store.byIndex(INDEX.byNodeName, node.metadata.name!).map(objectKey),
        predicate: nodeChanged,
      }),
      watching({
        informer: informers.pods,
        map: (pod) =>
          pod.spec?.nodeName === undefined
            ? []
            : informers.contributorNodes.store.byIndex(INDEX.byNodeName, pod.spec.nodeName).map(objectKey),
        predicate: (previous, current) =>
          previous.spec?.nodeName !== current.spec?.nodeName ||
          previous.status?.phase !== current.status?.phase ||
          previous.metadata.deletionTimestamp !== current.metadata.deletionTimestamp,
        // Allocation is shown, not enforced (the extender counts pods itself): pods arriving together make one update.
        delayMs: POD_ALLOCATION_DELAY_MS,
      }),
    ],
    reconcile: (key, rc) => contributorReconciler.reconcile(key, rc),
  });

  const contractReconciler = new ComputeContractReconciler(ctx, book, (key) => contracts.enqueue(key));
  const contracts = runtime.controller<ComputeContract>({
    name: "computecontract",
    for: informers.contracts,
    workers: settings.workers,
    owns: [owning({ informer: informers.powerContainers })],
    watches: [
      watching({
        informer: informers.pods,
        map: (pod) => {
          const contract = pod.metadata.labels?.[LABEL.contract];
          return contract === undefined ? [] : [keyOf({ namespace: pod.metadata.namespace, name: contract })];
        },
        // Only arrivals and departures matter: a deleted contract waits for its pods to be gone.
        predicate: () => false,
      }),
    ],
    reconcile: (key, rc) => contractReconciler.reconcile(key, rc),
  });

  const pcReconciler = new PowerContainerReconciler(ctx, new MigrationMetrics(registry));
  const powerContainers = runtime.controller<PowerContainer>({
    name: "powercontainer",
    for: informers.powerContainers,
    workers: settings.workers,
    owns: [owning({ informer: informers.pods })],
    watches: [
      watching({
        informer: informers.nodes,
        map: (node) => pcKeysOnNode(node.metadata.name!),
        predicate: nodeChanged,
      }),
      watching({
        informer: informers.contributorNodes,
        map: (cn) => pcKeysOnNode(cn.spec.nodeName),
        predicate: (previous, current) => onlineStatus(previous) !== onlineStatus(current),
      }),
      watching({
        informer: informers.contracts,
        map: (contract) =>
          informers.powerContainers.store
            .byIndex(INDEX.byContract, `${contract.metadata.namespace}/${contract.metadata.name}`)
            .map(objectKey),
        predicate: (previous, current) =>
          previous.status?.phase !== current.status?.phase ||
          previous.status?.contractId !== current.status?.contractId,
      }),
    ],
    reconcile: (key, rc) => pcReconciler.reconcile(key, rc),
  });

  const metering = new MeteringLoop(ctx, new MeteringMetrics(registry), book, {
    settled: (contractKeys, pcKeys) => {
      for (const key of contractKeys) contracts.enqueue(key);
      for (const key of pcKeys) powerContainers.enqueue(key);
    },
  });
  const podBilling = new PodBillingReconciler(ctx, metering);
  runtime.controller<KubePod>({
    name: "lease",
    for: informers.pods,
    forPredicate: contentChanged,
    workers: settings.workers,
    reconcile: (key, rc) => podBilling.reconcile(key, rc),
  });

  await runtime.start();
  metering.start();
  return {
    runtime,
    chain,
    metering,
    async stop() {
      await metering.stop();
      await runtime.stop();
      await chain.stop();
    },
  };
}
