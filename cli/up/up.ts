// `uranus up`: the whole system on this machine (or on the cluster KUBECONFIG names) until Ctrl-C: control plane,
// chain, scheduler extender and operator; the examples applied; live progress until every contract runs and the
// first settlement is on chain; then a summary, and everything stopped and removed on Ctrl-C.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import { installCrds } from "../../crds/install.js";
import { KIND, type ComputeContract } from "../../crds/types.js";
import { binaryPath } from "../../process/binaries.js";
import { waitFor } from "../../process/wait-for.js";
import { startOperator } from "../../operator/start-operator.js";
import { createLogger } from "../../observability/logger.js";
import { DEFAULT_SETTINGS } from "../../operator/operator-settings.js";
import { KubeClient } from "../../kube-runtime/kube-client.js";
import {
  startSchedulerExtender,
  type RunningSchedulerExtender,
} from "../../scheduler-extender/scheduler-extender.js";
import { DemoAccounts } from "./demo-accounts.js";
import { startDemoChain, type ChainMode } from "./demo-chain.js";
import { SCHEDULER_CONFIG, startDemoCluster } from "./demo-cluster.js";
import { allRunningAndSettled, DemoStatusReader, statusLine, type DemoStatus } from "./demo-status.js";
import {
  contractsOf,
  contributorNodesOf,
  createContributorNodes,
  CONTRIBUTOR_KEYS_SECRET,
  kubectlApply,
  OPERATOR_KEY_SECRET,
  OPERATOR_NAMESPACE,
  planDemoWorkload,
  removeDemoWorkload,
  supportingObjects,
} from "./demo-workload.js";
import { readExamples, type ExampleDocument } from "./example-manifests.js";
import { openPrefundedEscrows, withOpenedEscrow } from "./prefunded-escrow.js";
import { Progress } from "./progress.js";
import { StopSignal } from "./stop-signal.js";
import { contractTable, contributorTable, statusJson } from "./summary-table.js";
import { ComponentFailed, Supervisor } from "./supervisor.js";

export interface UpOptions {
  /** Contributor nodes the demo adds beside the examples', each owned by a demo account of its own. */
  nodes: number;
  chain: ChainMode;
  meteringIntervalMs: number;
  /** Data, logs and homes; a fresh temporary directory when omitted. Removed on stop either way. */
  stateDir?: string;
  /** An existing cluster; a local control plane when undefined. */
  kubeconfig?: string;
  json?: boolean;
  write?: (text: string) => void;
  /** Resolves when the system should stop; Ctrl-C or SIGTERM by default. */
  until?: Promise<void>;
}

export interface UpResult {
  stateDir: string;
  /** Seconds from the command's start to every contract Running and the first settlement on chain. */
  secondsToSettled?: number;
  status?: DemoStatus;
}

class StopRequested extends Error {}

const STATUS_POLL_MS = 1000;
const CONTRIBUTORS_ONLINE_TIMEOUT_MS = 60_000;

