// Where the apiserver is and how to authenticate to it: a kubeconfig file, $KUBECONFIG, ~/.kube/config or the pod's
// service account. client-node's KubeConfig does the same, but its module imports the package's generated API
// clients and models (thousands of modules, ~70 MB of RSS) that this runtime never uses, since KubeClient speaks
// plain JSON. This one is built from client-node's small pieces instead: its kubeconfig parsing (config_types), its
// YAML parser and its authenticators, the rarer ones loaded only when the current user needs them.
import { accessSync, readFileSync } from "node:fs";
import type { OutgoingHttpHeaders } from "node:http";
import type { RequestOptions } from "node:https";
import { createRequire } from "node:module";
import { isIPv6 } from "node:net";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import type { Authenticator } from "@kubernetes/client-node/dist/auth.js";
import {
  newClusters,
  newContexts,
  newUsers,
  type Cluster,
  type Context,
  type User,
} from "@kubernetes/client-node/dist/config_types.js";
import { ExecAuth } from "@kubernetes/client-node/dist/exec_auth.js";
import { FileAuth } from "@kubernetes/client-node/dist/file_auth.js";

export type { Cluster, Context, User };

/** What KubeClient needs of a kubeconfig; client-node's KubeConfig has it too, so either one will do. */
export interface KubeConnection {
  getCurrentCluster(): Cluster | null;
  /** Sets TLS material, credentials and headers for one request (credentials may have been refreshed). */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

export interface KubeConfigContent {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext?: string;
}

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

interface YamlParser {
  load(text: string): unknown;
}

/** client-node's own YAML parser (js-yaml, resolved as client-node resolves it), so files read as KubeConfig reads them. */
function parseYaml(text: string): unknown {
  const clientNode = createRequire(import.meta.url).resolve("@kubernetes/client-node");
  return (createRequire(clientNode)("js-yaml") as YamlParser).load(text);
}

function exists(path: string): boolean {
  try {
    accessSync(path);
    return true;
  } catch {
    return false;
  }
}

function fromFileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, "base64");
  return undefined;
}

/** A kubeconfig's content, with relative certificate and key paths taken from the file's folder. */
export function parseKubeConfig(text: string, directory?: string): KubeConfigContent {
  const document = (parseYaml(text) ?? {}) as Record<string, unknown>;
  // newUsers gives null, not undefined, for the paths of a user without a `user` entry.
  const absolute = (path: string | null | undefined): string | undefined =>
    path === undefined || path === null || directory === undefined || isAbsolute(path)
      ? (path ?? undefined)
      : join(directory, path);
  const clusters = newClusters(document.clusters);
  for (const cluster of clusters) cluster.caFile = absolute(cluster.caFile);
  const users = newUsers(document.users);
  for (const user of users) {
    user.certFile = absolute(user.certFile);
    user.keyFile = absolute(user.keyFile);
  }
  const current = document["current-context"];
  return {
    clusters,
    users,
    contexts: newContexts(document.contexts),
    currentContext: typeof current === "string" && current !== "" ? current : undefined,
  };
}

/** Several kubeconfigs as kubectl merges $KUBECONFIG: the first file to name a cluster, user, context or current context wins. */
export function mergeKubeConfigs(contents: readonly KubeConfigContent[]): KubeConfigContent {
  const firstOfEach = <T extends { name: string }>(lists: T[][]): T[] => {
    const byName = new Map<string, T>();
    for (const item of lists.flat()) if (!byName.has(item.name)) byName.set(item.name, item);
    return [...byName.values()];
  };
  return {
    clusters: firstOfEach(contents.map((content) => content.clusters)),
    users: firstOfEach(contents.map((content) => content.users)),
    contexts: firstOfEach(contents.map((content) => content.contexts)),
    currentContext: contents.find((content) => content.currentContext !== undefined)?.currentContext,
  };
}

