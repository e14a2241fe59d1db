import { expect } from "chai";
import { waitFor } from "../../../process/wait-for.js";
import { EventRecorder } from "../../../kube-runtime/event-recorder.js";
import { EVENT } from "../../../kube-runtime/builtin-resources.js";
import { setCondition } from "../../../kube-runtime/conditions.js";
import {
  addFinalizer,
  hasFinalizer,
  isBeingDeleted,
  removeFinalizer,
} from "../../../kube-runtime/finalizers.js";
import { isConflict, isNotFound } from "../../../kube-runtime/kube-api-error.js";
import { KubeClient } from "../../../kube-runtime/kube-client.js";
import { OperatorRuntime } from "../../../kube-runtime/operator-runtime.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { patchStatus } from "../../../kube-runtime/status.js";
import { sharedControlPlane } from "../../support/control-plane.js";
import { ensureNamespace, installWidgetCrd, WIDGET, widget, type Widget } from "./widget-crd.js";

const NS = "runtime-helpers";
const FINALIZER = "runtime-test.uranus.io/cleanup";

type Event = KubeObject & {
  reason?: string;
  note?: string;
  regarding?: { name?: string; uid?: string };
  series?: { count: number };
};

describe("status, conditions, finalizers and events on the real apiserver", function () {
  this.timeout(120_000);
  let client: KubeClient;

  before(async () => {
    client = new KubeClient((await sharedControlPlane()).kubeConfig);
    await ensureNamespace(client, NS);
    await installWidgetCrd(client);
  });

  it("writes status through the subresource with observedGeneration, and skips a write that changes nothing", async () => {
    const created = await client.create(WIDGET, widget(NS, "status", 4));
    const t1 = new Date("2025-03-01T10:00:00Z");
    const conditions = setCondition(
      undefined,
      { type: "Ready", status: "False", reason: "Pending", message: "starting", observedGeneration: 1 },
      t1,
    );
    const first = await patchStatus(client, WIDGET, created, { echo: 4, conditions });
    expect(first.written).to.equal(true);
    expect(first.object.status).to.deep.equal({ echo: 4, conditions, observedGeneration: 1 });
    expect(first.object.spec, "the status subresource leaves spec alone").to.deep.equal({ size: 4 });
    expect(first.object.metadata.generation, "status writes do not bump generation").to.equal(1);

    const again = await patchStatus(client, WIDGET, first.object, { echo: 4, conditions });
    expect(again.written).to.equal(false);

    const later = setCondition(
      first.object.status?.conditions,
      { type: "Ready", status: "False", reason: "StillPending", message: "waiting", observedGeneration: 1 },
      new Date("2025-03-01T11:00:00Z"),
    );
    const third = await patchStatus(client, WIDGET, first.object, { conditions: later });
    const ready = third.object.status?.conditions?.[0];
    expect(ready?.reason).to.equal("StillPending");
    expect(ready?.lastTransitionTime, "same status, same transition time").to.equal("2025-03-01T10:00:00Z");

    // undefined removes a field: it goes out as null in the merge patch.
    const removed = await patchStatus(client, WIDGET, third.object, { echo: undefined });
    expect(removed.object.status?.echo).to.equal(undefined);
  });

  it("refuses a status write computed from a stale read when asked to guard it", async () => {
    const created = await client.create(WIDGET, widget(NS, "guarded", 1));
    await client.mergePatch(WIDGET, { namespace: NS, name: "guarded" }, { spec: { size: 2 } });
    let caught: unknown;
    try {
      await patchStatus(client, WIDGET, created, { echo: 1 }, { guardResourceVersion: true });
    } catch (error) {
      caught = error;
    }
    expect(isConflict(caught), String(caught)).to.equal(true);
  });

  it("adds and removes a finalizer, refusing a stale resourceVersion, and deletion waits for it", async () => {
    const created = await client.create(WIDGET, widget(NS, "final", 1));
    const changed = await client.mergePatch<Widget>(
      WIDGET,
      { namespace: NS, name: "final" },
      { metadata: { labels: { touched: "yes" } } },
    );
    let caught: unknown;
    try {
      await addFinalizer(client, WIDGET, created, FINALIZER);
    } catch (error) {
      caught = error;
    }
    expect(isConflict(caught), `stale write must conflict, got ${String(caught)}`).to.equal(true);
    expect((caught as Error).message).to.include("409");

    const guarded = await addFinalizer(client, WIDGET, changed, FINALIZER);
    expect(hasFinalizer(guarded, FINALIZER)).to.equal(true);
    expect(guarded.metadata.labels, "the patch touched only finalizers").to.deep.equal({ touched: "yes" });
    expect(await addFinalizer(client, WIDGET, guarded, FINALIZER), "no second write when present").to.equal(
      guarded,
    );

    await client.delete(WIDGET, { namespace: NS, name: "final" });
    const terminating = await client.get<Widget>(WIDGET, { namespace: NS, name: "final" });
    expect(isBeingDeleted(terminating)).to.equal(true);

    await removeFinalizer(client, WIDGET, terminating, FINALIZER);
    await waitFor(
      async () => {
        try {
          await client.get(WIDGET, { namespace: NS, name: "final" });
          return false;
        } catch (error) {
          return isNotFound(error);
        }
      },
      { timeoutMs: 10_000, description: "the Widget to be gone once its finalizer is removed" },
    );
  });

  it("a controller whose finalizer patch conflicts requeues and succeeds from a fresh read", async () => {
    await client.create(WIDGET, widget(NS, "raced", 1));
    const runtime = new OperatorRuntime({
      kubeConfig: (await sharedControlPlane()).kubeConfig,
      name: "race",
    });
    const widgets = runtime.informer<Widget>(WIDGET, { namespace: NS });
    const outcomes: string[] = [];
    let raced = false;
    runtime.controller<Widget>({
      name: "finalizer-race",
      for: widgets,
      rateLimit: { initialMs: 20, maxMs: 500 },
      reconcile: async (key, { attempt }) => {
        if (key !== `${NS}/raced`) return;
        const cached = widgets.store.get(key);
        if (cached === undefined || hasFinalizer(cached, FINALIZER)) return;
        if (!raced) {
          // Someone else writes between our read and our patch.
          raced = true;
          await client.mergePatch(
            WIDGET,
            { namespace: NS, name: "raced" },
            { metadata: { labels: { other: "1" } } },
          );
        }
        try {
          await addFinalizer(runtime.client, WIDGET, cached, FINALIZER);
          outcomes.push(`added on attempt ${attempt}`);
        } catch (error) {
          outcomes.push(isConflict(error) ? "conflict" : `error ${String(error)}`);
          throw error;
        }
      },
    });
    await runtime.start();
    try {
      await waitFor(
        async () =>
          hasFinalizer(await client.get<Widget>(WIDGET, { namespace: NS, name: "raced" }), FINALIZER),
        { timeoutMs: 20_000, description: "the finalizer to be added after the conflict" },
      );
      // Until the watch delivers the other write, the cache is stale and a retry may conflict again; a patch from
      // a stale read never succeeds, so the finalizer is added exactly once, and conflicts are not errors.
      expect(outcomes[0]).to.equal("conflict");
      expect(outcomes.filter((outcome) => outcome.startsWith("added"))).to.have.length(1);
      expect(outcomes.every((outcome) => outcome === "conflict" || outcome.startsWith("added"))).to.equal(
        true,
      );
      const metrics = await runtime.metrics.exposition();
      expect(metrics).to.match(
        /controller_runtime_reconcile_total\{controller="finalizer-race",result="requeue"\} [1-9]/,
      );
      expect(metrics).not.to.match(
        /controller_runtime_reconcile_errors_total\{controller="finalizer-race"\} [1-9]/,
      );
    } finally {
      await runtime.stop();
      const current = await client.get<Widget>(WIDGET, { namespace: NS, name: "raced" });
      await removeFinalizer(client, WIDGET, current, FINALIZER);
    }
  });

  it("records events.k8s.io Events and folds repeats into one series", async () => {
    const subject = await client.create(WIDGET, widget(NS, "noisy", 1));
    const recorder = new EventRecorder({
      client,
      reportingController: "runtime-test.uranus.io/recorder",
      reportingInstance: "test-0",
    });
    for (let i = 0; i < 3; i++) {
      recorder.record(subject, {
        type: "Warning",
        reason: "Flapping",
        action: "Probe",
        note: "node went away",
      });
    }
    recorder.record(subject, { type: "Normal", reason: "Recovered", action: "Probe", note: "node is back" });
    await recorder.flush();
    const events = (await client.list<Event>(EVENT, { namespace: NS })).items.filter(
      (event) => event.regarding?.uid === subject.metadata.uid,
    );
    const byReason = new Map(events.map((event) => [event.reason, event]));
    expect(events).to.have.length(2);
    expect(byReason.get("Flapping")?.series?.count).to.equal(3);
    expect(byReason.get("Flapping")?.note).to.equal("node went away");
    expect(byReason.get("Recovered")?.series).to.equal(undefined);
  });
});
