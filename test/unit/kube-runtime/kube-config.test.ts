import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { OutgoingHttpHeaders } from "node:http";
import type { RequestOptions } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  inClusterConfig,
  KubeAccess,
  mergeKubeConfigs,
  parseKubeConfig,
} from "../../../kube-runtime/kube-config.js";

const base64 = (text: string): string => Buffer.from(text).toString("base64");

function kubeconfig(
  options: { cluster?: string; user?: string; current?: string; extra?: string } = {},
): string {
  const cluster = options.cluster ?? "local";
  const user = options.user ?? "admin";
  return `apiVersion: v1
kind: Config
current-context: ${options.current ?? cluster}
clusters:
- name: ${cluster}
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: ${base64("CA PEM")}
contexts:
- name: ${cluster}
  context:
    cluster: ${cluster}
    user: ${user}
    namespace: team-a
users:
- name: ${user}
  user:
    token: secret-token
${options.extra ?? ""}`;
}

async function applied(access: KubeAccess): Promise<RequestOptions & { headers: OutgoingHttpHeaders }> {
  const options: RequestOptions = {};
  await access.applyToHTTPSOptions(options);
  return options as RequestOptions & { headers: OutgoingHttpHeaders };
}

describe("KubeAccess (kubeconfig without client-node's index)", () => {
  let dir: string;
  const savedEnv = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "uranus-kubeconfig-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    process.env = { ...savedEnv };
  });

  it("reads the current context's cluster and user; the trailing slash of the server goes", async () => {
    const access = new KubeAccess(parseKubeConfig(kubeconfig()));
    expect(access.getCurrentCluster()?.server).to.equal("https://127.0.0.1:6443");
    expect(access.getCurrentContext()?.namespace).to.equal("team-a");
    const options = await applied(access);
    expect(options.ca?.toString()).to.equal("CA PEM");
    expect(options.headers.Authorization).to.equal("Bearer secret-token");
    expect(options.rejectUnauthorized).to.equal(undefined);
  });

  it("applies client certificates, skip-verify, the TLS server name, impersonation and basic auth", async () => {
    const text = `current-context: c
clusters:
- name: c
  cluster:
    server: https://kube.test
    insecure-skip-tls-verify: true
    tls-server-name: api.internal
contexts:
- name: c
  context: {cluster: c, user: u}
users:
- name: u
  user:
    client-certificate-data: ${base64("CERT")}
    client-key-data: ${base64("KEY")}
    as: someone
    username: alice
    password: wonderland
`;
    const options = await applied(new KubeAccess(parseKubeConfig(text)));
    expect(options.rejectUnauthorized).to.equal(false);
    expect(options.servername).to.equal("api.internal");
    expect(options.cert?.toString()).to.equal("CERT");
    expect((options.key as Buffer).toString()).to.equal("KEY");
    expect(options.headers["Impersonate-User"]).to.equal("someone");
    expect(options.auth).to.equal("alice:wonderland");
  });

  it("takes relative certificate paths from the kubeconfig's folder", async () => {
    mkdirSync(join(dir, "pki"));
    writeFileSync(join(dir, "pki", "ca.crt"), "CA FROM FILE");
    const file = join(dir, "config");
    writeFileSync(
      file,
      kubeconfig().replace(/certificate-authority-data: .*/, "certificate-authority: pki/ca.crt"),
    );
    const access = KubeAccess.load(file);
    expect(access.getCurrentCluster()?.caFile).to.equal(join(dir, "pki", "ca.crt"));
    expect((await applied(access)).ca?.toString()).to.equal("CA FROM FILE");
  });

  it("merges a $KUBECONFIG list as kubectl does: the first file to name something wins, missing files are skipped", () => {
    const first = join(dir, "first");
    const second = join(dir, "second");
    writeFileSync(first, kubeconfig({ cluster: "one", current: "one" }));
    writeFileSync(second, kubeconfig({ cluster: "two", current: "two", user: "other" }));
    process.env.KUBECONFIG = [join(dir, "missing"), first, second].join(":");
    const access = KubeAccess.load();
    expect(access.content.clusters.map((cluster) => cluster.name)).to.deep.equal(["one", "two"]);
    expect(access.content.users.map((user) => user.name)).to.deep.equal(["admin", "other"]);
    expect(access.getCurrentContext()?.name).to.equal("one");
    const merged = mergeKubeConfigs([
      { clusters: [], users: [], contexts: [] },
      parseKubeConfig(kubeconfig({ current: "later" })),
    ]);
    expect(merged.currentContext).to.equal("later");
  });

  it("says so when there is no kubeconfig anywhere", () => {
    expect(() => KubeAccess.load(join(dir, "absent"))).to.throw(/absent/);
    process.env.KUBECONFIG = "";
    process.env.HOME = dir;
    // Unless these tests run in a pod, there is no service account token either.
    if (!existsSync("/var/run/secrets/kubernetes.io/serviceaccount/token")) {
      expect(() => KubeAccess.load()).to.throw(/no kubeconfig/);
    }
  });

  it("in a pod: the service's address (IPv6 bracketed), its CA, and the token file re-read through FileAuth", async () => {
    writeFileSync(join(dir, "token"), "pod-token");
    writeFileSync(join(dir, "ca.crt"), "POD CA");
    writeFileSync(join(dir, "namespace"), "uranus-system");
    process.env.KUBERNETES_SERVICE_HOST = "fd00::1";
    process.env.KUBERNETES_SERVICE_PORT = "443";
    const access = new KubeAccess(inClusterConfig(dir));
    expect(access.getCurrentCluster()?.server).to.equal("https://[fd00::1]:443");
    expect(access.getCurrentContext()?.namespace).to.equal("uranus-system");
    const options = await applied(access);
    expect(options.headers.Authorization).to.equal("Bearer pod-token");
    expect(options.ca?.toString()).to.equal("POD CA");
    delete process.env.KUBERNETES_SERVICE_HOST;
    expect(() => inClusterConfig(dir)).to.throw(/not in a cluster/);
  });

  it("runs an exec credential plugin for a user that has one", async () => {
    const plugin = join(dir, "credential.sh");
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}'\n`,
      { mode: 0o755 },
    );
    const text = kubeconfig().replace(
      "    token: secret-token\n",
      `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${plugin}\n      interactiveMode: Never\n`,
    );
    const options = await applied(new KubeAccess(parseKubeConfig(text)));
    expect(options.headers.Authorization).to.equal("Bearer from-exec");
  });
});
