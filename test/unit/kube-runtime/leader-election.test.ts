import { KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { KubeClient } from "../../../kube-runtime/kube-client.js";
import { LeaderElector, type LeaderElectionOptions } from "../../../kube-runtime/leader-election.js";

function options(overrides: Partial<LeaderElectionOptions>): LeaderElectionOptions {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "c", server: "http://kube.test", skipTLSVerify: true }],
    users: [{ name: "u" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return {
    client: new KubeClient(config),
    namespace: "ns",
    name: "lease",
    identity: "me",
    onStartedLeading: () => Promise.resolve(),
    onStoppedLeading: () => Promise.resolve(),
    ...overrides,
  };
}

describe("leader election settings", () => {
  it("rejects durations that would let two leaders overlap, naming the fields", () => {
    expect(() => new LeaderElector(options({ leaseDurationMs: 5000, renewDeadlineMs: 5000 }))).to.throw(
      /renewDeadlineMs \(5000\) must be less than leaseDurationMs \(5000\)/,
    );
    expect(() => new LeaderElector(options({ renewDeadlineMs: 2000, retryPeriodMs: 2000 }))).to.throw(
      /retryPeriodMs \(2000\) must be less than renewDeadlineMs \(2000\)/,
    );
    expect(() => new LeaderElector(options({ identity: "" }))).to.throw(/identity must not be empty/);
  });

  it("starts out neither leading nor knowing who leads", () => {
    const elector = new LeaderElector(options({}));
    expect(elector.isLeader()).to.equal(false);
    expect(elector.leadershipKnown()).to.equal(false);
    expect(elector.currentLeader).to.equal(undefined);
  });
});
