// Services and DNS for a real node's pods: kube-proxy and CoreDNS beside the kubelet. A restricted web Deployment
// behind a ClusterIP Service answers this machine (what a demo curls), another pod by Service IP and by DNS name, and
// itself through its own Service; nothing outside the cluster resolves, no Service traffic leaves the machine, and
// the machine is as before once a `down` from the state files alone has stopped it all.
import { mkdtempSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { Resolver } from "node:dns/promises";
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, type V1PodSpec } from "@kubernetes/client-node";
import { expect } from "chai";
import {
  startControlPlane,
  stopControlPlaneInDir,
  type ControlPlane,
} from "../../../local-cluster/control-plane.js";
import { WEB_PAGE, WEB_PORT } from "../../../local-cluster/images/uranus-images.js";
import { REAL_NODE_LABEL } from "../../../local-cluster/real-node/real-node.js";
import { serviceUrl, waitForServiceUrl } from "../../../local-cluster/service-url.js";
import { binaryPath } from "../../../process/binaries.js";
import { run, type CommandResult } from "../../../process/run-command.js";
import { waitFor } from "../../../process/wait-for.js";
import { expectMachineAsBefore, snapshotHost, type HostSnapshot } from "./host-snapshot.js";

const NAMESPACE = "svc";
/** Documentation addresses (RFC 5737): routed nowhere, so only our own rules can answer for them. */
const AWAY = "203.0.113.10";

