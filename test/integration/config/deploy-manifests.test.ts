// `kubectl apply -k config/crd|manager|scheduler`, as the README says: each renders with the real kustomize, and
// what the containers run is what the built CLI (the image's entry point) accepts. The manager's init and chain
// containers are run here as processes, so `chain init` and `chain start --solo` are known to make blocks.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { parse, parseAllDocuments } from "yaml";
import { binaryPath } from "../../../process/binaries.js";
import { freePort } from "../../../process/free-port.js";
import { startProcess, type ManagedProcess } from "../../../process/managed-process.js";
import { waitFor } from "../../../process/wait-for.js";

const run = promisify(execFile);
const BUILT_CLI = "dist/cli/uranus-main.js";
const CHAIN_HOME = "/var/lib/uranus";

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name: string; containerPort: number }[];
}

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: {
    template?: {
      spec: {
        serviceAccountName?: string;
        containers: Container[];
        initContainers?: Container[];
        volumes?: { persistentVolumeClaim?: { claimName: string } }[];
      };
    };
    ports?: { name: string; port: number }[];
  };
}

async function kustomize(dir: string): Promise<Manifest[]> {
  const { stdout } = await run(binaryPath("kubectl"), ["kustomize", dir]);
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as Manifest);
}

function one(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).to.have.length(1);
  return found[0]!;
}

function container(deployment: Manifest, name: string): Container {
  const spec = deployment.spec!.template!.spec;
  const found = [...spec.containers, ...(spec.initContainers ?? [])].find((c) => c.name === name);
  expect(found, `container ${name}`).to.not.equal(undefined);
  return found!;
}

/** The long options a command of the built CLI accepts, from its --help. */
async function optionsOf(command: string[]): Promise<Set<string>> {
  const { stdout } = await run(process.execPath, [BUILT_CLI, ...command, "--help"]);
  return new Set([...stdout.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));
}

function flags(args: string[]): string[] {
  return args.filter((a) => a.startsWith("--")).map((a) => a.split("=")[0]!);
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

  it("config/manager: chain init then chain start --solo make blocks; the operator's flags are the CLI's", async () => {
    const manifests = await kustomize("config/manager");
    const deployment = one(manifests, "Deployment");
    expect(deployment.metadata.namespace).to.equal("uranus-system");
    const accounts = manifests.filter((m) => m.kind === "ServiceAccount").map((m) => m.metadata.name);
    expect(accounts).to.include(deployment.spec!.template!.spec.serviceAccountName);
    const claims = deployment.spec!.template!.spec.volumes!.map((v) => v.persistentVolumeClaim?.claimName);
    expect(claims).to.include(one(manifests, "PersistentVolumeClaim").metadata.name);

    const operator = container(deployment, "operator");
    expect(operator.command).to.deep.equal(["uranus"]);
    expect(operator.args!.slice(0, 2)).to.deep.equal(["operator", "run"]);
    const accepted = await optionsOf(["operator", "run"]);
    for (const flag of flags(operator.args!)) expect(accepted, `operator run ${flag}`).to.include(flag);

    const chain = container(deployment, "chain");
    expect(chain.args).to.include("--solo");
    expect(operator.args).to.include(`--chain-rpc=http://127.0.0.1:${chain.ports![0]!.containerPort}`);

    const home = mkdtempSync(join(tmpdir(), "uranus-manager-"));
    let node: ManagedProcess | undefined;
    try {
      // The init container's shell line, with the image's `uranus` and the volume's mount point swapped for ours.
      const init = container(deployment, "chain-init");
      expect(init.command).to.deep.equal(["sh", "-c"]);
      const line = init
        .args![0]!.replaceAll(CHAIN_HOME, home)
        .replace(/\buranus /g, `${process.execPath} ${BUILT_CLI} `);
      for (let i = 0; i < 2; i++) await run("sh", ["-c", line]); // the second start finds the home and keeps it
      const port = await freePort();
      const args = chain.args!.map((a) => (a === CHAIN_HOME ? home : a === "26657" ? String(port) : a));
      node = startProcess("chain", process.execPath, [BUILT_CLI, ...args, "--no-explorer"], {
        logFile: join(home, "chain.log"),
      });
      const height = await waitFor(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/status`).catch(() => undefined);
          if (!response?.ok) return undefined;
          const status = (await response.json()) as {
            result: { sync_info: { latest_block_height: string } };
          };
          const latest = Number(status.result.sync_info.latest_block_height);
          return latest >= 2 ? latest : undefined;
        },
        { timeoutMs: 60_000, description: "the solo chain at height 2" },
      );
      expect(height).to.be.at.least(2);
    } finally {
      await node?.stop();
      rmSync(home, { recursive: true, force: true });
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
});
