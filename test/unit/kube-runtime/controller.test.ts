import { PassThrough } from "node:stream";
import { expect } from "chai";
import nock from "nock";
import { waitFor } from "../../../process/wait-for.js";
import { OperatorMetrics } from "../../../observability/metrics.js";
import { CONFIG_MAP } from "../../../kube-runtime/builtin-resources.js";
import { Controller, type Reconciler } from "../../../kube-runtime/controller.js";
import { Informer } from "../../../kube-runtime/informer.js";
import { KubeApiError } from "../../../kube-runtime/kube-api-error.js";
import type { KubeObject, ResourceType } from "../../../kube-runtime/resource.js";
import { SERVER, isolateNock, sendWatchEvent as send, testKubeClient } from "./support/nock-apiserver.js";

const WIDGET: ResourceType = {
  apiVersion: "runtime-test.uranus.io/v1",
  kind: "Widget",
  plural: "widgets",
  namespaced: true,
};
const WIDGETS = "/apis/runtime-test.uranus.io/v1/widgets";
const CONFIG_MAPS = "/api/v1/configmaps";

type Widget = KubeObject & { spec?: { size: number }; status?: { seen?: number } };

function widget(name: string, resourceVersion: string, generation: number, status?: object): Widget {
  return {
    apiVersion: WIDGET.apiVersion,
    kind: WIDGET.kind,
    metadata: { name, namespace: "ns", resourceVersion, generation, uid: `uid-${name}` },
    spec: { size: generation },
    ...(status === undefined ? {} : { status }),
  };
}

function ownedConfigMap(
  name: string,
  owner: { apiVersion: string; kind: string; name: string },
  resourceVersion: string,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: "ns",
      resourceVersion,
      ownerReferences: [{ ...owner, uid: `uid-${owner.name}`, controller: true }],
    },
  };
}

interface Fake {
  widgets: PassThrough;
  configMaps: PassThrough;
}

/** The apiserver for one test: initial lists, and watch streams the test writes events into. */
function fakeApiserver(initialWidgets: Widget[], initialConfigMaps: KubeObject[] = []): Fake {
  const fake: Fake = { widgets: new PassThrough(), configMaps: new PassThrough() };
  const list = (items: object[]) => ({ metadata: { resourceVersion: "100" }, items });
  nock(SERVER)
    .get(WIDGETS)
    .query((q) => q.watch === undefined)
    .reply(200, list(initialWidgets))
    .get(WIDGETS)
    .query((q) => q.watch === "true")
    .reply(200, () => fake.widgets)
    .get(CONFIG_MAPS)
    .query((q) => q.watch === undefined)
    .reply(200, list(initialConfigMaps))
    .get(CONFIG_MAPS)
    .query((q) => q.watch === "true")
    .reply(200, () => fake.configMaps);
  return fake;
}

