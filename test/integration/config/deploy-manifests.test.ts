// `kubectl apply -k config/crd|manager|manager-solo|scheduler`, as the README says: each renders with the real
// kustomize, and what the containers run is what the built CLI (the image's entry point) accepts. The manager's
// containers are run here as processes: config/manager's pod joins a real CometBFT network the test starts, as a
// full node and as a validator, and config/manager-solo's makes blocks alone.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { buildUranusGenesis } from "../../../chain-sidecar/genesis/validator-homes.js";
import { readCometConfig } from "../../../chain-sidecar/node/cometbft-config.js";
import { homePaths } from "../../../chain-sidecar/node/cometbft-home.js";
import { ValidatorKey } from "../../../chain-sidecar/node/validator-key.js";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import type { TestnetNode } from "../../../chain-sidecar/testnet/testnet-node.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import { freePort } from "../../../process/free-port.js";
import { startProcess, type ManagedProcess } from "../../../process/managed-process.js";
import { waitFor } from "../../../process/wait-for.js";
import { JoiningNode, type JoinSettings } from "./joining-node.js";
import {
  container,
  flags,
  kustomize,
  localRun,
  one,
  optionsOf,
  podSpec,
  podVolumes,
  run,
  type Manifest,
} from "./manifest-pod.js";

/** The value of `--name=value` or `--name value` in a container's args. */
function arg(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  return i < 0 ? undefined : args[i]!.includes("=") ? args[i]!.split("=")[1] : args[i + 1];
}

async function rpc<T>(node: TestnetNode, path: string): Promise<T> {
  const response = await fetch(`${node.rpcUrl}${path}`, { signal: AbortSignal.timeout(3000) });
  return ((await response.json()) as { result: T }).result;
}

/** Validator addresses that signed the commit of block `height`. */
async function signers(node: TestnetNode, height: number): Promise<string[]> {
  const commit = await rpc<{
    signed_header: { commit: { signatures: { block_id_flag: number; validator_address: string }[] } };
  }>(node, `/commit?height=${height}`);
  return commit.signed_header.commit.signatures
    .filter((s) => s.block_id_flag === 2)
    .map((s) => s.validator_address);
}

