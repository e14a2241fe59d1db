// `uranus up`: the whole system on this machine (or on the cluster KUBECONFIG names) until Ctrl-C: control plane,
// chain, scheduler extender and operator; the examples applied; live progress until every contract runs and the
// first settlement is on chain; then a summary, and everything stopped and removed on Ctrl-C. With `clusters` > 1,
// a federation of that many local clusters instead (federated-up.ts).
import { join } from "node:path";
import { binaryPath } from "../../process/binaries.js";
import { DemoAccounts } from "./demo-accounts.js";
import { startDemoChain, type ChainMode, type DemoChain } from "./demo-chain.js";
import { startDemoCluster, type DemoCluster } from "./demo-cluster.js";
import { applyContracts, startClusterComponents } from "./demo-components.js";
import { allRunningAndSettled, DemoStatusReader, statusLine, type DemoStatus } from "./demo-status.js";
import { contractsOf, contributorNodesOf, planDemoWorkload } from "./demo-workload.js";
import { localExamples } from "./example-manifests.js";
import { adoptRealNodes, realNodeOwnerRole } from "./real-node-workload.js";
import { serviceCurl } from "./service-curl.js";
import { federatedUp, type FederatedUpResult } from "./federated-up.js";
import { contractTable, contributorTable, statusJson } from "./summary-table.js";
import { inSession, settleAll, type SessionOptions } from "./up-session.js";

export interface UpOptions extends SessionOptions {
  /** Contributor nodes the demo adds beside the examples', each owned by a demo account of its own (per cluster). */
  nodes: number;
  chain: ChainMode;
  meteringIntervalMs: number;
  /** An existing cluster; a local control plane when undefined. */
  kubeconfig?: string;
  /** Local clusters federated over one CometBFT testnet; 1 (the default) is the single-cluster demo. */
  clusters?: number;
  /** Real (kubelet + containerd) nodes beside kwok in the local control plane, where the machine can. */
  realNodes?: number;
}

export interface UpResult {
  stateDir: string;
  /** Seconds from the command's start to every contract Running and the first settlement on chain. */
  secondsToSettled?: number;
  status?: DemoStatus;
  /** With several clusters: each cluster and where every contract runs. */
  federation?: FederatedUpResult["federation"];
}

export async function up(options: UpOptions): Promise<UpResult> {
  const clusters = options.clusters ?? 1;
  if (clusters > 1) {
    if (options.kubeconfig !== undefined || options.chain !== "cometbft")
      throw new Error(
        "several clusters run on local control planes and a CometBFT testnet: unset KUBECONFIG, no --chain solo",
      );
    return federatedUp({ ...options, clusters });
  }
  return inSession<UpResult>(
    options,
    (session) => ({ stateDir: session.stateDir }),
    async (session, result) => {
      const { progress, stateDir, logsDir, supervisor } = session;
      const step = <T>(work: Promise<T>): Promise<T> => session.step(work);
      const accounts = new DemoAccounts();
      let workload = planDemoWorkload(localExamples(), accounts, options.nodes);
      const realNodes = options.kubeconfig === undefined ? (options.realNodes ?? 0) : 0;
      // Funded at genesis, which starts before the real nodes have names.
      for (let i = 0; i < realNodes; i++) accounts.owner(realNodeOwnerRole(i));
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
        settleAll<[DemoCluster, DemoChain]>([
          startDemoCluster({
            kubeconfig: options.kubeconfig,
            dir: join(stateDir, "control-plane"),
            logsDir,
            supervisor,
            progress: (line) => progress.step(`  control plane: ${line}`),
            realNodes,
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

      const say = (line: string): void => progress.step(line);
      const adopted = await step(
        adoptRealNodes(cluster.kubeConfig, cluster.realNodes, cluster.images, workload, accounts),
      );
      workload = adopted.workload;
      if (adopted.onRealNodes.length > 0)
        say(
          `real nodes ${cluster.realNodes.join(", ")} (tainted for contracts that can run there): ` +
            `${adopted.onRealNodes.join(", ")} will run on them`,
        );
      const components = await startClusterComponents(session, {
        cluster,
        chainRpcUrl: chain.rpcUrl,
        workload,
        accounts,
        logsDir,
        meteringIntervalMs: options.meteringIntervalMs,
        say,
      });
      const { extender, operator, chainClient, kube } = components;
      await applyContracts(session, components, cluster, workload, accounts, say);

      const reader = new DemoStatusReader(
        kube,
        chainClient,
        new Set(
          contractsOf(workload).map((cc) => `${cc.metadata.namespace ?? "default"}/${cc.metadata.name}`),
        ),
      );
      const status = await session.untilDone(
        () => reader.read(),
        (read) => ({ line: statusLine(read), json: statusJson(read), done: allRunningAndSettled(read) }),
      );
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
      const curls = await Promise.all(
        contractsOf(workload)
          .filter((cc) => adopted.onRealNodes.includes(cc.metadata.name!))
          .map((cc) => serviceCurl(kube, cc.metadata.namespace ?? "default", cc.metadata.name!)),
      );
      for (const curl of curls.filter((c) => c !== undefined))
        progress.text(
          `curl:       curl -s ${curl.url}   (${curl.contract} on a real node; here: ${curl.answer})`,
        );
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
      await session.untilStopped();
    },
  );
}
