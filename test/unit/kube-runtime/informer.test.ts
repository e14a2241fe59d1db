import { PassThrough } from "node:stream";
import { expect } from "chai";
import nock from "nock";
import { waitFor } from "../../../process/wait-for.js";
import { OperatorMetrics } from "../../../observability/metrics.js";
import { CONFIG_MAP } from "../../../kube-runtime/builtin-resources.js";
import { Informer } from "../../../kube-runtime/informer.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { SERVER, isolateNock, testKubeClient, watchStream } from "./support/nock-apiserver.js";

const PATH = "/api/v1/namespaces/ns/configmaps";

type ConfigMap = KubeObject & { data?: Record<string, string> };

function configMap(name: string, resourceVersion: string, data: Record<string, string> = {}): ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns", resourceVersion }, data };
}

function listBody(resourceVersion: string, items: ConfigMap[]): object {
  return { kind: "ConfigMapList", apiVersion: "v1", metadata: { resourceVersion }, items };
}

interface Recorded {
  events: string[];
}

function recordEvents(informer: Informer<ConfigMap>): Recorded {
  const recorded: Recorded = { events: [] };
  informer.addHandler({
    add: (o) => recorded.events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    update: (p, c) =>
      recorded.events.push(
        `update ${c.metadata.name}@${p.metadata.resourceVersion}->${c.metadata.resourceVersion}`,
      ),
    delete: (o) => recorded.events.push(`delete ${o.metadata.name}`),
  });
  return recorded;
}

const isWatch =
  (resourceVersion: string) =>
  (query: Record<string, unknown>): boolean =>
    query.watch === "true" &&
    query.resourceVersion === resourceVersion &&
    query.allowWatchBookmarks === "true";

const isList = (query: Record<string, unknown>): boolean => query.watch === undefined;

/** The config map endpoint's answers, added in the order the informer is to ask for them. */
function configMapApi() {
  const scope = nock(SERVER);
  const api = {
    scope,
    list(resourceVersion: string, items: ConfigMap[]) {
      scope.get(PATH).query(isList).reply(200, listBody(resourceVersion, items));
      return api;
    },
    watch(resourceVersion: string, body: () => PassThrough) {
      scope.get(PATH).query(isWatch(resourceVersion)).reply(200, body);
      return api;
    },
  };
  return api;
}

