// Another member cluster of a federation: its own control plane (etcd, kube-apiserver, kube-scheduler, kwok), kwok
// contributor nodes, and its operator (in this process) on the world's chain, registered as `clusterId`.
import type { Wallet } from "ethers";
import { API_VERSION, KIND, type ContributorNode } from "../../../../crds/types.js";
import { installCrds } from "../../../../crds/install.js";
import { NAMESPACE, NODE, SECRET } from "../../../../kube-runtime/builtin-resources.js";
import { KubeClient } from "../../../../kube-runtime/kube-client.js";
import type { KubeObject } from "../../../../kube-runtime/resource.js";
import { startControlPlane, type ControlPlane } from "../../../../local-cluster/control-plane.js";
import { fakeNodeManifest } from "../../../../local-cluster/fake-nodes.js";
import { startOperator, type RunningOperator } from "../../../../operator/start-operator.js";
import type { OperatorSettings } from "../../../../operator/operator-settings.js";
import { CONTRIBUTOR_NODE } from "../../../../operator/uranus-resources.js";
import { FUNDS, NODE_PRICE, randomWallet, type OperatorWorld } from "./operator-world.js";

export interface MemberCluster {
  readonly clusterId: string;
  readonly controlPlane: ControlPlane;
  readonly client: KubeClient;
  readonly operatorKey: Wallet;
  operator: RunningOperator | undefined;
  /** Its operator alone stops (the chain hears nothing from the cluster) or starts again. */
  stopOperator(): Promise<void>;
  startOperator(): Promise<void>;
  /** The operator, apiserver and the rest gone at once, as when the cluster's machine dies; idempotent. */
  stop(): Promise<void>;
}

/** Keys a member needs funded at genesis: its operator's and one contributor owner's. */
export function memberKeys(): {
  operator: Wallet;
  owner: Wallet;
  accounts: { address: string; balance: bigint }[];
} {
  const operator = randomWallet();
  const owner = randomWallet();
  return {
    operator,
    owner,
    accounts: [operator, owner].map((w) => ({ address: w.address, balance: FUNDS })),
  };
}

function secret(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
  } as KubeObject;
}

export async function startMemberCluster(
  world: OperatorWorld,
  clusterId: string,
  keys: ReturnType<typeof memberKeys>,
  options: { nodes?: number; region?: string } = {},
): Promise<MemberCluster> {
  const controlPlane = await startControlPlane();
  let stopped = false;
  let operator: RunningOperator | undefined;
  let settings: OperatorSettings | undefined;
  const member: MemberCluster = {
    clusterId,
    controlPlane,
    client: new KubeClient(controlPlane.kubeConfig),
    operatorKey: keys.operator,
    get operator() {
      return operator;
    },
    set operator(value) {
      operator = value;
    },
    async stopOperator() {
      await operator?.stop();
      operator = undefined;
    },
    async startOperator() {
      operator = await startOperator({
        kubeConfig: controlPlane.kubeConfig,
        chainEndpoint: world.chain.rpcUrl,
        settings: settings!,
        blockPollMs: 100,
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await member.stopOperator();
      await controlPlane.stop();
    },
  };
  try {
    await installCrds(controlPlane.kubeConfig);
    const client = member.client;
    const namespace = "uranus-system";
    await client.create(NAMESPACE, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    await client.create(
      SECRET,
      secret(namespace, "uranus-operator-key", { privateKey: keys.operator.privateKey }),
    );
    await client.create(
      SECRET,
      secret(namespace, "uranus-contributor-keys", {
        [keys.owner.address.toLowerCase()]: keys.owner.privateKey,
      }),
    );
    const region = options.region ?? "eu-west";
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
          pricePerSCUHour: NODE_PRICE.toString(),
        },
      };
      await client.create(CONTRIBUTOR_NODE, cn);
    }
    settings = {
      namespace,
      operatorKeySecret: { name: "uranus-operator-key", key: "privateKey" },
      contributorKeysSecret: "uranus-contributor-keys",
      clusterId,
      federation: {
        regions: [region],
        isolation: ["runc"],
        endpointHost: `${clusterId}.example`,
        portFirst: 30000,
        portLast: 32767,
      },
      heartbeatIntervalMs: 1_000,
      contractPollMs: 1_000,
      meteringIntervalMs: 3_000,
      workers: 4,
      podGracePeriodSeconds: 1,
    };
    await member.startOperator();
    return member;
  } catch (error) {
    await member.stop();
    throw error;
  }
}
