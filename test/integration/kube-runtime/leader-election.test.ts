import { expect } from "chai";
import { waitFor } from "../../../process/wait-for.js";
import { microTime } from "../../../kube-runtime/event-recorder.js";
import { CONFIG_MAP, LEASE } from "../../../kube-runtime/builtin-resources.js";
import type { Controller } from "../../../kube-runtime/controller.js";
import { KubeClient } from "../../../kube-runtime/kube-client.js";
import { OperatorRuntime, type LeaderElectionSettings } from "../../../kube-runtime/operator-runtime.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { sharedControlPlane } from "../../support/control-plane.js";
import { ensureNamespace } from "./widget-crd.js";

const NS = "runtime-leader";

type Lease = KubeObject & {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    renewTime?: string;
    leaseTransitions?: number;
  };
};

interface Replica {
  runtime: OperatorRuntime;
  controller: Controller;
  reconciled: string[];
}

describe("leader election on a real Lease", function () {
  this.timeout(120_000);
  let client: KubeClient;
  const replicas: Replica[] = [];

  before(async () => {
    client = new KubeClient((await sharedControlPlane()).kubeConfig);
    await ensureNamespace(client, NS);
  });

  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.runtime.stop()));
    replicas.length = 0;
  });

  async function replica(identity: string, election: LeaderElectionSettings): Promise<Replica> {
    const runtime = new OperatorRuntime({
      kubeConfig: (await sharedControlPlane()).kubeConfig,
      name: "runtime-leader-test",
      identity,
      leaderElection: election,
    });
    const reconciled: string[] = [];
    const controller = runtime.controller({
      name: "configmap-counter",
      for: runtime.informer(CONFIG_MAP, {
        namespace: NS,
        labelSelector: `lease=${election.leaseName ?? ""}`,
      }),
      reconcile: (key) => {
        reconciled.push(key);
        return Promise.resolve();
      },
    });
    const made = { runtime, controller, reconciled };
    replicas.push(made);
    return made;
  }

  async function leaseOf(name: string): Promise<Lease> {
    return client.get<Lease>(LEASE, { namespace: NS, name });
  }

  it("lets one of two replicas lead, and hands over within the lease duration when the leader stops", async () => {
    const election = {
      namespace: NS,
      leaseName: "handover",
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 300,
    };
    const a = await replica("replica-a", election);
    const b = await replica("replica-b", election);
    expect(a.runtime.readiness()).to.match(/informers not synced|leadership not known/);
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    const leader = await waitFor(() => [a, b].find((r) => r.runtime.isLeader()), {
      timeoutMs: 20_000,
      description: "a leader",
    });
    const follower = leader === a ? b : a;
    await waitFor(() => follower.runtime.readiness() === true, {
      timeoutMs: 20_000,
      description: "the follower to be ready (synced, leadership known)",
    });
    expect(follower.runtime.isLeader()).to.equal(false);
    expect((await leaseOf("handover")).spec?.holderIdentity).to.equal(leader.runtime.identity);

    await client.create(CONFIG_MAP, {
      metadata: { namespace: NS, name: "work", labels: { lease: "handover" } },
    });
    await waitFor(() => leader.reconciled.includes(`${NS}/work`), {
      timeoutMs: 20_000,
      description: "the leader to reconcile",
    });
    expect(follower.reconciled, "a follower runs no controllers").to.deep.equal([]);

    const stoppedAt = performance.now();
    await leader.runtime.stop();
    expect((await leaseOf("handover")).spec?.holderIdentity ?? "", "released on stop").to.not.equal(
      leader.runtime.identity,
    );
    await waitFor(() => follower.runtime.isLeader(), {
      timeoutMs: 10_000,
      description: "the follower to lead",
    });
    const handover = performance.now() - stoppedAt;
    expect(handover, "takeover within the lease duration").to.be.lessThan(election.leaseDurationMs);
    await waitFor(() => follower.reconciled.includes(`${NS}/work`), {
      timeoutMs: 20_000,
      description: "the new leader to reconcile",
    });
    const lease = await leaseOf("handover");
    expect(lease.spec?.holderIdentity).to.equal(follower.runtime.identity);
    const metrics = await follower.runtime.metrics.exposition();
    expect(metrics).to.match(/leader_election_master_status\{name="handover"\} 1/);
  });

  it("takes over from a holder that stopped renewing once its lease has run out", async () => {
    const now = microTime(new Date());
    await client.create(LEASE, {
      metadata: { namespace: NS, name: "crashed" },
      spec: {
        holderIdentity: "crashed-replica",
        leaseDurationSeconds: 2,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 4,
      },
    } as Lease);
    const r = await replica("successor", {
      namespace: NS,
      leaseName: "crashed",
      leaseDurationMs: 2000,
      renewDeadlineMs: 1500,
      retryPeriodMs: 200,
    });
    const startedAt = performance.now();
    await r.runtime.start();
    await waitFor(() => r.runtime.readiness() === true, {
      timeoutMs: 20_000,
      description: "leadership known",
    });
    expect(r.runtime.isLeader(), "the crashed holder's lease is still fresh").to.equal(false);
    await waitFor(() => r.runtime.isLeader(), { timeoutMs: 10_000, description: "the successor to lead" });
    const waited = performance.now() - startedAt;
    expect(waited).to.be.greaterThanOrEqual(1900);
    expect(waited).to.be.lessThan(2000 + 2000);
    const lease = await leaseOf("crashed");
    expect(lease.spec?.holderIdentity).to.equal("successor");
    expect(lease.spec?.leaseTransitions).to.equal(5);
  });

  it("steps down and stops its controllers when it can no longer renew", async () => {
    const r = await replica("deposed", {
      namespace: NS,
      leaseName: "usurped",
      leaseDurationMs: 3000,
      renewDeadlineMs: 1500,
      retryPeriodMs: 200,
    });
    await r.runtime.start();
    await waitFor(() => r.runtime.isLeader() && r.controller.isRunning, {
      timeoutMs: 20_000,
      description: "leading with controllers running",
    });
    // Another holder keeps overwriting the Lease: every renewal of ours now fails.
    const usurp = { active: true };
    const usurper = (async () => {
      while (usurp.active) {
        try {
          const lease = await leaseOf("usurped");
          await client.replace(LEASE, {
            ...lease,
            spec: { ...lease.spec, holderIdentity: "usurper", renewTime: microTime(new Date()) },
          });
        } catch {
          // conflicts with the deposed leader's writes; try again
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      const t0 = performance.now();
      await waitFor(() => !r.runtime.isLeader(), {
        timeoutMs: 10_000,
        description: "the leader to step down",
      });
      expect(performance.now() - t0).to.be.lessThan(1500 + 1500);
      await waitFor(() => !r.controller.isRunning, { timeoutMs: 10_000, description: "controllers to stop" });
    } finally {
      usurp.active = false;
      await usurper;
    }
  });
});
