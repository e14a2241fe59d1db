// A member cluster of a federation: its own control plane (etcd, kube-apiserver, kube-scheduler, kwok), kwok
// contributor nodes, and its operator on a chain node's RPC, registered as `clusterId`. The operator runs in this
// process, or as its own process (`uranus operator run --federate`) that a test can SIGKILL with the control plane.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import {
  API_VERSION,
  KIND,
  type ClusterPlacement,
  type ComputeContract,
  type ContributorNode,
} from "../../crds/types.js";
import { installCrds } from "../../crds/install.js";
import { NAMESPACE, NODE, SECRET } from "../../kube-runtime/builtin-resources.js";
import { KubeClient } from "../../kube-runtime/kube-client.js";
import type { KubeObject } from "../../kube-runtime/resource.js";
import { startControlPlane, type ControlPlane } from "../../local-cluster/control-plane.js";
import { fakeNodeManifest } from "../../local-cluster/fake-nodes.js";
import { startProcess, type ManagedProcess } from "../../process/managed-process.js";
import { waitFor } from "../../process/wait-for.js";
import { startOperator, type RunningOperator } from "../../operator/start-operator.js";
import { createLogger } from "../../observability/logger.js";
import type { FederationSettings, OperatorSettings } from "../../operator/operator-settings.js";
import { CONTRIBUTOR_NODE } from "../../operator/uranus-resources.js";

/** Every account a member uses gets this much at genesis. */
export const MEMBER_FUNDS = 10n ** 15n;
/** Price per SCU-hour of every member node. */
export const MEMBER_NODE_PRICE = 1_000_000n;
export const MEMBER_NAMESPACE = "uranus-system";

export interface MemberKeys {
  operator: Wallet;
  owner: Wallet;
  accounts: { address: string; balance: bigint }[];
}

/** Keys a member needs funded at genesis: its operator's and one contributor owner's. */
export function memberKeys(): MemberKeys {
  const operator = new Wallet(Wallet.createRandom().privateKey);
  const owner = new Wallet(Wallet.createRandom().privateKey);
  return {
    operator,
    owner,
    accounts: [operator, owner].map((w) => ({ address: w.address, balance: MEMBER_FUNDS })),
  };
}

/** A one-replica contract of `namespace`, paid from its Secret payer-key, placed as `clusters` says. */
export function memberContract(
  name: string,
  namespace: string,
  clusters: ClusterPlacement,
  recoverWithinSeconds = 30,
): ComputeContract {
  return {
    apiVersion: API_VERSION,
    kind: KIND.ComputeContract,
    metadata: { name, namespace },
    spec: {
      maxPricePerSCUHour: (2n * MEMBER_NODE_PRICE).toString(),
      budget: (10n ** 12n).toString(),
      duration: "24h",
      sla: { recoverWithin: `${recoverWithinSeconds}s` },
      placement: { clusters },
      payer: { secretRef: { name: "payer-key" } },
      template: { spec: { image: "registry.example/worker:1.0", size: { scu: 1 } } },
    },
  };
}

/** A namespace of the member holding the payer's key as Secret payer-key, for memberContract. */
export async function createPayerNamespace(
  member: MemberCluster,
  namespace: string,
  payer: Wallet,
): Promise<void> {
  await member.client.create(NAMESPACE, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: namespace },
  });
  await member.client.create(
    SECRET,
    secretManifest(namespace, "payer-key", { privateKey: payer.privateKey }),
  );
}

export interface MemberCluster {
  readonly clusterId: string;
  readonly controlPlane: ControlPlane;
  readonly client: KubeClient;
  readonly operatorKey: Wallet;
  /** The in-process operator, when it runs in this process. */
  readonly operator: RunningOperator | undefined;
  /** Its operator alone stops (the chain hears nothing from the cluster) or starts again. */
  stopOperator(): Promise<void>;
  startOperator(): Promise<void>;
  /** SIGKILL to the operator process alone (it must run as one); startOperator() brings it back. */
  killOperator(): Promise<void>;
  /** SIGKILL to the operator process and every control-plane process at once, as when the machine dies. */
  kill(): void;
  /** Everything stopped and removed; idempotent. */
  stop(): Promise<void>;
}

export interface MemberOptions {
  nodes?: number;
  region?: string;
  /** Run the operator as a process of the CLI (so kill() can SIGKILL it); in this process otherwise. */
  operatorProcess?: boolean;
  /** Seconds between heartbeats and order passes; 1 by default. */
  heartbeatSeconds?: number;
}

/** A Secret of plain-text entries (base64-encoded here). */
export function secretManifest(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
  } as KubeObject;
}

