// Where the pinned third-party programs live (built by hack/install-binaries.sh, versions in hack/versions.env).
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// hack/ owns the pins; the build copies the file beside this module, since dist/ carries no hack/.
const VERSIONS_FILE = [join(here, "versions.env"), join(here, "../hack/versions.env")].find((file) =>
  existsSync(file),
);

export type BinaryName =
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kubectl"
  | "kubelet"
  | "kube-proxy"
  | "coredns"
  | "kwok"
  | "cometbft"
  | "etcd"
  | "openssl";

export interface Versions {
  KUBERNETES_VERSION: string;
  ETCD_VERSION: string;
  KWOK_VERSION: string;
  COMETBFT_VERSION: string;
  COREDNS_VERSION: string;
}

export function readVersions(): Versions {
  const entries = readFileSync(VERSIONS_FILE ?? join(here, "../hack/versions.env"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.split("=", 2) as [string, string]);
  const values = Object.fromEntries(entries);
  const read = (key: keyof Versions): string => {
    const value = values[key];
    if (value === undefined) throw new Error(`hack/versions.env has no ${key}`);
    return value;
  };
  return {
    KUBERNETES_VERSION: read("KUBERNETES_VERSION"),
    ETCD_VERSION: read("ETCD_VERSION"),
    KWOK_VERSION: read("KWOK_VERSION"),
    COMETBFT_VERSION: read("COMETBFT_VERSION"),
    COREDNS_VERSION: read("COREDNS_VERSION"),
  };
}

export function cacheDir(): string {
  return process.env.URANUS_CACHE_DIR ?? join(homedir(), ".cache", "uranus");
}

export function binaryPath(name: BinaryName): string {
  const versions = readVersions();
  let path: string;
  switch (name) {
    case "kube-apiserver":
    case "kube-controller-manager":
    case "kube-scheduler":
    case "kubectl":
      path = join(cacheDir(), `kubernetes-${versions.KUBERNETES_VERSION}`, name);
      break;
    case "kubelet":
    case "kube-proxy":
      path = join(cacheDir(), `kubelet-${versions.KUBERNETES_VERSION}`, name);
      break;
    case "coredns":
      path = join(cacheDir(), `coredns-${versions.COREDNS_VERSION}`, "coredns");
      break;
    case "kwok":
      path = join(cacheDir(), `kwok-${versions.KWOK_VERSION}`, "kwok");
      break;
    case "cometbft":
      path = join(cacheDir(), `cometbft-${versions.COMETBFT_VERSION}`, "cometbft");
      break;
    case "etcd":
      path = join(cacheDir(), `etcd-${versions.ETCD_VERSION}`, "etcd");
      break;
    case "openssl":
      path = "/usr/bin/openssl";
      break;
  }
  if (existsSync(path)) return path;
  // Images and hand-made installs put the programs on PATH instead of in the cache.
  const onPath = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, name))
    .find((candidate) => existsSync(candidate));
  if (onPath !== undefined) return onPath;
  throw new Error(`${name} is not installed at ${path}: run \`bash hack/install-binaries.sh\` first`);
}