export async function up(options: UpOptions): Promise<UpResult> {
  const progress = new Progress(options.json === true, options.write);
  const signal = new StopSignal((line) => progress.step(line));
  const supervisor = new Supervisor();
  let stopRequested = false;
  const stop = (options.until ?? signal.requested).then(() => {
    stopRequested = true;
  });
  const stopThrows = stop.then(() => {
    throw new StopRequested();
  });
  stopThrows.catch(() => undefined);
  /**
   * Every start-up wait ends at once on Ctrl-C or a component's crash. What such a step still starts afterwards
   * registers with the supervisor, which stops it right away.
   */
  const step = <T>(work: Promise<T>): Promise<T> => Promise.race([work, supervisor.failure, stopThrows]);
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "uranus-up-"));
  const logsDir = join(stateDir, "logs");
  mkdirSync(logsDir, { recursive: true });
  const result: UpResult = { stateDir };
  progress.step(`state and logs in ${stateDir}`);
  progress.event("state", { stateDir });
  try {
    const accounts = new DemoAccounts();
    const workload = planDemoWorkload(readExamples(), accounts, options.nodes);
    const contributors = contributorNodesOf(workload);
    progress.step(
      `demo: ${contractsOf(workload).length} example contracts, ${contributors.length} contributor nodes ` +
        `(${options.nodes} of the demo's own), ${accounts.genesisAccounts().length} funded accounts`,
    );

    progress.step(
      options.kubeconfig === undefined
        ? `starting a local control plane and a ${options.chain === "solo" ? "solo (in-process)" : "single-validator CometBFT"} chain`
        : `using the cluster in KUBECONFIG=${options.kubeconfig}; starting a ${options.chain} chain`,
    );
    const [cluster, chain] = await step(
      settleAll([
        startDemoCluster({
          kubeconfig: options.kubeconfig,
          dir: join(stateDir, "control-plane"),
          logsDir,
          supervisor,
          progress: (line) => progress.step(`  control plane: ${line}`),
        }),
        startDemoChain({
          mode: options.chain,
          dir: join(stateDir, "chain"),
          logsDir,
          accounts: accounts.genesisAccounts(),
          meteringIntervalSeconds: Math.max(1, Math.round(options.meteringIntervalMs / 1000)),
          supervisor,
        }).then((started) => {
          progress.step(`  chain ${started.chainId}: blocks committed, RPC ${started.rpcUrl}`);
          return started;
        }),
      ]),
    );

    progress.step("installing the Uranus CRDs");
    await step(installCrds(cluster.kubeConfig));

    const extender = await step(
      startSchedulerExtender({
        kubeConfig: cluster.kubeConfig,
        port: cluster.extenderPort,
        log: pino({ name: "scheduler-extender" }, pino.destination(join(logsDir, "scheduler-extender.log"))),
      }),
    );
    supervisor.started("the scheduler extender", () => extender.stop());
    progress.step(
      cluster.local
        ? `scheduler extender at ${extender.url}, registered in kube-scheduler`
        : `scheduler extender at ${extender.url}; this cluster's kube-scheduler does not call it: ` +
            `register it as in ${SCHEDULER_CONFIG} (urlPrefix ${extender.url}) to place by PoC`,
    );

    await step(
      kubectlApply(cluster.kubeconfigPath, supportingObjects(workload, accounts), "the demo's Secrets"),
    );
    const created = await step(createContributorNodes(cluster.kubeConfig, workload));
    progress.step(
      `operator key, contributor keys and payer Secrets created; kwok nodes: ${created.join(", ") || "none missing"}`,
    );

    const chainClient = await step(ChainClient.connect(chain.rpcUrl));
    supervisor.started("the chain client", () => {
      chainClient.disconnect();
      return Promise.resolve();
    });
    const operator = await step(
      startOperator({
        kubeConfig: cluster.kubeConfig,
        chainEndpoint: chain.rpcUrl,
        settings: {
          ...DEFAULT_SETTINGS,
          namespace: OPERATOR_NAMESPACE,
          operatorKeySecret: OPERATOR_KEY_SECRET,
          contributorKeysSecret: CONTRIBUTOR_KEYS_SECRET,
          heartbeatIntervalMs: 5_000,
          contractPollMs: 5_000,
          meteringIntervalMs: options.meteringIntervalMs,
          podGracePeriodSeconds: 1,
        },
        logger: createLogger({ destination: pino.destination(join(logsDir, "operator.log")) }),
        healthAddress: "127.0.0.1:0",
        leaderElection: false,
      }),
    );
    supervisor.started("the operator", () => operator.stop());
    progress.step(
      `operator running (metering every ${options.meteringIntervalMs / 1000} s; metrics ${operator.runtime.healthUrl}/metrics)`,
    );

    // Contributors first, then contracts once the extender can place on them.
    const isContract = (doc: ExampleDocument): boolean => doc.object.kind === KIND.ComputeContract;
    // In a cluster we did not start, the demo's objects go before the operator stops (it honours their finalizers).
    if (!cluster.local)
      supervisor.started("the demo in the cluster (contracts settle and close, then contributors go)", () =>
        removeDemoWorkload(cluster.kubeconfigPath, workload, accounts, created),
      );
    await step(
      applyExampleFiles(
        workload.examples.filter((doc) => !isContract(doc)),
        cluster.kubeconfigPath,
        progress,
      ),
    );
    if (workload.demoNodes.length > 0) {
      await step(kubectlApply(cluster.kubeconfigPath, workload.demoNodes, "the demo's contributor nodes"));
      progress.step(
        `applied the demo's contributor nodes: ${workload.demoNodes.map((n) => n.metadata.name).join(", ")}`,
      );
    }
    const kube = new KubeClient(cluster.kubeConfig);
    await step(
      waitForContributorsPlaceable(
        extender,
        contributors.map((cn) => cn.spec.nodeName),
      ),
    );
    progress.step(`all ${contributors.length} contributor nodes registered on chain and online`);

    const escrows = await step(
      openPrefundedEscrows(chainClient, contractsOf(workload), accounts.payer, accounts.operator.address),
    );
    for (const [example, opened] of escrows)
      progress.step(`opened escrow ${opened} on chain for the contract that names ${example}`);
    await step(
      applyExampleFiles(
        workload.examples.filter(isContract).map((doc) => ({
          ...doc,
          object: withOpenedEscrow(
            doc.object as unknown as ComputeContract,
            escrows,
          ) as unknown as ExampleDocument["object"],
        })),
        cluster.kubeconfigPath,
        progress,
      ),
    );

    const reader = new DemoStatusReader(
      kube,
      chainClient,
      new Set(contractsOf(workload).map((cc) => `${cc.metadata.namespace ?? "default"}/${cc.metadata.name}`)),
    );
    const status = await untilSettled(reader, progress, () => stopRequested, supervisor.failure, stop);
    if (status === undefined) throw new StopRequested();
    result.secondsToSettled = progress.elapsedSeconds;
    result.status = status;
    progress.step(`all Running and settled in ${result.secondsToSettled.toFixed(1)} s`);
    // Where Prometheus would scrape each component (config/monitoring's jobs).
    const metrics = {
      operator: `${operator.runtime.healthUrl}/metrics`,
      "scheduler-extender": `${extender.url}/metrics`,
      chain: chain.metricsUrl,
    };
    progress.text(contractTable(status));
    progress.text(contributorTable(status));
    progress.text(
      [
        `explorer:   ${chain.explorerUrl}`,
        `chain RPC:  ${chain.rpcUrl}   (node cli/uranus.js --node ${chain.rpcUrl} query contracts --payer ${accounts.payer.address})`,
        `kubectl:    export KUBECONFIG=${cluster.kubeconfigPath}; ${binaryPath("kubectl")} get uranus -A`,
        `metrics:    ${Object.entries(metrics)
          .map(([name, url]) => `${name} ${url}`)
          .join("  ")}`,
        `logs:       ${logsDir}`,
      ].join("\n"),
    );
    progress.event("ready", {
      secondsToSettled: Number(result.secondsToSettled.toFixed(1)),
      metrics,
      explorerUrl: chain.explorerUrl,
      rpcUrl: chain.rpcUrl,
      kubeconfig: cluster.kubeconfigPath,
      stateDir,
      status: statusJson(status),
    });
    progress.step("ready; press Ctrl-C to stop everything");
    await Promise.race([stop, supervisor.failure]);
    return result;
  } catch (error) {
    if (!(error instanceof StopRequested)) throw error;
    return result;
  } finally {
    await supervisor.stopAll((line) => progress.step(line));
    rmSync(stateDir, { recursive: true, force: true });
    signal.dispose();
    progress.step(`stopped; ${stateDir} removed`);
  }
}