function operatorArgs(
  kubeconfig: string,
  chainRpc: string,
  clusterId: string,
  f: FederationSettings,
): string[] {
  return [
    "cli/uranus.js",
    "operator",
    "run",
    `--kubeconfig=${kubeconfig}`,
    `--chain-rpc=${chainRpc}`,
    `--namespace=${MEMBER_NAMESPACE}`,
    "--federate",
    `--cluster-id=${clusterId}`,
    `--regions=${f.regions.join(",")}`,
    `--isolation=${f.isolation.join(",")}`,
    `--endpoint-host=${f.endpointHost}`,
    `--port-range=${f.portFirst}-${f.portLast}`,
    "--heartbeat-interval=1s",
    "--contract-poll=1s",
    "--metering-interval=3s",
    "--block-poll=100ms",
    "--pod-grace-period=1",
    "--no-leader-elect",
    "--health-address=127.0.0.1:0",
    "--log-level=info",
  ];
}

export async function startMemberCluster(
  chainRpc: string,
  clusterId: string,
  keys: MemberKeys,
  options: MemberOptions = {},
): Promise<MemberCluster> {
  const controlPlane = await startControlPlane();
  const logDir = mkdtempSync(join(tmpdir(), `uranus-member-${clusterId}-`));
  const region = options.region ?? "eu-west";
  const federation: FederationSettings = {
    regions: [region],
    isolation: ["runc"],
    endpointHost: `${clusterId}.example`,
    portFirst: 30000,
    portLast: 32767,
  };
  const settings: OperatorSettings = {
    namespace: MEMBER_NAMESPACE,
    operatorKeySecret: { name: "uranus-operator-key", key: "privateKey" },
    contributorKeysSecret: "uranus-contributor-keys",
    clusterId,
    federation,
    heartbeatIntervalMs: (options.heartbeatSeconds ?? 1) * 1000,
    contractPollMs: 1_000,
    meteringIntervalMs: 3_000,
    workers: 4,
    podGracePeriodSeconds: 1,
  };
  let stopped = false;
  let inProcess: RunningOperator | undefined;
  let child: ManagedProcess | undefined;
  const member: MemberCluster = {
    clusterId,
    controlPlane,
    client: new KubeClient(controlPlane.kubeConfig),
    operatorKey: keys.operator,
    get operator() {
      return inProcess;
    },
    async stopOperator() {
      await inProcess?.stop();
      inProcess = undefined;
      await child?.stop();
      child = undefined;
    },
    async startOperator() {
      if (options.operatorProcess === true) {
        child = startProcess(
          `uranus-operator-${clusterId}`,
          process.execPath,
          operatorArgs(controlPlane.kubeconfigPath, chainRpc, clusterId, federation),
          { logFile: join(logDir, "operator.log") },
        );
        return;
      }
      inProcess = await startOperator({
        kubeConfig: controlPlane.kubeConfig,
        chainEndpoint: chainRpc,
        settings,
        blockPollMs: 100,
        ...(process.env.URANUS_OPERATOR_LOG === undefined
          ? {}
          : { logger: createLogger({ level: process.env.URANUS_OPERATOR_LOG }) }),
      });
    },
    async killOperator() {
      if (child === undefined) throw new Error(`${clusterId}'s operator does not run as a process`);
      const running = child;
      child = undefined;
      running.child.kill("SIGKILL");
      await waitFor(() => running.exited() || undefined, {
        timeoutMs: 10_000,
        intervalMs: 20,
        description: `${clusterId}'s operator to die`,
      });
    },
    kill() {
      for (const pid of [child?.pid, ...controlPlane.processes.map((p) => p.pid)]) {
        if (pid === undefined) continue;
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await member.stopOperator();
      await controlPlane.stop();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
  try {
    await installCrds(controlPlane.kubeConfig);
    const client = member.client;
    await client.create(NAMESPACE, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: MEMBER_NAMESPACE },
    });
    await client.create(
      SECRET,
      secretManifest(MEMBER_NAMESPACE, "uranus-operator-key", { privateKey: keys.operator.privateKey }),
    );
    await client.create(
      SECRET,
      secretManifest(MEMBER_NAMESPACE, "uranus-contributor-keys", {
        [keys.owner.address.toLowerCase()]: keys.owner.privateKey,
      }),
    );
    for (let i = 0; i < (options.nodes ?? 2); i++) {
      const name = `${clusterId}-node-${i}`;
      await client.create(
        NODE,
        fakeNodeManifest(name, { capacity: { cpu: "16", memory: "64Gi", pods: "110" } }, 0) as KubeObject,
      );
      const cn: ContributorNode = {
        apiVersion: API_VERSION,
        kind: KIND.ContributorNode,
        metadata: { name },
        spec: {
          nodeName: name,
          owner: keys.owner.address.toLowerCase(),
          region,
          pricePerSCUHour: MEMBER_NODE_PRICE.toString(),
        },
      };
      await client.create(CONTRIBUTOR_NODE, cn);
    }
    await member.startOperator();
    return member;
  } catch (error) {
    await member.stop();
    throw error;
  }
}
