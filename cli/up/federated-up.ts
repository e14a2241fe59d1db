// `uranus up --clusters N`: a federation on this machine until Ctrl-C. A CometBFT testnet of N+1 validators with
// Uranus sidecars (one per cluster and one of no cluster's, so the chain stays live with a whole cluster gone);
// N clusters, each its own control plane with the scheduler extender, contributor nodes and an operator that is a
// federation member (cluster-1 … cluster-N, on its own validator's RPC). cluster-1 runs the examples, among them
// a contract for another member; the summary says where each contract runs and how to reach every cluster.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { binaryPath } from "../../process/binaries.js";
import { ChainReader } from "../../operator/chain/chain-reader.js";
import type { FederationSettings } from "../../operator/operator-settings.js";
import { waitFor } from "../../process/wait-for.js";
import { DemoAccounts } from "./demo-accounts.js";
import { startDemoChain } from "./demo-chain.js";
import { startDemoCluster } from "./demo-cluster.js";
import { applyContracts, startClusterComponents, type ClusterComponents } from "./demo-components.js";
import type { DemoStatus } from "./demo-status.js";
import { contractsOf, contributorNodesOf, planDemoWorkload, type DemoWorkload } from "./demo-workload.js";
import { isRemoteEligible, readExamples } from "./example-manifests.js";
import {
  FederatedStatusReader,
  federationDone,
  federationLine,
  type ContractPlacement,
} from "./federated-status.js";
import { contractTable, contributorTable, statusJson } from "./summary-table.js";
import { inSession, settleAll, type SessionOptions } from "./up-session.js";

export interface FederatedUpOptions extends SessionOptions {
  /** Member clusters, at least 2. */
  clusters: number;
  /** The demo's own contributor nodes in each cluster (at least one in each member but the first). */
  nodes: number;
  meteringIntervalMs: number;
}

export interface FederatedCluster {
  clusterId: string;
  kubeconfig: string;
  /** Its operator's chain node. */
  rpcUrl: string;
  contributorNodes: string[];
  logsDir: string;
}

export interface FederatedUpResult {
  stateDir: string;
  secondsToSettled?: number;
  status?: DemoStatus;
  federation?: { clusters: FederatedCluster[]; placements: ContractPlacement[] };
}

/** Block time and offline timeout: a silent member is offline, and its orders move, after about 10 s. */
const BLOCK_TIME_MS = 1000;
const FEDERATION_PARAMS = { federation: { heartbeatTimeoutBlocks: 10 } };
const MEMBERS_ONLINE_TIMEOUT_MS = 60_000;
/** Where a member says the workloads it runs for other clusters are reached. */
/** A name per member under .localhost (loopback to curl and most resolvers); an EndpointSlice refuses 127.0.0.1. */
const endpointHost = (clusterId: string): string => `${clusterId}.localhost`;

interface ClusterPlan {
  clusterId: string;
  accounts: DemoAccounts;
  workload: DemoWorkload;
  dir: string;
  logsDir: string;
}

function plan(stateDir: string, clusters: number, nodes: number): ClusterPlan[] {
  return Array.from({ length: clusters }, (_, i) => {
    const clusterId = `cluster-${i + 1}`;
    const accounts = new DemoAccounts();
    const workload =
      i === 0
        ? planDemoWorkload(readExamples(), accounts, nodes)
        : planDemoWorkload([], accounts, Math.max(1, nodes), `${clusterId}-node-`);
    const dir = join(stateDir, clusterId);
    return { clusterId, accounts, workload, dir, logsDir: join(dir, "logs") };
  });
}

/** What a member offers: its contributors' regions and isolation, its endpoints on loopback. */
function membership(clusterId: string, workload: DemoWorkload): FederationSettings {
  const nodes = contributorNodesOf(workload);
  return {
    regions: [...new Set(nodes.map((cn) => cn.spec.region))].sort(),
    isolation: [...new Set(nodes.flatMap((cn) => cn.spec.isolation ?? ["runc"]))].sort(),
    endpointHost: endpointHost(clusterId),
    portFirst: 30000,
    portLast: 32767,
  };
}

const contractKey = (doc: { object: { metadata: { name: string; namespace?: string } } }): string =>
  `${doc.object.metadata.namespace ?? "default"}/${doc.object.metadata.name}`;

