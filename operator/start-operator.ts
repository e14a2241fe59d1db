// Assembles the operator: runtime, chain gateway, the four controllers and the metering loop; starts and stops them.
import { Registry } from "prom-client";
import { ScuScale, scuUnitFromChainParams } from "../units/scu-scale.js";
import { ChainGateway } from "./chain/chain-gateway.js";
import { setupComputeContractController } from "./compute-contract/compute-contract-controller.js";
import { setupContributorNodeController } from "./contributor-node/contributor-node-controller.js";
import { setupPodBillingController } from "./pod-billing/pod-billing-controller.js";
import { setupPowerContainerController } from "./power-container/power-container-controller.js";
import type { OperatorParams } from "./chain/chain-reader.js";
import { KeyVault } from "./chain/key-vault.js";
import { FederationLoop } from "./federation/federation-loop.js";
import { MeteringLoop } from "./metering/metering-loop.js";
import { MeteringMetrics } from "./metering/metering-metrics.js";
import { SettlementBook } from "./metering/settlement-book.js";
import type { Logger } from "../observability/logger.js";
import { silentLogger } from "../observability/logger.js";
import { OperatorMetrics } from "../observability/metrics.js";
import { ParamsFollower } from "./chain/params-follower.js";
import { createInformers, type OperatorContext } from "./operator-context.js";
import type { OperatorSettings } from "./operator-settings.js";
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
  /** The chain parameters the operator works with now (governance changes them while it runs). */
  currentParams(): OperatorParams;
  stop(): Promise<void>;
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
  if (settings.federation !== undefined && settings.clusterId === "")
    throw new Error("a federation member needs a cluster id");
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
  const paramsFollower = new ParamsFollower(ctx, logger.child({ component: "chain-params" }));
  paramsFollower.start();
  const book = new SettlementBook();
  const registry = metrics.registry;
  const { heartbeats } = setupContributorNodeController(ctx, logger);
  const contracts = setupComputeContractController(ctx, book);
  const powerContainers = setupPowerContainerController(ctx);

  const metering = new MeteringLoop(ctx, new MeteringMetrics(registry), book, {
    settled: (contractKeys, pcKeys) => {
      for (const key of contractKeys) contracts.enqueue(key);
      for (const key of pcKeys) powerContainers.enqueue(key);
    },
  });
  setupPodBillingController(ctx, metering);
  const federation =
    settings.federation === undefined ? undefined : new FederationLoop(ctx, settings.federation);

  await runtime.start();
  heartbeats.start();
  metering.start();
  federation?.start();
  return {
    runtime,
    chain,
    metering,
    currentParams: () => ctx.params,
    async stop() {
      await federation?.stop();
      await metering.stop();
      await heartbeats.stop();
      await runtime.stop();
      await paramsFollower.stop();
      await chain.stop();
    },
  };
}
