// Rendered manifests and what their pods would run, as commands for this machine: env from ConfigMaps, $(VAR)
// expanded as the kubelet does, each volume at a local directory, the image's programs swapped for ours.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import { binaryPath } from "../../../process/binaries.js";

export const run = promisify(execFile);
export const BUILT_CLI = "dist/cli/uranus-main.js";

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: { name: string; key: string } };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
}

interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string };
  configMap?: { name: string };
  secret?: { secretName: string; optional?: boolean };
}

export interface PodSpec {
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
}

export interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  spec?: {
    template?: { spec: PodSpec };
    ports?: { name: string; port: number; targetPort?: string | number }[];
  };
}

export async function kustomize(dir: string): Promise<Manifest[]> {
  const { stdout } = await run(binaryPath("kubectl"), ["kustomize", dir]);
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as Manifest);
}

export function one(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).to.have.length(1);
  return found[0]!;
}

export function podSpec(deployment: Manifest): PodSpec {
  return deployment.spec!.template!.spec;
}

export function container(deployment: Manifest, name: string): Container {
  const spec = podSpec(deployment);
  const found = [...spec.containers, ...(spec.initContainers ?? [])].find((c) => c.name === name);
  expect(found, `container ${name}`).to.not.equal(undefined);
  return found!;
}

/** The long options a command of the built CLI accepts, from its --help. */
export async function optionsOf(command: string[]): Promise<Set<string>> {
  const { stdout } = await run(process.execPath, [BUILT_CLI, ...command, "--help"]);
  return new Set([...stdout.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]));
}

export function flags(args: string[]): string[] {
  return args.filter((a) => a.startsWith("--")).map((a) => a.split("=")[0]!);
}

/** A container's environment, its ConfigMap keys read from the rendered ConfigMaps. */
function containerEnv(c: Container, manifests: Manifest[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of c.env ?? []) {
    const ref = v.valueFrom?.configMapKeyRef;
    if (ref === undefined) continue;
    const map = manifests.find((m) => m.kind === "ConfigMap" && m.metadata.name === ref.name);
    expect(map?.data?.[ref.key], `ConfigMap ${ref.name} key ${ref.key}`).to.be.a("string");
    env[v.name] = map!.data![ref.key]!;
  }
  return env;
}

/** The kubelet's expansion of command and args: $(VAR) from the container's env, $$ for a literal $. */
function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name?: string) =>
    name === undefined ? "$" : (env[name] ?? whole),
  );
}

/** Makes a local directory per pod volume: ConfigMaps written out, Secrets from `secrets` (absent ones empty). */
export function podVolumes(
  deployment: Manifest,
  manifests: Manifest[],
  dir: string,
  secrets: Record<string, Record<string, string>> = {},
): Record<string, string> {
  const local: Record<string, string> = {};
  for (const volume of podSpec(deployment).volumes ?? []) {
    const path = join(dir, volume.name);
    mkdirSync(path, { recursive: true });
    local[volume.name] = path;
    const files = volume.configMap
      ? one(
          manifests.filter((m) => m.metadata.name === volume.configMap!.name),
          "ConfigMap",
        ).data
      : volume.secret
        ? secrets[volume.secret.secretName]
        : undefined;
    if (volume.secret !== undefined && files === undefined)
      expect(volume.secret.optional, `Secret ${volume.secret.secretName} is optional`).to.equal(true);
    for (const [file, content] of Object.entries(files ?? {})) writeFileSync(join(path, file), content);
  }
  return local;
}

export interface LocalRun {
  command: string;
  args: string[];
}

/**
 * What a container runs here: `rewrite` (ports, addresses), each mount path swapped for its volume's local directory,
 * env expanded; `uranus` becomes the built CLI and `cometbft` the pinned binary, also inside `sh -c`.
 */
export function localRun(
  c: Container,
  manifests: Manifest[],
  volumes: Record<string, string>,
  rewrite: (value: string) => string = (value) => value,
): LocalRun {
  const env = containerEnv(c, manifests);
  const mounts = (c.volumeMounts ?? []).map((m) => [m.mountPath, volumes[m.name]!] as const);
  // The manifest's own text is rewritten; values from ConfigMaps are already this machine's.
  const local = (value: string): string =>
    expand(
      mounts.reduce((s, [from, to]) => s.replaceAll(from, to), rewrite(value)),
      env,
    );
  const [program, ...args] = [...(c.command ?? []), ...(c.args ?? [])].map(local);
  expect(args.join(" "), `${c.name}: every $(VAR) is defined`).to.not.match(/\$\(/);
  const cli = `${process.execPath} ${BUILT_CLI} `;
  const programs = (line: string): string =>
    line.replace(/\buranus /g, cli).replace(/\bcometbft /g, `${binaryPath("cometbft")} `);
  if (program === "sh" && args[0] === "-c") return { command: "sh", args: ["-c", programs(args[1]!)] };
  if (program === "uranus") return { command: process.execPath, args: [BUILT_CLI, ...args] };
  if (program === "cometbft") return { command: binaryPath("cometbft"), args };
  throw new Error(`${c.name} runs ${program}, which the image does not hold`);
}