describe("informer (HTTP edges against nock)", () => {
  let informer: Informer<ConfigMap> | undefined;

  isolateNock(async () => {
    await informer?.stop();
    informer = undefined;
  });

  function makeInformer(
    options: Partial<ConstructorParameters<typeof Informer<ConfigMap>>[0]> = {},
  ): Informer<ConfigMap> {
    informer = new Informer<ConfigMap>({
      client: testKubeClient(),
      resource: CONFIG_MAP,
      namespace: "ns",
      backoff: { initialMs: 10, maxMs: 40 },
      ...options,
    });
    return informer;
  }

  it("lists, then applies ADDED, MODIFIED and DELETED from a watch resumed at the list's resourceVersion", async () => {
    const watch = watchStream();
    const api = configMapApi()
      .list("10", [configMap("a", "7")])
      .watch("10", () => watch.stream).scope;
    const subject = makeInformer();
    const recorded = recordEvents(subject);
    subject.start();
    await subject.waitForSync({ timeoutMs: 5000 });
    expect(subject.store.keys()).to.deep.equal(["ns/a"]);
    await waitFor(() => api.isDone(), { timeoutMs: 5000, description: "the watch request" });
    watch.send("ADDED", configMap("b", "11"));
    watch.send("MODIFIED", configMap("a", "12", { k: "v" }));
    watch.send("DELETED", configMap("b", "13"));
    await waitFor(() => recorded.events.length === 4, { timeoutMs: 5000, description: "four events" });
    expect(recorded.events).to.deep.equal(["add a@7", "add b@11", "update a@7->12", "delete b"]);
    expect(subject.store.keys()).to.deep.equal(["ns/a"]);
    expect(subject.store.get("ns/a")?.data).to.deep.equal({ k: "v" });
    expect(subject.lastResourceVersion).to.equal("13");
  });

  it("relists on a 410 Gone watch event and reports what the relist changed", async () => {
    const metrics = new OperatorMetrics();
    let watchesOpened = 0;
    const expired = watchStream();
    const afterRelist = watchStream();
    const api = configMapApi()
      .list("5", [configMap("kept", "3"), configMap("gone", "4")])
      .watch("5", () => {
        watchesOpened++;
        return expired.stream;
      })
      .list("90", [configMap("kept", "80"), configMap("new", "85")])
      .watch("90", () => afterRelist.stream).scope;
    const subject = makeInformer({ metrics });
    const recorded = recordEvents(subject);
    subject.start();
    await subject.waitForSync({ timeoutMs: 5000 });
    await waitFor(() => watchesOpened === 1, { timeoutMs: 5000, description: "the first watch" });
    expired.send("ERROR", {
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      message: "too old resource version: 5 (60)",
      reason: "Expired",
      code: 410,
    });
    expired.stream.end();
    await waitFor(() => api.isDone(), {
      timeoutMs: 5000,
      description: "relist and a new watch from its version",
    });
    expect(recorded.events).to.deep.equal([
      "add kept@3",
      "add gone@4",
      "update kept@3->80",
      "add new@85",
      "delete gone",
    ]);
    expect(subject.store.keys()).to.deep.equal(["ns/kept", "ns/new"]);
    const text = await metrics.exposition();
    expect(text).to.match(/uranus_informer_lists_total\{resource="configmaps"\} 2/);
    expect(text).to.match(/uranus_informer_watch_restarts_total\{resource="configmaps",reason="expired"\} 1/);
  });

  it("relists when the watch request itself is answered 410 Gone", async () => {
    const gone = { kind: "Status", code: 410, reason: "Gone", message: "too old resource version" };
    const api = configMapApi().list("5", []);
    api.scope.get(PATH).query(isWatch("5")).reply(410, gone);
    api.list("50", [configMap("x", "49")]).watch("50", () => watchStream().stream);
    const subject = makeInformer();
    subject.start();
    await waitFor(() => api.scope.isDone(), { timeoutMs: 5000, description: "relist after the 410 answer" });
    expect(subject.store.keys()).to.deep.equal(["ns/x"]);
  });

  it("restarts a watch that went silent, from the same resourceVersion and without relisting", async () => {
    const metrics = new OperatorMetrics();
    const silent = watchStream();
    const second = watchStream();
    const api = configMapApi()
      .list("20", [])
      .watch("20", () => silent.stream)
      .watch("20", () => second.stream).scope;
    const subject = makeInformer({ watchIdleTimeoutMs: 300, metrics });
    const recorded = recordEvents(subject);
    const t0 = performance.now();
    subject.start();
    await waitFor(() => api.isDone(), {
      timeoutMs: 5000,
      description: "the watchdog to open a second watch",
    });
    expect(performance.now() - t0, "not before the idle bound").to.be.greaterThanOrEqual(280);
    second.send("ADDED", configMap("late", "21"));
    await waitFor(() => recorded.events.includes("add late@21"), {
      timeoutMs: 5000,
      description: "an event",
    });
    const text = await metrics.exposition();
    expect(text).to.match(/uranus_informer_lists_total\{resource="configmaps"\} 1/);
    expect(text).to.match(/uranus_informer_watch_restarts_total\{resource="configmaps",reason="idle"\} 1/);
  });

  it("resumes from the last bookmark when a watch ends normally", async () => {
    const first = watchStream();
    let watchesOpened = 0;
    const api = configMapApi()
      .list("30", [])
      .watch("30", () => {
        watchesOpened++;
        return first.stream;
      })
      .watch("44", () => watchStream().stream).scope;
    const subject = makeInformer();
    subject.start();
    await waitFor(() => watchesOpened === 1, { timeoutMs: 5000, description: "the first watch" });
    first.send("BOOKMARK", { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: "44" } });
    first.stream.end();
    await waitFor(() => api.isDone(), { timeoutMs: 5000, description: "a watch from the bookmark" });
    expect(subject.store.size, "a bookmark is not an object").to.equal(0);
  });

  it("backs off between failed lists, with growing delays, until the apiserver answers", async () => {
    const attempts: number[] = [];
    const api = configMapApi();
    api.scope
      .get(PATH)
      .query(isList)
      .times(3)
      .reply(() => {
        attempts.push(performance.now());
        return [500, { kind: "Status", code: 500, reason: "InternalError", message: "etcd unavailable" }];
      });
    api.list("1", [configMap("ok", "1")]).watch("1", () => watchStream().stream);
    const subject = makeInformer({ backoff: { initialMs: 40, maxMs: 1000 } });
    subject.start();
    await subject.waitForSync({ timeoutMs: 5000 });
    await waitFor(() => api.scope.isDone(), { timeoutMs: 5000, description: "all requests" });
    expect(attempts).to.have.length(3);
    expect(attempts[1]! - attempts[0]!).to.be.greaterThanOrEqual(35);
    expect(attempts[2]! - attempts[1]!).to.be.greaterThanOrEqual(75);
    expect(subject.hasSynced()).to.equal(true);
  });

  it("is not synced, and says so, while the first list keeps failing", async () => {
    nock(SERVER).get(PATH).query(isList).times(100).reply(503, { message: "unavailable" });
    const subject = makeInformer();
    subject.start();
    let message = "";
    try {
      await subject.waitForSync({ timeoutMs: 150 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.match(/configmaps informer did not sync within 150 ms/);
    expect(subject.hasSynced()).to.equal(false);
  });
});
