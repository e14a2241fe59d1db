import { expect } from "chai";
import { argocdHealth as health } from "../../support/argocd-health.js";

const condition = (type: string, status: string, message = "") => ({
  type,
  status,
  message,
  reason: "Test",
  lastTransitionTime: "2026-01-01T00:00:00Z",
});

describe("Argo CD health checks (config/argocd)", () => {
  describe("ComputeContract", () => {
    const contract = (generation: number, spec: object, status?: object) => ({
      metadata: { generation },
      spec,
      status,
    });
    const cases: [string, unknown, string, RegExp][] = [
      ["no status yet", contract(1, { replicas: 2 }), "Progressing", /waiting/],
      [
        "status of an older generation",
        contract(3, { replicas: 2 }, { observedGeneration: 2, phase: "Running", readyReplicas: 2 }),
        "Progressing",
        /generation 3/,
      ],
      [
        "opening on chain",
        contract(1, {}, { observedGeneration: 1, phase: "Opening" }),
        "Progressing",
        /Opening/,
      ],
      [
        "running with replicas missing",
        contract(1, { replicas: 3 }, { observedGeneration: 1, phase: "Running", readyReplicas: 1 }),
        "Progressing",
        /1\/3/,
      ],
      [
        "running with every replica ready",
        contract(1, { replicas: 3 }, { observedGeneration: 1, phase: "Running", readyReplicas: 3 }),
        "Healthy",
        /3\/3/,
      ],
      [
        "one replica by default",
        contract(1, {}, { observedGeneration: 1, phase: "Running", readyReplicas: 1 }),
        "Healthy",
        /1\/1/,
      ],
      [
        "paused on low funds",
        contract(
          1,
          {},
          {
            observedGeneration: 1,
            phase: "Paused",
            conditions: [condition("Funded", "False", "escrow 10 cannot cover 60 s")],
          },
        ),
        "Degraded",
        /escrow 10/,
      ],
      [
        "failed",
        contract(
          1,
          {},
          {
            observedGeneration: 1,
            phase: "Failed",
            conditions: [condition("Opened", "False", "payer Secret default/missing not found")],
          },
        ),
        "Degraded",
        /Secret default\/missing/,
      ],
      [
        "closed: settled, nothing runs any more",
        contract(1, {}, { observedGeneration: 1, phase: "Closed" }),
        "Degraded",
        /closed and settled/,
      ],
    ];
    for (const [name, obj, status, message] of cases) {
      it(`${name} → ${status}`, () => {
        const hs = health("ComputeContract", obj);
        expect(hs.status).to.equal(status);
        expect(hs.message).to.match(message);
      });
    }
  });

  describe("PowerContainer", () => {
    const cases: [string, unknown, string][] = [
      ["no status", { metadata: {}, spec: {} }, "Progressing"],
      ["scheduled", { status: { phase: "Scheduled" } }, "Progressing"],
      ["migrating", { status: { phase: "Migrating" } }, "Progressing"],
      ["running", { status: { phase: "Running", nodeName: "n1" } }, "Healthy"],
      ["succeeded", { status: { phase: "Succeeded" } }, "Healthy"],
      [
        "failed",
        { status: { phase: "Failed", conditions: [condition("Ready", "False", "image pull")] } },
        "Degraded",
      ],
    ];
    for (const [name, obj, status] of cases) {
      it(`${name} → ${status}`, () => expect(health("PowerContainer", obj).status).to.equal(status));
    }
  });

  describe("ContributorNode", () => {
    const cases: [string, unknown, string][] = [
      ["no conditions", { status: {} }, "Progressing"],
      [
        "registration pending",
        { status: { conditions: [condition("Registered", "Unknown")] } },
        "Progressing",
      ],
      [
        "registration failed",
        { status: { conditions: [condition("Registered", "False", "no key for owner")] } },
        "Degraded",
      ],
      [
        "offline",
        { status: { conditions: [condition("Registered", "True"), condition("Online", "False", "missed")] } },
        "Degraded",
      ],
      [
        "registered and online",
        { status: { conditions: [condition("Registered", "True"), condition("Online", "True")] } },
        "Healthy",
      ],
    ];
    for (const [name, obj, status] of cases) {
      it(`${name} → ${status}`, () => expect(health("ContributorNode", obj).status).to.equal(status));
    }
  });
});