/** The pod's service account: the apiserver from KUBERNETES_SERVICE_HOST/PORT, the token re-read as it rotates. */
export function inClusterConfig(root = SERVICE_ACCOUNT): KubeConfigContent {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error("not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set");
  const scheme = ["80", "8080", "8001"].includes(port) ? "http" : "https";
  const namespaceFile = `${root}/namespace`;
  return {
    clusters: [
      {
        name: "inCluster",
        server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`,
        caFile: `${root}/ca.crt`,
        skipTLSVerify: false,
      },
    ],
    users: [
      { name: "inClusterUser", authProvider: { name: "tokenFile", config: { tokenFile: `${root}/token` } } },
    ],
    contexts: [
      {
        name: "inClusterContext",
        cluster: "inCluster",
        user: "inClusterUser",
        namespace: exists(namespaceFile) ? readFileSync(namespaceFile, "utf8") : undefined,
      },
    ],
    currentContext: "inClusterContext",
  };
}

/** Authenticators are matched in client-node's order; those that need more libraries load on first use. */
const LAZY_AUTHENTICATORS = {
  azure: async () => new (await import("@kubernetes/client-node/dist/azure_auth.js")).AzureAuth(),
  gcp: async () => new (await import("@kubernetes/client-node/dist/gcp_auth.js")).GoogleCloudPlatformAuth(),
  oidc: async () => new (await import("@kubernetes/client-node/dist/oidc_auth.js")).OpenIDConnectAuth(),
} satisfies Record<string, () => Promise<Authenticator>>;

export class KubeAccess implements KubeConnection {
  private readonly exec = new ExecAuth();
  private readonly file = new FileAuth();
  private readonly loaded = new Map<string, Promise<Authenticator>>();
  private proxied: Promise<KubeConnection> | undefined;

  constructor(readonly content: KubeConfigContent) {}

  /** From `file`, or else $KUBECONFIG (merged), ~/.kube/config, then the pod's service account. */
  static load(file?: string): KubeAccess {
    if (file !== undefined) return KubeAccess.fromFiles([file]);
    const listed = (process.env.KUBECONFIG ?? "").split(delimiter).filter((path) => path !== "");
    if (listed.length > 0) return KubeAccess.fromFiles(listed);
    const home = join(process.env.HOME ?? homedir(), ".kube", "config");
    if (exists(home)) return KubeAccess.fromFiles([home]);
    if (exists(`${SERVICE_ACCOUNT}/token`)) return new KubeAccess(inClusterConfig());
    throw new Error(
      "no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config or run in a pod with a service account",
    );
  }

  /** One file must exist; of several (a $KUBECONFIG list), kubectl skips the missing ones, but not all of them. */
  static fromFiles(files: readonly string[]): KubeAccess {
    const present = files.length === 1 ? files : files.filter(exists);
    if (present.length === 0) throw new Error(`none of the kubeconfig files exists: ${files.join(", ")}`);
    return new KubeAccess(
      mergeKubeConfigs(present.map((file) => parseKubeConfig(readFileSync(file, "utf8"), dirname(file)))),
    );
  }

  getCurrentContext(): Context | null {
    return this.content.contexts.find((context) => context.name === this.content.currentContext) ?? null;
  }

  getCurrentCluster(): Cluster | null {
    const context = this.getCurrentContext();
    return this.content.clusters.find((cluster) => cluster.name === context?.cluster) ?? null;
  }

  getCurrentUser(): User | null {
    const context = this.getCurrentContext();
    return this.content.users.find((user) => user.name === context?.user) ?? null;
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    // A proxy needs client-node's proxy agents, which come with its whole KubeConfig; only such setups pay for it.
    if (cluster?.proxyUrl) return (await this.withProxy()).applyToHTTPSOptions(options);
    if (cluster?.skipTLSVerify) options.rejectUnauthorized = false;
    if (cluster?.tlsServerName) options.servername = cluster.tlsServerName;
    const ca = fromFileOrData(cluster?.caFile, cluster?.caData);
    if (ca !== undefined) options.ca = ca;
    const user = this.getCurrentUser();
    if (user === null) return;
    const cert = fromFileOrData(user.certFile, user.certData);
    if (cert !== undefined) options.cert = cert;
    const key = fromFileOrData(user.keyFile, user.keyData);
    if (key !== undefined) options.key = key;
    const headers = (options.headers ??= {}) as OutgoingHttpHeaders;
    if (user.impersonateUser) headers["Impersonate-User"] = user.impersonateUser;
    const authenticator = await this.authenticatorFor(user);
    if (authenticator !== undefined) await authenticator.applyAuthentication(user, options);
    if (user.token) headers.Authorization = `Bearer ${user.token}`;
    if (user.username) options.auth = `${user.username}:${user.password ?? ""}`;
  }

  /** The first that claims the user, in client-node's order: Azure, GCP, exec, token file, OIDC. */
  private async authenticatorFor(user: User): Promise<Authenticator | undefined> {
    const name = (user.authProvider as { name?: unknown } | null | undefined)?.name;
    if (name === "azure" || name === "gcp") return this.lazy(name);
    if (this.exec.isAuthProvider(user)) return this.exec;
    if (this.file.isAuthProvider(user)) return this.file;
    if (name === "oidc") return this.lazy(name);
    return undefined;
  }

  /** One instance per kind, as in KubeConfig: they cache credentials. */
  private lazy(name: keyof typeof LAZY_AUTHENTICATORS): Promise<Authenticator> {
    let authenticator = this.loaded.get(name);
    if (authenticator === undefined) {
      authenticator = LAZY_AUTHENTICATORS[name]();
      this.loaded.set(name, authenticator);
    }
    return authenticator;
  }

  private withProxy(): Promise<KubeConnection> {
    this.proxied ??= import("@kubernetes/client-node").then(({ KubeConfig }) => {
      const config = new KubeConfig();
      config.loadFromOptions({ ...this.content, currentContext: this.content.currentContext ?? "" });
      return config;
    });
    return this.proxied;
  }
}