export async function federatedUp(options: FederatedUpOptions): Promise<FederatedUpResult> {
  if (!Number.isInteger(options.clusters) || options.clusters < 2)
    throw new Error(`a federation needs at least 2 clusters, got ${options.clusters}`);
  return inSession<FederatedUpResult>(
    options,
    (session) => ({ stateDir: session.stateDir }),
    async (session, result) => {
      const { progress, supervisor, stateDir } = session;
      const plans = plan(stateDir, options.clusters, options.nodes);
      for (const p of plans) mkdirSync(p.logsDir, { recursive: true });
      const home = plans[0]!;
      const remote = new Set(home.workload.examples.filter(isRemoteEligible).map(contractKey));
      const validators = options.clusters + 1;
      // Each cluster's operator also operates its validator, so the chain sees a whole cluster's silence twice.
      const operators = plans.map((p) => p.accounts.operator);
      const operatorAddresses = new Set(operators.map((w) => w.address));
      const accounts = plans
        .flatMap((p) => p.accounts.genesisAccounts())
        .filter((a) => !operatorAddresses.has(a.address));
      progress.step(
        `federation demo: ${options.clusters} clusters, each its own control plane, contributor nodes and operator, ` +
          `over a CometBFT testnet of ${validators} validators; ${home.clusterId} applies ` +
          `${contractsOf(home.workload).length} example contracts (${remote.size} for another cluster); ` +
          `${accounts.length} funded accounts`,
      );
      progress.step(
        `starting ${options.clusters} local control planes and the ${validators}-validator chain`,
      );
      const [clusters, chain] = await session.step(
        settleAll([
          settleAll(
            plans.map((p) =>
              startDemoCluster({
                dir: join(p.dir, "control-plane"),
                logsDir: p.logsDir,
                supervisor,
                name: `${p.clusterId}: the local control plane`,
                progress: (line) => {
                  if (line.startsWith("control plane ready")) progress.step(`  ${p.clusterId}: ${line}`);
                },
              }),
            ),
          ),
          startDemoChain({
            mode: "cometbft",
            dir: join(stateDir, "chain"),
            logsDir: session.logsDir,
            accounts,
            meteringIntervalSeconds: Math.max(1, Math.round(options.meteringIntervalMs / 1000)),
            supervisor,
            validators,
            validatorOperators: operators,
            blockTimeMs: BLOCK_TIME_MS,
            params: FEDERATION_PARAMS,
          }).then((started) => {
            progress.step(
              `  chain ${started.chainId}: ${validators} validators committing blocks, RPC ${started.nodeRpcUrls.join(" ")}`,
            );
            return started;
          }),
        ]),
      );

      // Cluster i's operator talks to validator i; the last validator belongs to no cluster.
      const components: ClusterComponents[] = await session.step(
        settleAll(
          plans.map((p, i) =>
            startClusterComponents(session, {
              cluster: clusters[i]!,
              chainRpcUrl: chain.nodeRpcUrls[i]!,
              workload: p.workload,
              accounts: p.accounts,
              logsDir: p.logsDir,
              meteringIntervalMs: options.meteringIntervalMs,
              member: { clusterId: p.clusterId, federation: membership(p.clusterId, p.workload) },
              say: (line) => progress.step(`${p.clusterId}: ${line}`),
              label: p.clusterId,
              processMetrics: i === 0,
            }),
          ),
        ),
      );
      const online = await session.step(waitForMembers(components[0]!, plans));
      progress.step(`all ${plans.length} clusters registered on chain and online: ${online}`);

      await applyContracts(session, components[0]!, clusters[0]!, home.workload, home.accounts, (line) =>
        progress.step(`${home.clusterId}: ${line}`),
      );
      const reader = new FederatedStatusReader(
        plans.map((p, i) => ({
          clusterId: p.clusterId,
          kube: components[i]!.kube,
          chain: components[i]!.chainClient,
        })),
        new Set(
          contractsOf(home.workload).map((cc) => `${cc.metadata.namespace ?? "default"}/${cc.metadata.name}`),
        ),
      );
      const status = await session.untilDone(
        () => reader.read(),
        (read) => ({
          line: federationLine(read, remote),
          json: statusJson(read),
          done: federationDone(read, remote),
        }),
      );
      result.secondsToSettled = progress.elapsedSeconds;
      result.status = status;
      const summary: FederatedCluster[] = plans.map((p, i) => ({
        clusterId: p.clusterId,
        kubeconfig: clusters[i]!.kubeconfigPath,
        rpcUrl: chain.nodeRpcUrls[i]!,
        contributorNodes: contributorNodesOf(p.workload).map((cn) => cn.spec.nodeName),
        logsDir: p.logsDir,
      }));
      const placements = reader.placements(status, remote);
      result.federation = { clusters: summary, placements };
      progress.step(`all Running and settled in ${result.secondsToSettled.toFixed(1)} s`);
      for (const placed of placements.filter((p) => remote.has(p.contract)))
        progress.step(`${placed.contract}, applied in ${placed.home}, runs in ${placed.cluster}`);
      progress.text(contractTable(status, home.clusterId));
      progress.text(contributorTable(status));
      const kubectl = binaryPath("kubectl");
      progress.text(
        [
          `explorer:   ${chain.explorerUrl}`,
          `chain RPC:  ${chain.nodeRpcUrls.map((url, i) => `${url} (${plans[i]?.clusterId ?? "no cluster"})`).join("  ")}`,
          `kubectl:    ${kubectl} get cc -A   (the Cluster column: where each contract runs), with`,
          ...summary.map((c) => `  ${c.clusterId}: export KUBECONFIG=${c.kubeconfig}`),
          `logs:       ${summary.map((c) => c.logsDir).join("  ")}  ${join(stateDir, "chain")}`,
        ].join("\n"),
      );
      progress.event("ready", {
        secondsToSettled: Number(result.secondsToSettled.toFixed(1)),
        explorerUrl: chain.explorerUrl,
        rpcUrl: chain.rpcUrl,
        stateDir,
        clusters: summary,
        placements,
        status: statusJson(status),
      });
      progress.step("ready; press Ctrl-C to stop everything");
      await session.untilStopped();
    },
  );
}

/** Until the chain holds every cluster online with free SCU; says how much each has. */
async function waitForMembers(home: ClusterComponents, plans: ClusterPlan[]): Promise<string> {
  const reader = new ChainReader(home.chainClient);
  const ids = plans.map((p) => p.clusterId);
  let seen = "none yet";
  try {
    return await waitFor(
      async () => {
        const clusters = (await reader.federation.clusters()).filter((c) => ids.includes(c.id));
        seen = clusters.map((c) => `${c.id} ${c.online ? "online" : "offline"}`).join(", ");
        const ready = clusters.filter((c) => c.online && c.freeScu > 0);
        return ready.length === ids.length
          ? ready.map((c) => `${c.id} (${c.freeScu} SCU free)`).join(", ")
          : undefined;
      },
      { timeoutMs: MEMBERS_ONLINE_TIMEOUT_MS, intervalMs: 250, description: "every cluster online on chain" },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message} (${seen})`);
  }
}
