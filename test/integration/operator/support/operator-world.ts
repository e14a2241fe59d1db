// A world for operator tests on the real control plane: its own namespaces, kwok contributor Nodes with their
// ContributorNodes, a solo Uranus chain with funded keys, the key Secrets, and the operator (in this process).
import { randomBytes } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";
import { Wallet } from "ethers";
import {
  API_VERSION,
  KIND,
  type ComputeContract,
  type ComputeContractSpec,
  type ContainerPort,
  type ContributorNode,
  type Toleration,
} from "../../../../crds/types.js";
import { installCrds } from "../../../../crds/install.js";
import { fakeNodeManifest } from "../../../../local-cluster/fake-nodes.js";
import { waitFor } from "../../../../process/wait-for.js";
import { startOperator, type RunningOperator } from "../../../../operator/start-operator.js";
import { createLogger, type Logger } from "../../../../observability/logger.js";
import type { OperatorSettings } from "../../../../operator/operator-settings.js";
import { NAMESPACE, NODE, SECRET } from "../../../../kube-runtime/builtin-resources.js";
import { KubeClient } from "../../../../kube-runtime/kube-client.js";
import type { KubeObject } from "../../../../kube-runtime/resource.js";
import { COMPUTE_CONTRACT, CONTRIBUTOR_NODE } from "../../../../operator/uranus-resources.js";
import { ChainReader } from "../../../../operator/chain/chain-reader.js";
import { secretManifest } from "../../../support/member-cluster.js";
import { sharedControlPlane, type SharedControlPlane } from "../../../support/control-plane.js";
import { startSoloChain, type SoloChain, type SoloChainOptions } from "./solo-chain.js";

/** Nodes of one world carry this label; its contracts require it, so worlds sharing a cluster stay apart. */
export const GROUP_LABEL = "uranus.test/group";
export const NODE_PRICE = 1_000_000n;
export const FUNDS = 10n ** 15n;

export interface WorldOptions {
  nodes: number;
  /** Nodes per owner (contributor); default 1, so every node is its own contributor. */
  nodesPerOwner?: number;
  payerBalance?: bigint;
  chain?: Omit<SoloChainOptions, "accounts">;
  capacity?: { cpu?: string; memory?: string; pods?: string };
  /** Every node's price per SCU-hour; NODE_PRICE unless given (0 donates the nodes). */
  nodePrice?: bigint;
  /** More accounts funded at genesis (other member clusters' keys, say). */
  moreAccounts?: { address: string; balance: bigint }[];
  /** A control plane of the suite's own (one with real nodes, say); the shared one when omitted. */
  kube?: SharedControlPlane;
  /** Nodes already there (real ones) that join the world as contributors after the kwok ones. */
  adoptNodes?: string[];
  /** Each node's region, by index; eu-west where not given. */
  regions?: string[];
}

export interface OperatorWorld {
  readonly group: string;
  /** The operator's namespace (key Secrets, Lease). */
  readonly operatorNamespace: string;
  /** Where contracts go. */
  readonly namespace: string;
  readonly kube: SharedControlPlane;
  readonly client: KubeClient;
  readonly chain: SoloChain;
  readonly operatorKey: Wallet;
  readonly payer: Wallet;
  readonly owners: Wallet[];
  readonly nodeNames: string[];
  readonly settings: OperatorSettings;
  operator: RunningOperator | undefined;
  /** Starts the operator in this process, by default with the admin kubeconfig and without leader election. */
  startOperator(options?: {
    kubeConfig?: KubeConfig;
    leaderElection?: boolean;
    logger?: Logger;
  }): Promise<RunningOperator>;
  stopOperator(): Promise<void>;
  /** Everything the world created, gone (chain stopped, namespaces and nodes deleted). */
  stop(): Promise<void>;
}

export function randomWallet(): Wallet {
  return new Wallet(Wallet.createRandom().privateKey);
}