/** Polls until every contract runs and the first settlement is on chain; undefined when a stop was asked first. */
async function untilSettled(
  reader: DemoStatusReader,
  progress: Progress,
  stopped: () => boolean,
  failure: Promise<never>,
  stop: Promise<void>,
): Promise<DemoStatus | undefined> {
  for (;;) {
    if (stopped()) return undefined;
    let status: DemoStatus | undefined;
    try {
      status = await Promise.race([reader.read(), failure]);
    } catch (error) {
      if (error instanceof ComponentFailed) throw error;
      progress.status(`cannot read the status yet: ${(error as Error).message}`, {
        error: (error as Error).message,
      });
    }
    if (status !== undefined) {
      progress.status(statusLine(status), statusJson(status));
      if (allRunningAndSettled(status)) return status;
    }
    await Promise.race([new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS)), stop, failure]);
  }
}

/** `kubectl apply` per example file, in file order. */
async function applyExampleFiles(
  docs: ExampleDocument[],
  kubeconfigPath: string,
  progress: Progress,
): Promise<void> {
  for (const file of [...new Set(docs.map((doc) => doc.file))]) {
    await kubectlApply(
      kubeconfigPath,
      docs.filter((doc) => doc.file === file).map((doc) => doc.object),
      file,
    );
    progress.step(`applied ${file}`);
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

/** Waits for every start to finish, so what did start is known to the supervisor, then fails with the first error. */
async function settleAll<A, B>(starts: [Promise<A>, Promise<B>]): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled(starts);
  if (a.status === "rejected") throw a.reason;
  if (b.status === "rejected") throw b.reason;
  return [a.value, b.value];
}
