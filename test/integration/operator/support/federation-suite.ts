// A federation for operator tests: the world's cluster is the home member ("home", its operator in this process,
// watching one namespace, so it offers no capacity), plus member clusters on control planes of their own, all on
// the world's solo chain. Hooks start them before the suite and stop them after it.
import type { ComputeContract } from "../../../../crds/types.js";
import { ChainReader } from "../../../../operator/chain/chain-reader.js";
import {
  memberKeys,
  startMemberCluster,
  type MemberCluster,
  type MemberKeys,
} from "../../../support/member-cluster.js";
import {
  contractManifest,
  createWorld,
  describeEvents,
  readContract,
  waitForContributors,
  type ContractOptions,
  type OperatorWorld,
} from "./operator-world.js";
import { FAST_PARAMS } from "./solo-chain.js";

export const HOME = "home";

export interface FederationSuite {
  readonly world: OperatorWorld;
  readonly reader: ChainReader;
  /** Every member started, in order; those a test stopped for good are also in `gone`. */
  readonly members: MemberCluster[];
  readonly gone: Set<MemberCluster>;
  /** Funded at genesis: one set per name given to federationSuite. */
  readonly keys: Record<string, MemberKeys>;
  addMember(name: string): Promise<MemberCluster>;
  homeStatus(name: string): Promise<ComputeContract["status"]>;
  /** A contract of the world's placed on Others, without the world's node affinity (meaningless elsewhere). */
  remoteContract(options: ContractOptions): ComputeContract;
}

export function federationSuite(
  describeContext: Mocha.Suite,
  options: { names: string[]; startWith: string[]; timeoutMs: number },
): FederationSuite {
  describeContext.timeout(options.timeoutMs);
  const keys = Object.fromEntries(options.names.map((name) => [name, memberKeys()]));
  const members: MemberCluster[] = [];
  let world: OperatorWorld | undefined;
  let reader: ChainReader | undefined;
  const suite: FederationSuite = {
    get world() {
      return world!;
    },
    get reader() {
      return reader!;
    },
    members,
    gone: new Set(),
    keys,
    async addMember(name) {
      const member = await startMemberCluster(world!.chain.rpcUrl, `member-${name}`, keys[name]!);
      members.push(member);
      return member;
    },
    async homeStatus(name) {
      return (await readContract(world!, name))?.status;
    },
    remoteContract(contract) {
      const manifest = contractManifest(world!, contract);
      manifest.spec.placement = { clusters: "Others" };
      delete manifest.spec.template.spec.affinity;
      return manifest;
    },
  };
  before(async () => {
    world = await createWorld({
      nodes: 1,
      moreAccounts: Object.values(keys).flatMap((k) => k.accounts),
      chain: { params: { ...FAST_PARAMS, federation: { heartbeatTimeoutBlocks: 25 } }, blockIntervalMs: 200 },
    });
    reader = new ChainReader(world.chain.client);
    world.settings.clusterId = HOME;
    world.settings.federation = {
      regions: ["eu-west"],
      isolation: ["runc"],
      endpointHost: "home.example",
      portFirst: 30000,
      portLast: 32767,
    };
    await world.startOperator();
    await waitForContributors(world);
    for (const name of options.startWith) await suite.addMember(name);
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && world !== undefined) console.log(await describeEvents(world));
  });
  after(async () => {
    for (const member of members) await member.stop();
    await world?.stop();
  });
  return suite;
}