describe("Services and DNS for a real node's pods: kube-proxy and CoreDNS", function () {
  this.timeout(240_000);
  let machineBefore: HostSnapshot;
  let cp: ControlPlane;
  let dir: string;
  let core: CoreV1Api;
  let web: string;

  const kubectl = (...args: string[]): Promise<CommandResult> =>
    run(binaryPath("kubectl"), ["--kubeconfig", cp.kubeconfigPath, ...args]);
  /** busybox wget in a pod; its own -T crashes Debian's static busybox, so `timeout` bounds it instead. */
  const wgetIn = async (pod: string, url: string): Promise<CommandResult> =>
    kubectl(
      "exec",
      "-n",
      NAMESPACE,
      pod,
      "--",
      "/bin/busybox",
      "timeout",
      "5",
      "/bin/busybox",
      "wget",
      "-qO-",
      url,
    );
  const answerIn = (pod: string, url: string): Promise<string> =>
    waitFor(
      async () => {
        const result = await wgetIn(pod, url);
        return result.code === 0 ? result.stdout : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: `${url} answering in ${pod}` },
    );
  const restricted = (image: string, command?: string[]): V1PodSpec => ({
    nodeSelector: { [REAL_NODE_LABEL]: "true" },
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    terminationGracePeriodSeconds: 0,
    containers: [
      {
        name: "main",
        image,
        ...(command === undefined ? {} : { command }),
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        ...(command === undefined
          ? { readinessProbe: { httpGet: { path: "/", port: WEB_PORT }, periodSeconds: 1 } }
          : {}),
      },
    ],
  });
  const readyPods = (selector: string, count: number): Promise<string[]> =>
    waitFor(
      async () => {
        const pods = (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: selector })).items;
        const ready = pods.filter((p) =>
          p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
        );
        return ready.length === count ? ready.map((p) => p.metadata!.name!) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, description: `${count} pods ${selector} Ready` },
    );

  before(async () => {
    machineBefore = snapshotHost();
    dir = mkdtempSync(join(tmpdir(), "uranus-svc-"));
    cp = await startControlPlane({ dir, removeDirOnStop: true, realNodes: 1 });
    core = cp.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  });

  after(async () => {
    // Repeatable: the last test stops it already; here for a suite cut short.
    await stopControlPlaneInDir(dir);
  });

  it("starts kube-proxy and CoreDNS with the real node, and names the images it holds by digest", () => {
    expect(cp.realNodes.map((node) => node.name)).to.deep.equal(["real-node-0"]);
    const services = cp.nodeServices!;
    expect(services.processes.map((p) => p.name)).to.deep.equal(["kube-proxy", "coredns"]);
    expect(services.dnsAddresses).to.deep.equal([cp.realNodes[0]!.nodeIp]);
    for (const image of [cp.images!.pause, cp.images!.web, cp.images!.burner])
      expect(image.reference).to.match(/^uranus\.local\/(pause|web|burner)@sha256:[0-9a-f]{64}$/);
    console.log(
      `      kube-proxy synced ${services.kubeProxyReadyMs.toFixed(0)} ms after start, ` +
        `CoreDNS ready ${services.corednsReadyMs.toFixed(0)} ms after start`,
    );
  });

  it("answers this machine through a ClusterIP Service in front of a restricted web Deployment", async () => {
    const t0 = performance.now();
    await cp.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: NAMESPACE,
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: { metadata: { labels: { app: "web" } }, spec: restricted(cp.images!.web.reference) },
        },
      },
    });
    const pods = await readyPods("app=web", 2);
    web = pods[0]!;
    const podsReadyMs = performance.now() - t0;
    const t1 = performance.now();
    await core.createNamespacedService({
      namespace: NAMESPACE,
      body: {
        metadata: { name: "web" },
        spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: WEB_PORT }] },
      },
    });
    const answer = await waitForServiceUrl(cp.kubeConfig, NAMESPACE, "web", { timeoutMs: 30_000 });
    console.log(
      `      2 web pods Ready ${podsReadyMs.toFixed(0)} ms after the Deployment; ` +
        `${answer.url} answered ${(performance.now() - t1).toFixed(0)} ms after the Service`,
    );
    expect(answer.url).to.match(/^http:\/\/10\.96\.\d+\.\d+:80\/$/);
    expect(answer.body).to.equal(WEB_PAGE);
  });

  it("answers another pod on the real node by Service IP, and a web pod through its own Service", async () => {
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: "client", labels: { app: "client" } },
        spec: restricted(cp.images!.burner.reference, ["/bin/busybox", "sleep", "3600"]),
      },
    });
    await waitFor(
      async () =>
        (await core.readNamespacedPod({ name: "client", namespace: NAMESPACE })).status?.phase === "Running",
      { timeoutMs: 60_000, intervalMs: 100, description: "the client pod running" },
    );
    const url = await serviceUrl(cp.kubeConfig, NAMESPACE, "web");
    expect(await answerIn("client", url)).to.equal(WEB_PAGE);
    // Hairpin: one of two endpoints is the asking pod itself, so a few tries reach both.
    for (let i = 0; i < 4; i++) expect(await answerIn(web, url)).to.equal(WEB_PAGE);
  });

  it("resolves web.<ns>.svc and web.<ns>.svc.cluster.local in pods, and nothing outside the cluster", async () => {
    const url = await serviceUrl(cp.kubeConfig, NAMESPACE, "web");
    const clusterIp = new URL(url).hostname;
    for (const name of [`web.${NAMESPACE}.svc`, `web.${NAMESPACE}.svc.cluster.local`])
      expect(await answerIn("client", `http://${name}/`)).to.equal(WEB_PAGE);
    const lookup = await kubectl(
      "exec",
      "-n",
      NAMESPACE,
      "client",
      "--",
      "/bin/busybox",
      "nslookup",
      "example.com",
    );
    expect(lookup.code, lookup.stdout).to.not.equal(0);
    expect(lookup.stdout + lookup.stderr).to.include("REFUSED");
    // The same server from this machine: the cluster's names, and a refusal for any other.
    const resolver = new Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers(cp.nodeServices!.dnsAddresses);
    expect(await resolver.resolve4(`web.${NAMESPACE}.svc.cluster.local`)).to.deep.equal([clusterIp]);
    const outside = await resolver.resolve4("example.com").then(
      () => "resolved",
      (error: unknown) => (error as { code?: string }).code,
    );
    expect(outside).to.equal("EREFUSED");
  });

  it("sends no Service traffic off this machine: an endpoint elsewhere is refused here and unreachable from pods", async () => {
    await core.createNamespacedService({
      namespace: NAMESPACE,
      body: { metadata: { name: "away" }, spec: { ports: [{ port: 80, targetPort: 80 }] } },
    });
    await cp.kubeConfig.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace: NAMESPACE,
      body: {
        metadata: { name: "away-1", labels: { "kubernetes.io/service-name": "away" } },
        addressType: "IPv4",
        endpoints: [{ addresses: [AWAY] }],
        ports: [{ port: 80, protocol: "TCP" }],
      },
    });
    const url = await serviceUrl(cp.kubeConfig, NAMESPACE, "away");
    // Refused at once, before and after kube-proxy's rule for it: by our guard, never by a timeout elsewhere.
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const code = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
        (response) => `answered ${response.status}`,
        (error: unknown) => (error as { cause?: { code?: string } }).cause?.code,
      );
      expect(code).to.equal("ECONNREFUSED");
      expect(performance.now() - t0).to.be.below(1_000);
    }
    expect((await wgetIn("client", url)).code).to.not.equal(0);
  });

  it("serves a NodePort on the bridge address only, not on loopback or this machine's other addresses", async () => {
    await core.createNamespacedService({
      namespace: NAMESPACE,
      body: {
        metadata: { name: "web-nodeport" },
        spec: { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80, targetPort: WEB_PORT }] },
      },
    });
    const service = await core.readNamespacedService({ name: "web-nodeport", namespace: NAMESPACE });
    const nodePort = service.spec!.ports![0]!.nodePort!;
    const page = await waitFor(
      async () =>
        fetch(`http://${cp.realNodes[0]!.nodeIp}:${nodePort}/`, { signal: AbortSignal.timeout(2_000) }).then(
          (response) => response.text(),
        ),
      { timeoutMs: 30_000, intervalMs: 200, description: "the NodePort on the bridge address" },
    );
    expect(page).to.equal(WEB_PAGE);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address?.family === "IPv4" && !address.address.startsWith("10.247."))
      .map((address) => address!.address);
    expect(others).to.include("127.0.0.1");
    for (const address of others) {
      const answered = await fetch(`http://${address}:${nodePort}/`, {
        signal: AbortSignal.timeout(2_000),
      }).then(
        () => true,
        () => false,
      );
      expect(answered, `NodePort on ${address}`).to.equal(false);
    }
  });

  it("leaves the machine as it was after a down from the state files, and a second down does nothing", async () => {
    expect(await stopControlPlaneInDir(dir)).to.equal(true);
    expect(await stopControlPlaneInDir(dir)).to.equal(false);
    expectMachineAsBefore(machineBefore);
  });
});
