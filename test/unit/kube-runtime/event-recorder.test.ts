import { expect } from "chai";
import nock from "nock";
import { EventRecorder, microTime } from "../../../kube-runtime/event-recorder.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { SERVER, isolateNock, testKubeClient as client } from "./support/nock-apiserver.js";

const EVENTS = "/apis/events.k8s.io/v1/namespaces/ns/events";

const contract: KubeObject = {
  apiVersion: "uranus.io/v1alpha1",
  kind: "ComputeContract",
  metadata: { name: "render", namespace: "ns", uid: "uid-1", resourceVersion: "42" },
};

type Body = Record<string, unknown>;

describe("event recorder (events.k8s.io/v1 against nock)", () => {
  isolateNock();

  it("creates one Event and folds repeats into its series", async () => {
    const created: Body[] = [];
    const patches: { name: string; body: Body }[] = [];
    nock(SERVER)
      .post(EVENTS)
      .reply(201, (_uri, body) => {
        created.push(body as Body);
        return body as Body;
      })
      .patch(/\/apis\/events\.k8s\.io\/v1\/namespaces\/ns\/events\/.+/)
      .times(10)
      .reply(200, (uri, body) => {
        // nock parses only application/json bodies; a merge patch arrives as text.
        patches.push({ name: uri.split("/").pop()!, body: JSON.parse(body as string) as Body });
        return {};
      });
    const times = [0, 1000, 2000, 3000].map((s) => new Date(Date.UTC(2025, 2, 1, 10, 0, s / 1000)));
    let clock = 0;
    const recorder = new EventRecorder({
      client: client(),
      reportingController: "uranus.io/operator",
      reportingInstance: "operator-0",
      now: () => times[Math.min(clock++, times.length - 1)]!,
    });
    const event = {
      type: "Warning" as const,
      reason: "EscrowLow",
      action: "Settle",
      note: "escrow below one hour",
    };
    for (let i = 0; i < 4; i++) recorder.record(contract, event);
    await recorder.flush();

    expect(created).to.have.length(1);
    const first = created[0]!;
    expect(first).to.deep.include({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      eventTime: "2025-03-01T10:00:00.000000Z",
      reportingController: "uranus.io/operator",
      reportingInstance: "operator-0",
      type: "Warning",
      reason: "EscrowLow",
      action: "Settle",
      note: "escrow below one hour",
    });
    expect(first.regarding).to.deep.equal({
      apiVersion: "uranus.io/v1alpha1",
      kind: "ComputeContract",
      namespace: "ns",
      name: "render",
      uid: "uid-1",
      resourceVersion: "42",
    });
    const name = (first.metadata as { name: string }).name;
    expect(name).to.match(/^render\.[0-9a-f]+$/);
    expect(patches.length).to.be.within(1, 3);
    expect(patches.every((patch) => patch.name === name)).to.equal(true);
    expect(patches.at(-1)!.body).to.deep.equal({
      series: { count: 4, lastObservedTime: "2025-03-01T10:00:03.000000Z" },
    });
  });

  it("starts a new Event for a different reason, and recreates one the apiserver has expired", async () => {
    const created: Body[] = [];
    nock(SERVER)
      .post(EVENTS)
      .times(3)
      .reply(201, (_uri, body) => {
        created.push(body as Body);
        return body as Body;
      })
      .patch(/events\/.+/)
      .reply(404, { kind: "Status", code: 404, reason: "NotFound", message: "events not found" });
    const recorder = new EventRecorder({
      client: client(),
      reportingController: "uranus.io/operator",
      reportingInstance: "operator-0",
    });
    recorder.record(contract, { type: "Normal", reason: "Opened", action: "OpenContract", note: "id 7" });
    await recorder.flush();
    recorder.record(contract, { type: "Normal", reason: "Scaled", action: "Scale", note: "2 replicas" });
    await recorder.flush();
    recorder.record(contract, { type: "Normal", reason: "Opened", action: "OpenContract", note: "id 7" });
    await recorder.flush();
    expect(created.map((body) => body.reason)).to.deep.equal(["Opened", "Scaled", "Opened"]);
  });

  it("never throws at the caller when the apiserver refuses, and keeps notes within 1 KiB", async () => {
    let size = 0;
    nock(SERVER)
      .post(EVENTS)
      .reply(403, (_uri, body) => {
        size = Buffer.byteLength(String((body as Body).note));
        return { kind: "Status", code: 403, reason: "Forbidden", message: "no" };
      });
    const recorder = new EventRecorder({
      client: client(),
      reportingController: "x.io/y",
      reportingInstance: "i",
    });
    expect(() =>
      recorder.record(contract, { type: "Normal", reason: "Long", action: "Write", note: "é".repeat(2000) }),
    ).not.to.throw();
    await recorder.flush();
    expect(size).to.be.within(1, 1024);
  });

  it("formats MicroTime with six fractional digits", () => {
    expect(microTime(new Date("2025-01-02T03:04:05.678Z"))).to.equal("2025-01-02T03:04:05.678000Z");
  });
});
