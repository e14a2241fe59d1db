// Uranus in one cluster of the demo, once its control plane and chain node run: the CRDs, the scheduler extender,
// the Secrets and kwok Nodes, the operator (a federation member when asked), the example contributors and the demo's
// own nodes, registered and online; then, on request, the example contracts.
import { join } from "node:path";
import { pino } from "pino";
import { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import { installCrds } from "../../crds/install.js";
import { KIND, type ComputeContract } from "../../crds/types.js";
import { KubeClient } from "../../kube-runtime/kube-client.js";
import { createLogger } from "../../observability/logger.js";
import {
  DEFAULT_SETTINGS,
  type FederationSettings,
  type OperatorSettings,
} from "../../operator/operator-settings.js";
import { startOperator, type RunningOperator } from "../../operator/start-operator.js";
import { waitFor } from "../../process/wait-for.js";
import {
  startSchedulerExtender,
  type RunningSchedulerExtender,
} from "../../scheduler-extender/scheduler-extender.js";
import type { DemoAccounts } from "./demo-accounts.js";
import { SCHEDULER_CONFIG, type DemoCluster } from "./demo-cluster.js";
import {
  contractsOf,
  contributorNodesOf,
  createContributorNodes,
  CONTRIBUTOR_KEYS_SECRET,
  kubectlApply,
  OPERATOR_KEY_SECRET,
  OPERATOR_NAMESPACE,
  removeDemoWorkload,
  supportingObjects,
  type DemoWorkload,
} from "./demo-workload.js";
import type { ExampleDocument } from "./example-manifests.js";
import { openPrefundedEscrows, withOpenedEscrow } from "./prefunded-escrow.js";
import type { UpSession } from "./up-session.js";

const CONTRIBUTORS_ONLINE_TIMEOUT_MS = 60_000;

/** This cluster as a member of a federation. */
export interface Membership {
  clusterId: string;
  federation: FederationSettings;
}

export interface ComponentsOptions {
  cluster: DemoCluster;
  /** The RPC of the chain node this cluster's operator talks to. */
  chainRpcUrl: string;
  workload: DemoWorkload;
  accounts: DemoAccounts;
  /** Where operator.log and scheduler-extender.log go. */
  logsDir: string;
  meteringIntervalMs: number;
  member?: Membership;
  /** Progress lines of this cluster. */
  say: (line: string) => void;
  /** Names this cluster's components for the supervisor ("cluster-2: the operator"); none with one cluster. */
  label?: string;
  /** Register process metrics in the extender (one extender per process may). */
  processMetrics?: boolean;
}

export interface ClusterComponents {
  readonly extender: RunningSchedulerExtender;
  readonly operator: RunningOperator;
  readonly chainClient: ChainClient;
  readonly kube: KubeClient;
}

function isContract(doc: ExampleDocument): boolean {
  return doc.object.kind === KIND.ComputeContract;
}

/** The demo's operator settings: short intervals, so the demo moves quickly; a member's id and offer when given. */
export function demoOperatorSettings(meteringIntervalMs: number, member?: Membership): OperatorSettings {
  return {
    ...DEFAULT_SETTINGS,
    namespace: OPERATOR_NAMESPACE,
    operatorKeySecret: OPERATOR_KEY_SECRET,
    contributorKeysSecret: CONTRIBUTOR_KEYS_SECRET,
    heartbeatIntervalMs: 5_000,
    contractPollMs: 5_000,
    meteringIntervalMs,
    podGracePeriodSeconds: 1,
    ...(member === undefined ? {} : { clusterId: member.clusterId, federation: member.federation }),
  };
}

export async function startClusterComponents(
  session: UpSession,
  options: ComponentsOptions,
): Promise<ClusterComponents> {
  const { cluster, workload, accounts, say } = options;
  const step = <T>(work: Promise<T>): Promise<T> => session.step(work);
  const supervisor = session.supervisor;
  const name = (component: string): string =>
    options.label === undefined ? component : `${options.label}: ${component}`;
  say("installing the Uranus CRDs");
  await step(installCrds(cluster.kubeConfig));

  const extender = await step(
    startSchedulerExtender({
      kubeConfig: cluster.kubeConfig,
      port: cluster.extenderPort,
      log: pino(
        { name: "scheduler-extender" },
        pino.destination(join(options.logsDir, "scheduler-extender.log")),
      ),
      processMetrics: options.processMetrics,
    }),
  );
  supervisor.started(name("the scheduler extender"), () => extender.stop());
  say(
    cluster.local
      ? `scheduler extender at ${extender.url}, registered in kube-scheduler`
      : `scheduler extender at ${extender.url}; this cluster's kube-scheduler does not call it: ` +
          `register it as in ${SCHEDULER_CONFIG} (urlPrefix ${extender.url}) to place by PoC`,
  );

  await step(
    kubectlApply(cluster.kubeconfigPath, supportingObjects(workload, accounts), "the demo's Secrets"),
  );
  const created = await step(createContributorNodes(cluster.kubeConfig, workload));
  say(
    `operator key, contributor keys and payer Secrets created; kwok nodes: ${created.join(", ") || "none missing"}`,
  );

  const chainClient = await step(ChainClient.connect(options.chainRpcUrl));
  supervisor.started(name("the chain client"), () => {
    chainClient.disconnect();
    return Promise.resolve();
  });
  const settings = demoOperatorSettings(options.meteringIntervalMs, options.member);
  const operator = await step(
    startOperator({
      kubeConfig: cluster.kubeConfig,
      chainEndpoint: options.chainRpcUrl,
      settings,
      logger: createLogger({ destination: pino.destination(join(options.logsDir, "operator.log")) }),
      healthAddress: "127.0.0.1:0",
      leaderElection: false,
    }),
  );
  supervisor.started(name("the operator"), () => operator.stop());
  say(
    `operator running (metering every ${options.meteringIntervalMs / 1000} s; metrics ${operator.runtime.healthUrl}/metrics)` +
      (options.member === undefined ? "" : `, a federation member as ${options.member.clusterId}`),
  );

  // Contributors first, then contracts once the extender can place on them.
  // In a cluster we did not start, the demo's objects go before the operator stops (it honours their finalizers).
  if (!cluster.local)
    supervisor.started(
      name("the demo in the cluster (contracts settle and close, then contributors go)"),
      () => removeDemoWorkload(cluster.kubeconfigPath, workload, accounts, created),
    );
  await step(
    applyExampleFiles(
      workload.examples.filter((doc) => !isContract(doc)),
      cluster.kubeconfigPath,
      say,
    ),
  );
  if (workload.demoNodes.length > 0) {
    await step(kubectlApply(cluster.kubeconfigPath, workload.demoNodes, "the demo's contributor nodes"));
    say(`applied the demo's contributor nodes: ${workload.demoNodes.map((n) => n.metadata.name).join(", ")}`);
  }
  const contributors = contributorNodesOf(workload);
  await step(
    waitForContributorsPlaceable(
      extender,
      contributors.map((cn) => cn.spec.nodeName),
    ),
  );
  say(`all ${contributors.length} contributor nodes registered on chain and online`);
  return { extender, operator, chainClient, kube: new KubeClient(cluster.kubeConfig) };
}

/** The example contracts, each paid from an escrow funded beforehand pointed at the escrow opened for it first. */
export async function applyContracts(
  session: UpSession,
  components: ClusterComponents,
  cluster: DemoCluster,
  workload: DemoWorkload,
  accounts: DemoAccounts,
  say: (line: string) => void,
): Promise<void> {
  const escrows = await session.step(
    openPrefundedEscrows(
      components.chainClient,
      contractsOf(workload),
      accounts.payer,
      accounts.operator.address,
    ),
  );
  for (const [example, opened] of escrows)
    say(`opened escrow ${opened} on chain for the contract that names ${example}`);
  await session.step(
    applyExampleFiles(
      workload.examples.filter(isContract).map((doc) => ({
        ...doc,
        object: withOpenedEscrow(
          doc.object as unknown as ComputeContract,
          escrows,
        ) as unknown as ExampleDocument["object"],
      })),
      cluster.kubeconfigPath,
      say,
    ),
  );
}

/** `kubectl apply` per example file, in file order. */
async function applyExampleFiles(
  docs: ExampleDocument[],
  kubeconfigPath: string,
  say: (line: string) => void,
): Promise<void> {
  for (const file of [...new Set(docs.map((doc) => doc.file))]) {
    await kubectlApply(
      kubeconfigPath,
      docs.filter((doc) => doc.file === file).map((doc) => doc.object),
      file,
    );
    say(`applied ${file}`);
  }
}

/**
 * Waits until the scheduler extender itself sees every contributor registered, online, with capacity and a PoC:
 * a pod it turned away before that waits minutes for kube-scheduler's next try.
 */
async function waitForContributorsPlaceable(
  extender: RunningSchedulerExtender,
  nodeNames: string[],
): Promise<void> {
  const placeable = (nodeName: string): boolean => {
    const view = extender.state.contributorOnNode(nodeName);
    return view !== undefined && view.registered && view.online && view.capacitySCU > 0 && view.poc > 0n;
  };
  try {
    await waitFor(() => nodeNames.every(placeable) || undefined, {
      timeoutMs: CONTRIBUTORS_ONLINE_TIMEOUT_MS,
      intervalMs: 100,
      description: "every contributor node registered and online",
    });
  } catch (error) {
    const waiting = nodeNames.filter((name) => !placeable(name)).join(", ");
    throw new Error(
      `${(error as Error).message}: not yet ${waiting} (kubectl get contributornodes shows why)`,
    );
  }
}