export async function createWorld(options: WorldOptions): Promise<OperatorWorld> {
  const kube = options.kube ?? (await sharedControlPlane());
  await installCrds(kube.kubeConfig);
  const client = new KubeClient(kube.kubeConfig);
  const group = `op-${randomBytes(4).toString("hex")}`;
  const operatorNamespace = `${group}-system`;
  const namespace = `${group}-work`;
  const operatorKey = randomWallet();
  const payer = randomWallet();
  const perOwner = options.nodesPerOwner ?? 1;
  const adopted = options.adoptNodes ?? [];
  const ownerCount = Math.ceil((options.nodes + adopted.length) / perOwner);
  const owners = Array.from({ length: ownerCount }, () => randomWallet());
  const chain = await startSoloChain({
    ...options.chain,
    accounts: [
      { address: operatorKey.address, balance: FUNDS },
      { address: payer.address, balance: options.payerBalance ?? FUNDS },
      ...owners.map((owner) => ({ address: owner.address, balance: FUNDS })),
      ...(options.moreAccounts ?? []),
    ],
  });
  for (const ns of [operatorNamespace, namespace])
    await client.create(NAMESPACE, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  await client.create(
    SECRET,
    secretManifest(operatorNamespace, "uranus-operator-key", { privateKey: operatorKey.privateKey }),
  );
  await client.create(
    SECRET,
    secretManifest(
      operatorNamespace,
      "uranus-contributor-keys",
      Object.fromEntries(owners.map((owner) => [owner.address.toLowerCase(), owner.privateKey])),
    ),
  );
  await client.create(SECRET, secretManifest(namespace, "payer-key", { privateKey: payer.privateKey }));

  const fakeNames = Array.from({ length: options.nodes }, (_, i) => `${group}-node-${i}`);
  const capacity = { cpu: "16", memory: "64Gi", pods: "110", ...options.capacity };
  for (const name of fakeNames) {
    await client.create(
      NODE,
      fakeNodeManifest(name, { capacity, labels: () => ({ [GROUP_LABEL]: group }) }, 0) as KubeObject,
    );
  }
  for (const name of adopted)
    await client.mergePatch(NODE, { name }, { metadata: { labels: { [GROUP_LABEL]: group } } });
  const nodeNames = [...fakeNames, ...adopted];
  for (const [i, name] of nodeNames.entries()) {
    const cn: ContributorNode = {
      apiVersion: API_VERSION,
      kind: KIND.ContributorNode,
      metadata: { name, labels: { [GROUP_LABEL]: group } },
      spec: {
        nodeName: name,
        owner: owners[Math.floor(i / perOwner)]!.address.toLowerCase(),
        region: options.regions?.[i] ?? "eu-west",
        pricePerSCUHour: (options.nodePrice ?? NODE_PRICE).toString(),
      },
    };
    await client.create(CONTRIBUTOR_NODE, cn);
  }

  const settings: OperatorSettings = {
    namespace: operatorNamespace,
    operatorKeySecret: { name: "uranus-operator-key", key: "privateKey" },
    contributorKeysSecret: "uranus-contributor-keys",
    watchNamespace: namespace,
    contributorSelector: `${GROUP_LABEL}=${group}`,
    clusterId: "",
    heartbeatIntervalMs: 2_000,
    contractPollMs: 1_000,
    meteringIntervalMs: 3_000,
    workers: 4,
    podGracePeriodSeconds: 1,
  };

  const world: OperatorWorld = {
    group,
    operatorNamespace,
    namespace,
    kube,
    client,
    chain,
    operatorKey,
    payer,
    owners,
    nodeNames,
    settings,
    operator: undefined,
    async startOperator(start = {}) {
      world.operator = await startOperator({
        kubeConfig: start.kubeConfig ?? kube.kubeConfig,
        leaderElection: start.leaderElection,
        chainEndpoint: chain.rpcUrl,
        settings,
        blockPollMs: 100,
        // URANUS_OPERATOR_LOG=debug shows the operator's JSON log while a test runs.
        logger:
          start.logger ??
          (process.env.URANUS_OPERATOR_LOG === undefined
            ? undefined
            : createLogger({ level: process.env.URANUS_OPERATOR_LOG })),
      });
      return world.operator;
    },
    async stopOperator() {
      await world.operator?.stop();
      world.operator = undefined;
    },
    async stop() {
      await world.stopOperator();
      await chain.stop();
      for (const name of nodeNames) {
        await client.delete(NODE, { name });
        await client
          .mergePatch(CONTRIBUTOR_NODE, { name }, { metadata: { finalizers: null } })
          .catch(() => undefined);
        await client.delete(CONTRIBUTOR_NODE, { name });
      }
      for (const ns of [namespace, operatorNamespace]) await client.delete(NAMESPACE, { name: ns });
    },
  };
  return world;
}

/** The Events of the world's namespace, oldest first, one line each: for a failing test's report. */
export async function describeEvents(world: OperatorWorld): Promise<string> {
  const list = await world.client.list<
    KubeObject & { reason?: string; note?: string; regarding?: { name?: string } }
  >(
    { apiVersion: "events.k8s.io/v1", kind: "Event", plural: "events", namespaced: true },
    { namespace: world.namespace },
  );
  return list.items
    .map(
      (e) =>
        `${String(e.metadata.creationTimestamp)} ${e.regarding?.name ?? "?"} ${e.reason ?? ""}: ${e.note ?? ""}`,
    )
    .sort()
    .join("\n");
}

export interface ContractOptions {
  name: string;
  replicas?: number;
  scu?: number;
  maxPrice?: bigint;
  budget?: bigint;
  image?: string;
  secretName?: string;
  escrowContractId?: string;
  spread?: "none" | "preferred" | "required";
  executionPolicy?: "IgnoredDuringExecution" | "RequiredDuringExecution";
  /** Extra required node label (besides the world's group). */
  requireLabel?: { key: string; value: string };
  recoverWithin?: string;
  maxMigrations?: number;
  ports?: ContainerPort[];
  tolerations?: Toleration[];
  imagePullSecrets?: string[];
  billing?: "Reserved" | "Used";
  /** The contract's placement.regions. */
  regions?: string[];
  /** spec.duration: 24h unless given; null leaves it out (the chain's longest). */
  duration?: string | null;
}

export function contractManifest(world: OperatorWorld, options: ContractOptions): ComputeContract {
  const expressions = [{ key: GROUP_LABEL, operator: "In", values: [world.group] }];
  if (options.requireLabel !== undefined)
    expressions.push({ key: options.requireLabel.key, operator: "In", values: [options.requireLabel.value] });
  const spec: ComputeContractSpec = {
    replicas: options.replicas ?? 1,
    maxPricePerSCUHour: (options.maxPrice ?? 2n * NODE_PRICE).toString(),
    budget: (options.budget ?? 10n ** 12n).toString(),
    ...(options.duration === null ? {} : { duration: options.duration ?? "24h" }),
    sla: {
      recoverWithin: options.recoverWithin ?? "10s",
      ...(options.maxMigrations !== undefined ? { maxMigrations: options.maxMigrations } : {}),
    },
    payer:
      options.escrowContractId !== undefined
        ? { escrowContractId: options.escrowContractId }
        : { secretRef: { name: options.secretName ?? "payer-key" } },
    ...(options.billing !== undefined ? { billing: options.billing } : {}),
    ...(options.regions !== undefined ? { placement: { regions: options.regions } } : {}),
    template: {
      spec: {
        image: options.image ?? "registry.example/worker:1.0",
        size: { scu: options.scu ?? 1 },
        contributorSpread: options.spread ?? "none",
        executionPolicy: options.executionPolicy ?? "IgnoredDuringExecution",
        ...(options.ports !== undefined ? { ports: options.ports } : {}),
        ...(options.tolerations !== undefined ? { tolerations: options.tolerations } : {}),
        ...(options.imagePullSecrets !== undefined
          ? { imagePullSecrets: options.imagePullSecrets.map((name) => ({ name })) }
          : {}),
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: expressions }],
            },
          },
        },
      },
    },
  };
  return {
    apiVersion: API_VERSION,
    kind: KIND.ComputeContract,
    metadata: { name: options.name, namespace: world.namespace },
    spec,
  };
}

