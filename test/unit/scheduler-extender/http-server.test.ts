import { request } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { expect } from "chai";
import fc from "fast-check";
import { pino } from "pino";
import { DEFAULT_PLACEMENT_PARAMS } from "../../../chain-sidecar/modules/poc/placement.js";
import { ClusterState } from "../../../scheduler-extender/cluster-state.js";
import { ExtenderMetrics } from "../../../scheduler-extender/extender-metrics.js";
import { createExtenderHttpServer } from "../../../scheduler-extender/http-server.js";
import { REJECTION } from "../../../scheduler-extender/node-filter.js";
import { PlacementExtender } from "../../../scheduler-extender/placement-extender.js";
import { ScuCalculator } from "../../../units/pod-scu.js";
import { ReplicaGate } from "../../../scheduler-extender/replica-gate.js";
import { contributorNode, uranusPod } from "./contributor-node-fixture.js";

const MAX_BODY = 64 * 1024;

interface Answer {
  status: number;
  body: string;
}

describe("extender HTTP server", function () {
  this.timeout(60_000);
  let server: Server;
  let base: string;
  let ready = false;
  const metrics = new ExtenderMetrics({ processMetrics: false });

  before(async () => {
    const scu = new ScuCalculator();
    const state = new ClusterState(scu);
    state.upsertContributor(contributorNode({ name: "good-1", poc: 300 }));
    state.upsertContributor(contributorNode({ name: "good-2", poc: 200 }));
    state.upsertContributor(contributorNode({ name: "down", online: false }));
    const extender = new PlacementExtender({
      state,
      gate: new ReplicaGate({ pendingForMs: 100, maxWaitMs: 100 }),
      scu,
      placement: DEFAULT_PLACEMENT_PARAMS,
      metrics,
      log: pino({ level: "silent" }),
    });
    server = createExtenderHttpServer(extender, metrics, pino({ level: "silent" }), {
      maxBodyBytes: MAX_BODY,
      ready: () => ready,
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  async function post(path: string, body: string): Promise<Answer> {
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: response.status, body: await response.text() };
  }

  const uranus = uranusPod({ name: "w", uid: "uid-1", contract: "c", maxPrice: "10" });
  const foreign = uranusPod({ name: "plain", uid: "uid-2" });
  const nodeNames = ["good-1", "good-2", "down", "stranger"];

  it("answers 503 to verbs and /readyz until the informers have synced; /healthz always", async () => {
    expect((await post("/filter", JSON.stringify({ Pod: uranus, NodeNames: nodeNames }))).status).to.equal(
      503,
    );
    expect((await fetch(`${base}/readyz`)).status).to.equal(503);
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).to.equal(200);
  });

  it("filters a Uranus pod with kube-scheduler's field names and a reason per rejected node", async () => {
    const answer = await post("/filter", JSON.stringify({ Pod: uranus, NodeNames: nodeNames }));
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.body)).to.deep.equal({
      NodeNames: ["good-1", "good-2"],
      FailedNodes: {},
      FailedAndUnresolvableNodes: { down: REJECTION.offline, stranger: REJECTION.notOffered },
      Error: "",
    });
  });

  it("passes a pod that is not Uranus's untouched with every node, and gives it no scores", async () => {
    const filtered = JSON.parse(
      (await post("/filter", JSON.stringify({ Pod: foreign, NodeNames: nodeNames }))).body,
    ) as Record<string, unknown>;
    expect(filtered).to.deep.include({
      NodeNames: nodeNames,
      FailedNodes: {},
      FailedAndUnresolvableNodes: {},
    });
    const scores = await post("/prioritize", JSON.stringify({ Pod: foreign, NodeNames: nodeNames }));
    expect(JSON.parse(scores.body)).to.deep.equal([]);
  });

  it("answers a Nodes list when called without the node cache", async () => {
    const Nodes = { items: nodeNames.map((name) => ({ metadata: { name } })) };
    const filtered = JSON.parse((await post("/filter", JSON.stringify({ Pod: uranus, Nodes }))).body) as {
      Nodes: { items: { metadata: { name: string } }[] };
    };
    expect(filtered.Nodes.items.map((n) => n.metadata.name)).to.deep.equal(["good-1", "good-2"]);
  });

  it("prioritizes with {Host, Score} in 0…10", async () => {
    const answer = await post(
      "/prioritize",
      JSON.stringify({ Pod: uranus, NodeNames: ["good-1", "good-2"] }),
    );
    const scores = JSON.parse(answer.body) as { Host: string; Score: number }[];
    expect(scores.map((s) => s.Host).sort()).to.deep.equal(["good-1", "good-2"]);
    for (const { Score } of scores) expect(Score).to.be.within(0, 10);
  });

  it("refuses malformed bodies with 400 and a reason", async () => {
    const cases: [string, string][] = [
      ["{", "request body is not JSON"],
      ["[]", "request body is not ExtenderArgs: the body must be object"],
      [JSON.stringify({ NodeNames: [] }), "must have required property 'Pod'"],
      [
        JSON.stringify({ Pod: { metadata: { name: "x" } }, NodeNames: [] }),
        "must have required property 'uid'",
      ],
      [JSON.stringify({ Pod: uranus }), "carries neither NodeNames nor Nodes"],
      [
        JSON.stringify({ Pod: uranus, NodeNames: [""] }),
        "/NodeNames/0 must NOT have fewer than 1 characters",
      ],
      [JSON.stringify({ Pod: uranus, NodeNames: [7] }), "/NodeNames/0 must be string"],
    ];
    for (const [body, reason] of cases) {
      const answer = await post("/filter", body);
      expect(answer.status, body).to.equal(400);
      expect((JSON.parse(answer.body) as { Error: string }).Error, body).to.contain(reason);
    }
  });

  it("refuses oversized bodies with 400, declared or streamed", async () => {
    const big = JSON.stringify({
      Pod: uranus,
      NodeNames: Array.from({ length: 10_000 }, (_, i) => `node-${i}`),
    });
    expect(big.length).to.be.greaterThan(MAX_BODY);
    const declared = await post("/filter", big);
    expect(declared.status).to.equal(400);
    expect(declared.body).to.contain("exceeds the 65536-byte limit");

    const streamed = await new Promise<Answer>((resolve, reject) => {
      const req = request(
        `${base}/filter`,
        { method: "POST", headers: { "transfer-encoding": "chunked" } },
        (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 10; i++) req.write(big.slice(i * 10_000, (i + 1) * 10_000));
      req.end();
    });
    expect(streamed.status).to.equal(400);
    expect(streamed.body).to.contain("exceeds the 65536-byte limit");
  });

  it("turns down unknown node names, even one called __proto__", async () => {
    const answer = await post("/filter", JSON.stringify({ Pod: uranus, NodeNames: ["__proto__", "good-1"] }));
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.body)).to.deep.include({
      NodeNames: ["good-1"],
      FailedAndUnresolvableNodes: { ["__proto__"]: REJECTION.notOffered },
    });
  });

  it("answers 405 to wrong methods and 404 to unknown paths", async () => {
    expect((await fetch(`${base}/filter`)).status).to.equal(405);
    expect((await post("/healthz", "")).status).to.equal(405);
    expect((await fetch(`${base}/bind`)).status).to.equal(404);
  });

  it("answers thousands of fuzzed bodies with 400, never crashes, and still serves afterwards", async () => {
    const badUid = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(""),
      fc.object(),
      fc.array(fc.string()),
    );
    const badName = fc.oneof(
      fc.constant(""),
      fc.constant(null),
      fc.integer(),
      fc.string({ minLength: 254, maxLength: 300 }),
    );
    const bodies = fc.oneof(
      fc.string().filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      badUid.map((uid) =>
        JSON.stringify({ Pod: { ...uranus, metadata: { ...uranus.metadata, uid } }, NodeNames: nodeNames }),
      ),
      badName.map((name) => JSON.stringify({ Pod: uranus, NodeNames: ["good-1", name] })),
      fc.jsonValue().map((value) => JSON.stringify({ Pod: value, NodeNames: nodeNames })),
      fc
        .jsonValue()
        .filter((value) => typeof value !== "string")
        .map((value) =>
          JSON.stringify({
            Pod: { ...uranus, metadata: { ...uranus.metadata, labels: { a: value } } },
            NodeNames: nodeNames,
          }),
        ),
      fc
        .uint8Array({ minLength: 1, maxLength: 200 })
        .map((bytes) => Buffer.from([0xff, ...bytes]).toString("latin1")),
    );
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom("/filter", "/prioritize"), async (body, path) => {
        const answer = await post(path, body);
        sent++;
        // fc.jsonValue() can produce a valid Pod by chance only if it is an object with metadata.uid and name.
        if (answer.status === 200) {
          const pod = (JSON.parse(body) as { Pod?: { metadata?: { uid?: unknown; name?: unknown } } }).Pod;
          expect(
            typeof pod?.metadata?.uid === "string" && typeof pod.metadata.name === "string",
            body,
          ).to.equal(true);
          return;
        }
        expect(answer.status, body).to.equal(400);
        expect((JSON.parse(answer.body) as { Error: string }).Error).to.be.a("string").and.not.empty;
      }),
      { numRuns: 3000 },
    );
    expect(sent).to.equal(3000);
    const after = await post("/filter", JSON.stringify({ Pod: uranus, NodeNames: nodeNames }));
    expect(after.status).to.equal(200);
    expect((JSON.parse(after.body) as { NodeNames: string[] }).NodeNames).to.deep.equal(["good-1", "good-2"]);
  });

  it("exports request counts and latency histograms per verb", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).to.match(/uranus_scheduler_extender_requests_total\{verb="filter",code="200"\} \d+/);
    expect(text).to.match(/uranus_scheduler_extender_requests_total\{verb="filter",code="400"\} \d+/);
    expect(text).to.match(
      /uranus_scheduler_extender_request_duration_seconds_count\{verb="prioritize"\} \d+/,
    );
    expect(text).to.contain(
      'uranus_scheduler_extender_rejected_nodes_total{reason="contributor node is offline"}',
    );
  });
});
