import { expect } from "chai";
import { waitFor } from "../../../process/wait-for.js";
import { CONFIG_MAP } from "../../../kube-runtime/builtin-resources.js";
import { Informer } from "../../../kube-runtime/informer.js";
import { KubeClient } from "../../../kube-runtime/kube-client.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { byLabel } from "../../../kube-runtime/store.js";
import { sharedControlPlane } from "../../support/control-plane.js";
import { ensureNamespace, installWidgetCrd, WIDGET, widget, type Widget } from "./widget-crd.js";

const NS = "runtime-informer";

type ConfigMap = KubeObject & { data?: Record<string, string> };

function record<T extends KubeObject>(informer: Informer<T>): string[] {
  const seen: string[] = [];
  informer.addHandler({
    add: (o) => seen.push(`add ${o.metadata.name}`),
    update: (_p, c) => seen.push(`update ${c.metadata.name}`),
    delete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  return seen;
}

describe("informer against the real apiserver", function () {
  this.timeout(120_000);
  let client: KubeClient;
  const informers: Informer<KubeObject>[] = [];

  before(async () => {
    client = new KubeClient((await sharedControlPlane()).kubeConfig);
    await ensureNamespace(client, NS);
  });

  after(async () => {
    await Promise.all(informers.map((informer) => informer.stop()));
  });

  it("sees a ConfigMap created, updated and deleted, and indexes it by label", async () => {
    await client.create(CONFIG_MAP, { metadata: { namespace: NS, name: "before-start" }, data: { a: "1" } });
    const informer = new Informer<ConfigMap>({
      client,
      resource: CONFIG_MAP,
      namespace: NS,
      indexers: { app: byLabel("app") },
    });
    informers.push(informer);
    const seen = record(informer);
    informer.start();
    await informer.waitForSync({ timeoutMs: 30_000 });
    expect(informer.store.get(`${NS}/before-start`)?.data).to.deep.equal({ a: "1" });
    expect(seen).to.include("add before-start");

    await client.create(CONFIG_MAP, {
      metadata: { namespace: NS, name: "live", labels: { app: "demo" } },
      data: { v: "1" },
    });
    await waitFor(() => informer.store.byIndex("app", "demo").length === 1, {
      timeoutMs: 10_000,
      description: "the created ConfigMap in the index",
    });
    await client.mergePatch(CONFIG_MAP, { namespace: NS, name: "live" }, { data: { v: "2" } });
    await waitFor(() => informer.store.get(`${NS}/live`)?.data?.v === "2", {
      timeoutMs: 10_000,
      description: "the update",
    });
    await client.delete(CONFIG_MAP, { namespace: NS, name: "live" });
    await waitFor(() => !informer.store.has(`${NS}/live`), {
      timeoutMs: 10_000,
      description: "the deletion",
    });
    expect(seen.filter((line) => line.endsWith(" live"))).to.deep.equal([
      "add live",
      "update live",
      "delete live",
    ]);
    expect(informer.store.byIndex("app", "demo")).to.deep.equal([]);
  });

  it("sees a custom resource created, updated and deleted", async () => {
    await installWidgetCrd(client);
    const informer = new Informer<Widget>({ client, resource: WIDGET, namespace: NS });
    informers.push(informer);
    const seen = record(informer);
    informer.start();
    await informer.waitForSync({ timeoutMs: 30_000 });
    await client.create(WIDGET, widget(NS, "gear", 1));
    await waitFor(() => informer.store.get(`${NS}/gear`)?.spec?.size === 1, {
      timeoutMs: 10_000,
      description: "the created Widget",
    });
    const created = informer.store.get(`${NS}/gear`)!;
    expect(created.apiVersion).to.equal("runtime-test.uranus.io/v1");
    expect(created.metadata.generation).to.equal(1);
    await client.mergePatch(WIDGET, { namespace: NS, name: "gear" }, { spec: { size: 5 } });
    await waitFor(() => informer.store.get(`${NS}/gear`)?.metadata.generation === 2, {
      timeoutMs: 10_000,
      description: "the spec update",
    });
    await client.delete(WIDGET, { namespace: NS, name: "gear" });
    await waitFor(() => informer.store.size === 0, { timeoutMs: 10_000, description: "the deletion" });
    expect(seen).to.deep.equal(["add gear", "update gear", "delete gear"]);
  });
});