export async function applyContract(
  world: OperatorWorld,
  options: ContractOptions,
): Promise<ComputeContract> {
  return world.client.create<ComputeContract>(COMPUTE_CONTRACT, contractManifest(world, options));
}

export async function readContract(world: OperatorWorld, name: string): Promise<ComputeContract | undefined> {
  try {
    return await world.client.get<ComputeContract>(COMPUTE_CONTRACT, { namespace: world.namespace, name });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** Waits until every ContributorNode of the world is registered and online. */
export async function waitForContributors(world: OperatorWorld, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      const list = await world.client.list<ContributorNode>(CONTRIBUTOR_NODE, {
        labelSelector: `${GROUP_LABEL}=${world.group}`,
      });
      const online = list.items.filter((cn) =>
        cn.status?.conditions?.some((c) => c.type === "Online" && c.status === "True"),
      );
      return online.length === world.nodeNames.length ? true : undefined;
    },
    { timeoutMs, intervalMs: 250, description: `${world.nodeNames.length} contributor nodes online` },
  );
}

/** A suite's world, made in its before hook and used from the hooks and tests after it. */
export interface OperatorSuite {
  readonly world: OperatorWorld;
  /** Reads the world's chain. */
  readonly reader: ChainReader;
}

/**
 * Registers the hooks of a suite on one world with the operator running in this process: the world and the
 * operator before it (contributors online), the world's events after a failed test, everything removed after it;
 * and gives the suite its timeout.
 */
export function operatorSuite(
  describeContext: Mocha.Suite,
  options: WorldOptions & { timeoutMs: number },
): OperatorSuite {
  describeContext.timeout(options.timeoutMs);
  let current: OperatorWorld | undefined;
  before(async () => {
    current = await createWorld(options);
    await current.startOperator();
    await waitForContributors(current);
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && current !== undefined)
      console.log(await describeEvents(current));
  });
  after(async () => {
    await current?.stop();
  });
  let reader: ChainReader | undefined;
  const suite: OperatorSuite = {
    get world(): OperatorWorld {
      if (current === undefined) throw new Error("the suite's world is made in its before hook");
      return current;
    },
    get reader(): ChainReader {
      reader ??= new ChainReader(suite.world.chain.client);
      return reader;
    },
  };
  return suite;
}