describe("controller", () => {
  let informers: Informer<KubeObject>[] = [];
  let controller: Controller<Widget> | undefined;

  isolateNock(async () => {
    await controller?.stop();
    await Promise.all(informers.map((informer) => informer.stop()));
    informers = [];
    controller = undefined;
  });

  function start(
    reconcile: Reconciler,
    metrics?: OperatorMetrics,
    workers = 2,
    watchDelayMs?: number,
  ): Controller<Widget> {
    const kube = testKubeClient();
    const widgets = new Informer<Widget>({
      client: kube,
      resource: WIDGET,
      backoff: { initialMs: 10, maxMs: 20 },
    });
    const configMaps = new Informer<KubeObject>({
      client: kube,
      resource: CONFIG_MAP,
      backoff: { initialMs: 10, maxMs: 20 },
    });
    informers = [widgets, configMaps];
    controller = new Controller<Widget>({
      name: "widget",
      for: widgets,
      ...(watchDelayMs === undefined
        ? { owns: [{ informer: configMaps }] }
        : {
            // A watched kind: config map "for-<widget>" concerns widget <widget>.
            watches: [
              {
                informer: configMaps,
                map: (cm: KubeObject) => [`ns/${cm.metadata.name!.replace(/^for-/, "")}`],
                delayMs: watchDelayMs,
              },
            ],
          }),
      reconcile,
      workers,
      rateLimit: { initialMs: 20, maxMs: 200 },
      metrics,
    });
    for (const informer of informers) informer.start();
    void controller.start();
    return controller;
  }

  it("reconciles every listed object, and again after requeueAfter", async () => {
    fakeApiserver([widget("a", "1", 1), widget("b", "2", 1)]);
    const calls: { key: string; at: number }[] = [];
    const metrics = new OperatorMetrics();
    start((key) => {
      calls.push({ key, at: performance.now() });
      const first = key === "ns/a" && calls.filter((c) => c.key === "ns/a").length === 1;
      return Promise.resolve(first ? { requeueAfter: 150 } : {});
    }, metrics);
    await waitFor(() => calls.filter((c) => c.key === "ns/a").length === 2, {
      timeoutMs: 5000,
      description: "a second reconcile of ns/a",
    });
    const [first, second] = calls.filter((c) => c.key === "ns/a");
    expect(second!.at - first!.at).to.be.greaterThanOrEqual(140);
    expect(calls.filter((c) => c.key === "ns/b")).to.have.length(1);
    const text = await metrics.exposition();
    expect(text).to.match(
      /controller_runtime_reconcile_total\{controller="widget",result="requeue_after"\} 1/,
    );
    expect(text).to.match(/controller_runtime_reconcile_total\{controller="widget",result="success"\} 2/);
    expect(text).to.match(/controller_runtime_reconcile_time_seconds_count\{controller="widget"\} 3/);
    expect(text).to.match(/controller_runtime_max_concurrent_reconciles\{controller="widget"\} 2/);
  });

  it("requeues a failing key with growing delays and counts errors; conflicts requeue without an error", async () => {
    fakeApiserver([widget("flaky", "1", 1)]);
    const metrics = new OperatorMetrics();
    const attempts: { at: number; attempt: number }[] = [];
    start((_key, context) => {
      attempts.push({ at: performance.now(), attempt: context.attempt });
      if (attempts.length === 1) {
        return Promise.reject(new KubeApiError(409, "Conflict", "the object has been modified", "PUT", "/x"));
      }
      if (attempts.length <= 3) return Promise.reject(new Error("chain unreachable"));
      return Promise.resolve({});
    }, metrics);
    await waitFor(() => attempts.length === 4, { timeoutMs: 5000, description: "four attempts" });
    expect(attempts.map((a) => a.attempt)).to.deep.equal([0, 1, 2, 3]);
    expect(attempts[2]!.at - attempts[1]!.at).to.be.greaterThanOrEqual(35);
    expect(attempts[3]!.at - attempts[2]!.at).to.be.greaterThanOrEqual(75);
    await waitFor(
      async () =>
        /controller_runtime_reconcile_total\{controller="widget",result="success"\} 1/.test(
          await metrics.exposition(),
        ),
      { timeoutMs: 2000, description: "the success to be counted" },
    );
    const text = await metrics.exposition();
    expect(text).to.match(/controller_runtime_reconcile_errors_total\{controller="widget"\} 2/);
    expect(text).to.match(/controller_runtime_reconcile_total\{controller="widget",result="requeue"\} 1/);
    expect(text).to.match(/controller_runtime_reconcile_total\{controller="widget",result="error"\} 2/);
    expect(text).to.match(/workqueue_retries_total\{name="widget",controller="widget"\} 3/);
  });

  it("ignores status-only updates of the primary kind and reacts to spec changes and owned objects", async () => {
    const fake = fakeApiserver([widget("w", "1", 1)]);
    const calls: string[] = [];
    start((key) => {
      calls.push(key);
      return Promise.resolve({});
    });
    await waitFor(() => calls.length === 1, { timeoutMs: 5000, description: "the initial reconcile" });
    send(fake.widgets, "MODIFIED", widget("w", "2", 1, { seen: 1 }));
    send(fake.widgets, "MODIFIED", widget("w", "3", 2, { seen: 1 }));
    await waitFor(() => calls.length === 2, { timeoutMs: 5000, description: "the spec change" });
    send(
      fake.configMaps,
      "ADDED",
      ownedConfigMap("child", { apiVersion: WIDGET.apiVersion, kind: "Widget", name: "w" }, "4"),
    );
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", name: "d" };
    send(fake.configMaps, "ADDED", ownedConfigMap("not-ours", deployment, "5"));
    await waitFor(() => calls.length === 3, { timeoutMs: 5000, description: "the owned object" });
    send(fake.widgets, "DELETED", widget("w", "6", 2));
    await waitFor(() => calls.length === 4, { timeoutMs: 5000, description: "the deletion" });
    expect(calls).to.deep.equal(["ns/w", "ns/w", "ns/w", "ns/w"]);
  });

  it("a watch with a delay makes one reconcile of a burst of changes, no sooner than the delay", async () => {
    const fake = fakeApiserver([widget("w", "1", 1)]);
    const calls: number[] = [];
    start(
      () => {
        calls.push(performance.now());
        return Promise.resolve({});
      },
      undefined,
      2,
      300,
    );
    await waitFor(() => calls.length === 1, { timeoutMs: 5000, description: "the initial reconcile" });
    const burst = performance.now();
    // Five config maps of the widget, each a change that matters on its own.
    for (let i = 0; i < 5; i++)
      send(fake.configMaps, "ADDED", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "for-w", namespace: `ns-${i}`, resourceVersion: String(10 + i) },
      });
    await waitFor(() => calls.length === 2, { timeoutMs: 5000, description: "the delayed reconcile" });
    expect(calls[1]! - burst).to.be.at.least(290);
    // Waiting out twice the delay shows that no second reconcile was queued (an absence cannot be awaited).
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(calls).to.have.length(2);
  });

  it("stops taking keys on stop() but lets the reconcile in progress finish", async () => {
    fakeApiserver([widget("slow", "1", 1)]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    let finished = false;
    let aborted = false;
    const subject = start(async (_key, context) => {
      entered = true;
      await gate;
      aborted = context.signal.aborted;
      finished = true;
      return {};
    });
    await waitFor(() => entered, { timeoutMs: 5000, description: "the reconcile to be in progress" });
    const stopping = subject.stop();
    release();
    await stopping;
    expect(finished, "stop() returned before the reconcile finished").to.equal(true);
    expect(aborted, "the reconcile saw the stop signal").to.equal(true);
    expect(subject.isRunning).to.equal(false);
  });
});