describe("deployment manifests (config/): rendered by kustomize, run by the built CLI", function () {
  this.timeout(120_000);

  before(async () => {
    await run("bash", ["hack/build.sh"]);
  });

  it("config/crd renders exactly the CustomResourceDefinitions in crds/", async () => {
    const rendered = await kustomize("config/crd");
    const files = readdirSync("crds").filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    const expected = files.map((f) => parse(readFileSync(join("crds", f), "utf8")) as Manifest);
    expect(rendered.map((m) => m.kind)).to.deep.equal(expected.map(() => "CustomResourceDefinition"));
    expect(rendered).to.have.deep.members(expected);
  });

  it("config/manager: restricted containers, the CLI's flags, and one set of ports for init, containers, Service and operator", async () => {
    const manifests = await kustomize("config/manager");
    const deployment = one(manifests, "Deployment");
    const spec = podSpec(deployment);
    expect(deployment.metadata.namespace).to.equal("uranus-system");
    const accounts = manifests.filter((m) => m.kind === "ServiceAccount").map((m) => m.metadata.name);
    expect(accounts).to.include(spec.serviceAccountName);
    const claims = spec.volumes!.map((v) => v.persistentVolumeClaim?.claimName);
    expect(claims).to.include(one(manifests, "PersistentVolumeClaim").metadata.name);
    expect(spec.securityContext).to.deep.include({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    for (const c of [...spec.containers, ...spec.initContainers!])
      expect(c.securityContext, c.name).to.deep.equal({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
    expect(spec.containers.map((c) => c.name)).to.have.members(["operator", "chain", "cometbft"]);

    const operator = container(deployment, "operator");
    expect(operator.command).to.deep.equal(["uranus"]);
    expect(operator.args!.slice(0, 2)).to.deep.equal(["operator", "run"]);
    const accepted = await optionsOf(["operator", "run"]);
    for (const flag of flags(operator.args!)) expect(accepted, `operator run ${flag}`).to.include(flag);

    const init = container(deployment, "chain-init");
    expect(init.command).to.deep.equal(["uranus"]);
    expect(init.args!.slice(0, 2)).to.deep.equal(["chain", "init"]);
    const initAccepts = await optionsOf(["chain", "init"]);
    for (const flag of flags(init.args!)) expect(initAccepts, `chain init ${flag}`).to.include(flag);
    const chain = container(deployment, "chain");
    expect(chain.args).to.deep.equal(["chain", "start", "--home", "/var/lib/uranus"]);
    expect(operator.args).to.include(`--chain-rpc=http://127.0.0.1:${arg(init.args!, "--rpc-port")}`);
    const cometbft = container(deployment, "cometbft");
    const port = (name: string) => cometbft.ports!.find((p) => p.name === name)?.containerPort;
    expect(port("p2p")).to.equal(Number(arg(init.args!, "--p2p-port")));
    expect(port("cometbft-prom")).to.equal(Number(arg(init.args!, "--prometheus-port")));
    const service = one(manifests, "Service");
    expect(service.spec!.ports).to.deep.include({
      name: "p2p",
      port: port("p2p"),
      targetPort: "p2p",
      protocol: "TCP",
    });
  });

  it("config/manager-solo: chain init then chain start --solo make blocks, and nothing of the network is left", async () => {
    const manifests = await kustomize("config/manager-solo");
    expect(manifests.map((m) => m.kind)).to.not.include.members(["Service", "ConfigMap"]);
    const deployment = one(manifests, "Deployment");
    expect(podSpec(deployment).containers.map((c) => c.name)).to.have.members(["operator", "chain"]);
    const chain = container(deployment, "chain");
    expect(chain.args).to.include("--solo");
    const operator = container(deployment, "operator");
    expect(operator.args).to.include(`--chain-rpc=http://127.0.0.1:${chain.ports![0]!.containerPort}`);

    const dir = mkdtempSync(join(tmpdir(), "uranus-manager-"));
    let node: ManagedProcess | undefined;
    try {
      const volumes = podVolumes(deployment, manifests, dir);
      const init = localRun(container(deployment, "chain-init"), manifests, volumes);
      expect(init.command).to.equal("sh");
      for (let i = 0; i < 2; i++) await run(init.command, init.args); // the second start finds the home and keeps it
      const port = await freePort();
      const start = localRun(chain, manifests, volumes, (a) => (a === "26657" ? String(port) : a));
      node = startProcess("chain", start.command, [...start.args, "--no-explorer"], {
        logFile: join(dir, "chain.log"),
      });
      const height = await waitFor(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/status`).catch(() => undefined);
          if (!response?.ok) return undefined;
          const status = (await response.json()) as {
            result: { sync_info: { latest_block_height: string } };
          };
          const latest = Number(status.result.sync_info.latest_block_height);
          // The first block comes at once; later ones wait for txs (an idle chain makes none).
          return latest >= 1 ? latest : undefined;
        },
        { timeoutMs: 60_000, description: "the solo chain's first block" },
      );
      expect(height).to.be.at.least(1);
    } finally {
      await node?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("config/scheduler: the extender's flags are the CLI's, and kube-scheduler's extender URL names its Service", async () => {
    const manifests = await kustomize("config/scheduler");
    const extender = one(manifests, "Deployment").spec!.template!.spec.containers[0]!;
    expect(extender.image, "the image the README builds and the manager runs").to.equal(
      container(one(await kustomize("config/manager"), "Deployment"), "operator").image,
    );
    const accepted = await optionsOf(extender.args!.filter((a) => !a.startsWith("--")));
    for (const flag of flags(extender.args!))
      expect(accepted, `${extender.args![0]} ${flag}`).to.include(flag);
    const service = one(manifests, "Service");
    const config = parse(readFileSync("config/scheduler/kube-scheduler-config.yaml", "utf8")) as {
      extenders: { urlPrefix: string }[];
    };
    const url = new URL(config.extenders[0]!.urlPrefix);
    expect(url.hostname).to.equal(`${service.metadata.name}.${service.metadata.namespace}.svc`);
    expect(Number(url.port)).to.equal(service.spec!.ports![0]!.port);
    const listen = extender.args!.find((a) => a.startsWith("--listen="))!;
    expect(listen.endsWith(`:${url.port}`), listen).to.equal(true);
  });

  describe("config/manager's pod joins a running network from its ConfigMap (4 genesis validators, 3 running)", function () {
    this.timeout(300_000);
    let testnet: Testnet | undefined;
    let running: TestnetNode[];
    let joiner: JoiningNode | undefined;

    before(async () => {
      testnet = await Testnet.create({
        validators: 4,
        launcher: uranusSidecarLauncher,
        chainId: "uranus-deploy",
        timeoutCommitMs: 300,
        roundTimeoutMs: 1000,
        // The fourth validator is offline until the test starts it from the manifests; it must not be jailed first.
        appGenesis: (_chainId, validators) =>
          buildUranusGenesis(validators, {
            params: { staking: { downtimeWindowBlocks: 1_000_000, maxMissedBlocks: 1_000_000 } },
          }),
      });
      running = testnet.nodes.slice(0, 3);
      await Promise.all(running.map((n) => n.start()));
      await testnet.waitForHeight(3, running);
    });

    afterEach(async () => {
      await joiner?.stop();
      joiner = undefined;
    });

    after(async () => {
      await testnet?.destroy();
    });

    /** Deploys the pod and waits until it is connected to every running validator and caught up with them. */
    async function join(settings: JoinSettings): Promise<{ joined: JoiningNode; height: number }> {
      const target = Math.max(...(await Promise.all(running.map((n) => n.height()))).map((h) => h ?? 0)) + 3;
      joiner = await JoiningNode.deploy(testnet!, running, settings);
      const joined = joiner;
      const { node } = joined;
      // Its home listens on loopback only, at the ports the test chose.
      const config = readCometConfig(node.home) as Record<string, Record<string, unknown>>;
      expect(config.p2p!.laddr).to.equal(`tcp://127.0.0.1:${node.p2pPort}`);
      expect(config.p2p!.persistent_peers).to.equal(running.map((n) => n.p2pAddress).join(","));
      expect(config.p2p!.external_address).to.equal(`127.0.0.1:${node.p2pPort}`);
      expect(config.instrumentation).to.deep.include({
        prometheus: true,
        prometheus_listen_addr: `127.0.0.1:${node.metricsPort}`,
      });
      expect(joined.initOutputs[1], "a second chain-init keeps the node's identity").to.equal(
        joined.initOutputs[0],
      );
      const peers = await waitFor(
        async () => {
          joined.checkRunning();
          const info = await rpc<{ peers: { node_info: { id: string } }[] }>(node, "/net_info");
          const ids = info.peers.map((p) => p.node_info.id).sort();
          return ids.length === running.length ? ids : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 250, description: "the joining node connected to every validator" },
      );
      expect(peers).to.deep.equal(running.map((n) => n.nodeId).sort());
      const height = await waitFor(
        async () => {
          joined.checkRunning();
          const status = await node.status();
          return !status.catchingUp && status.height >= target ? status.height : undefined;
        },
        {
          timeoutMs: 90_000,
          intervalMs: 250,
          description: `the joining node caught up past height ${target}`,
        },
      );
      return { joined, height };
    }

    it("as a full node: connects, catches up, has the validators' blocks and app hash, and serves CometBFT's metrics", async () => {
      const { joined, height } = await join({ moniker: "member-full", role: "full" });
      const nodes = [...running, joined.node];
      const blocks = await Promise.all(nodes.map((n) => n.blockHash(height)));
      expect(new Set(blocks).size, blocks.join(" ")).to.equal(1);
      const appHashes = await testnet!.appHashesAfter(height, nodes);
      expect(new Set(appHashes).size, appHashes.join(" ")).to.equal(1);
      expect(Buffer.from(appHashes[0]!, "base64")).to.have.length(32);
      const metrics = await (
        await fetch(joined.node.metricsUrl, { signal: AbortSignal.timeout(3000) })
      ).text();
      const gauge = (name: string) =>
        Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, "m").exec(metrics)?.[1]);
      expect(gauge("cometbft_consensus_height"), "cometbft_consensus_height").to.be.at.least(height);
      expect(gauge("cometbft_p2p_peers"), "cometbft_p2p_peers").to.equal(running.length);
      const own = ValidatorKey.load(homePaths(joined.node.home).validatorKey).addressHex;
      expect(await signers(running[0]!, height)).to.not.include(own);
    });

    it("as a validator whose key comes from the optional Secret: signs the network's blocks", async () => {
      const absent = testnet!.nodes[3]!;
      const key = readFileSync(homePaths(absent.home).validatorKey, "utf8");
      const address = ValidatorKey.load(homePaths(absent.home).validatorKey).addressHex;
      const before = (await running[0]!.height())!;
      expect(await signers(running[0]!, before), "the fourth validator was offline").to.not.include(address);
      const { joined, height } = await join({
        moniker: "member-validator",
        role: "validator",
        secrets: { "uranus-chain-keys": { "priv_validator_key.json": key } },
      });
      expect(joined.initOutputs[0]).to.match(/validatorKey\s+\S+priv_validator_key\.json/);
      // Block h+1 carries the canonical commit of h, the same on every node.
      let next = height;
      await waitFor(
        async () => {
          joined.checkRunning();
          const latest = (await running[0]!.height())!;
          for (; next < latest; next++) if ((await signers(running[0]!, next)).includes(address)) return next;
          return undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, description: "a block the joining validator signed" },
      );
    });
  });
});
