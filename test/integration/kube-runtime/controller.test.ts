import { expect } from "chai";
import { waitFor } from "../../../process/wait-for.js";
import { OperatorRuntime } from "../../../kube-runtime/operator-runtime.js";
import { KubeClient } from "../../../kube-runtime/kube-client.js";
import { isNotFound } from "../../../kube-runtime/kube-api-error.js";
import { patchStatus } from "../../../kube-runtime/status.js";
import { sharedControlPlane } from "../../support/control-plane.js";
import { ensureNamespace, installWidgetCrd, WIDGET, widget, type Widget } from "./widget-crd.js";

const NS = "runtime-controller";

describe("controller on the real control plane", function () {
  this.timeout(180_000);
  let client: KubeClient;
  let runtime: OperatorRuntime | undefined;

  before(async () => {
    client = new KubeClient((await sharedControlPlane()).kubeConfig);
    await ensureNamespace(client, NS);
    await installWidgetCrd(client);
  });

  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  /** A runtime whose one controller copies each Widget's spec.size into status.echo. */
  async function startEchoRuntime(): Promise<{ reconciles: string[] }> {
    const { kubeConfig } = await sharedControlPlane();
    runtime = new OperatorRuntime({
      kubeConfig,
      name: "runtime-test",
      healthAddress: "127.0.0.1:0",
      informers: { backoff: { initialMs: 100, maxMs: 1000, jitter: 0.5 } },
    });
    const reconciles: string[] = [];
    const widgets = runtime.informer<Widget>(WIDGET, { namespace: NS });
    const owner = runtime;
    runtime.controller<Widget>({
      name: "widget-echo",
      for: widgets,
      workers: 2,
      rateLimit: { initialMs: 50, maxMs: 1000 },
      reconcile: async (key) => {
        const current = widgets.store.get(key);
        reconciles.push(`${key} poke=${current?.metadata.labels?.poke ?? "-"}`);
        if (current === undefined) return;
        await patchStatus(owner.client, WIDGET, current, { echo: current.spec?.size ?? 0 });
      },
    });
    await runtime.start();
    return { reconciles };
  }

  async function echoOf(name: string): Promise<number | undefined> {
    try {
      const current = await client.get<Widget>(WIDGET, { namespace: NS, name });
      return current.status?.observedGeneration === current.metadata.generation
        ? current.status?.echo
        : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  it("passes /readyz once synced, reconciles, and does not react to its own status writes", async () => {
    await client.create(WIDGET, widget(NS, "calm", 3));
    const { reconciles } = await startEchoRuntime();
    const url = runtime!.healthUrl!;
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
      timeoutMs: 30_000,
      description: "/readyz to pass",
    });
    await waitFor(async () => (await echoOf("calm")) === 3, { timeoutMs: 30_000, description: "echo 3" });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).to.match(
      /controller_runtime_reconcile_total\{controller="widget-echo",result="success"\} \d+/,
    );
    // The status write comes back as a watch event; a second reconcile would be the controller chasing itself.
    await client.mergePatch(WIDGET, { namespace: NS, name: "calm" }, { metadata: { labels: { poke: "1" } } });
    await waitFor(() => reconciles.includes(`${NS}/calm poke=1`), {
      timeoutMs: 10_000,
      description: "the label change to be reconciled",
    });
    expect(reconciles.filter((line) => line.startsWith(`${NS}/calm `))).to.deep.equal([
      `${NS}/calm poke=-`,
      `${NS}/calm poke=1`,
    ]);
  });

  it("converges again after kube-apiserver restarts", async () => {
    const { controlPlane } = await sharedControlPlane();
    await client.create(WIDGET, widget(NS, "survivor", 1));
    await startEchoRuntime();
    await waitFor(async () => (await echoOf("survivor")) === 1, { timeoutMs: 30_000, description: "echo 1" });

    await controlPlane.restartApiserver();

    await client.mergePatch(WIDGET, { namespace: NS, name: "survivor" }, { spec: { size: 2 } });
    await client.create(WIDGET, widget(NS, "newcomer", 7));
    await waitFor(async () => (await echoOf("survivor")) === 2, {
      timeoutMs: 60_000,
      description: "the spec change made after the restart to be reconciled",
    });
    await waitFor(async () => (await echoOf("newcomer")) === 7, {
      timeoutMs: 60_000,
      description: "the Widget created after the restart to be reconciled",
    });
    const metrics = await (await fetch(`${runtime!.healthUrl!}/metrics`)).text();
    expect(metrics).to.match(
      /uranus_informer_watch_restarts_total\{resource="widgets.runtime-test.uranus.io"/,
    );
  });
});
