import { expect } from "chai";
import {
  decidePod,
  LEASE_WAIT_MS,
  type PodDecision,
  type PodFacts,
} from "../../../../operator/power-container/pod-decision.js";

const healthy: PodFacts = {
  contractRuns: true,
  finished: false,
  specCurrent: true,
  podPhase: "Running",
  nodeName: "node-a",
  shunsRecoveredNode: false,
  failedPlacement: undefined,
  ran: true,
  runningForMs: 60_000,
  migrations: 0,
  maxMigrations: 3,
};
const nodeFailed = { reason: "NodeFailed", message: "node-a is NotReady", since: new Date(0) };
const unmatched = { reason: "NodeSelectorMismatch", message: "node-a no longer matches", since: new Date(0) };

const cases: [string, Partial<PodFacts>, PodDecision][] = [
  ["a healthy running pod stays", {}, { action: "keep" }],
  ["a pending unscheduled pod stays", { nodeName: undefined, podPhase: "Pending" }, { action: "keep" }],
  ["the contract stopped running", { contractRuns: false }, { action: "retire", outcome: "completed" }],
  ["the replica already ended", { finished: true }, { action: "retire", outcome: "completed" }],
  [
    "an older spec is replaced",
    { specCurrent: false },
    { action: "retire", outcome: "completed", replaced: true },
  ],
  [
    "a succeeded pod ends the replica",
    { podPhase: "Succeeded" },
    { action: "retire", outcome: "completed", succeeded: true },
  ],
  ["a failed pod is retired as failed", { podPhase: "Failed" }, { action: "retire", outcome: "failed" }],
  [
    "an unscheduled pod shunning a recovered node starts over",
    { nodeName: undefined, podPhase: "Pending", shunsRecoveredNode: true },
    { action: "retire", outcome: "completed" },
  ],
  [
    "a failed node moves the replica at once",
    { failedPlacement: nodeFailed },
    { action: "migrate", force: true },
  ],
  [
    "a node that stopped matching moves it with a grace period",
    { failedPlacement: unmatched },
    { action: "migrate", force: false },
  ],
  [
    "a young running pod without a lease waits for it before moving",
    { failedPlacement: unmatched, ran: false, runningForMs: LEASE_WAIT_MS - 1 },
    { action: "waitForLease" },
  ],
  [
    "it stops waiting for the lease after LEASE_WAIT_MS",
    { failedPlacement: unmatched, ran: false, runningForMs: LEASE_WAIT_MS },
    { action: "abandonPlacement", force: false },
  ],
  [
    "a failed node does not wait for the lease: the placement never took",
    { failedPlacement: nodeFailed, ran: false, runningForMs: 0 },
    { action: "abandonPlacement", force: true },
  ],
  [
    "a pod not yet running on a failing node never took",
    { failedPlacement: unmatched, ran: false, podPhase: "Pending", runningForMs: 0 },
    { action: "abandonPlacement", force: false },
  ],
  [
    "the last migration used: the replica fails",
    { failedPlacement: nodeFailed, migrations: 3 },
    { action: "exhausted", force: true },
  ],
  [
    "one migration left: it moves",
    { failedPlacement: nodeFailed, migrations: 2 },
    { action: "migrate", force: true },
  ],
  [
    "maxMigrations 0 fails at the first failure",
    { failedPlacement: unmatched, maxMigrations: 0 },
    { action: "exhausted", force: false },
  ],
  [
    "a stopped contract retires even a pod on a failed node",
    { contractRuns: false, failedPlacement: nodeFailed },
    { action: "retire", outcome: "completed" },
  ],
];

describe("decidePod: what becomes of a PowerContainer's current pod", () => {
  for (const [name, facts, decision] of cases) {
    it(name, () => {
      expect(decidePod({ ...healthy, ...facts })).to.deep.equal(decision);
    });
  }
});
