import { expect } from "chai";
import { FederationLoop } from "../../../../operator/federation/federation-loop.js";
import type { OperatorContext } from "../../../../operator/operator-context.js";
import type { FederationSettings } from "../../../../operator/operator-settings.js";
import { silentLogger } from "../../../../observability/logger.js";
import { waitFor } from "../../../../process/wait-for.js";

const HEARTBEAT_MS = 20;

/** A loop whose order pass hangs until released, counting heartbeats and passes. */
function hangingLoop(
  leader = true,
  chain: { intervalMs?: number; pace?: { blockMs?: number } } = {},
): {
  loop: FederationLoop;
  counts: { heartbeats: number; passes: number };
  release: () => void;
} {
  const counts = { heartbeats: 0, passes: 0 };
  let release = (): void => undefined;
  const hung = new Promise<void>((resolve) => (release = resolve));
  const ctx = {
    runtime: { logger: silentLogger(), isLeader: () => leader },
    settings: { heartbeatIntervalMs: chain.intervalMs ?? HEARTBEAT_MS },
    params: { federation: { heartbeatTimeoutBlocks: 10 } },
    chain: { watcher: { blockIntervalMs: () => chain.pace?.blockMs } },
  } as unknown as OperatorContext;
  const loop = new FederationLoop(ctx, {} as FederationSettings, {
    membership: {
      heartbeat: () => {
        counts.heartbeats++;
        return Promise.resolve();
      },
    },
    copies: {
      reconcile: () => {
        counts.passes++;
        return hung;
      },
    },
  });
  return { loop, counts, release };
}

describe("operator federation: the member's loop", () => {
  it("keeps heartbeating while an order pass hangs, so a slow apiserver cannot get the cluster failed over", async () => {
    const { loop, counts, release } = hangingLoop();
    loop.start();
    try {
      await waitFor(() => Promise.resolve(counts.heartbeats >= 5 ? true : undefined), {
        timeoutMs: 10_000,
        intervalMs: 5,
        description: "5 heartbeats during one hanging order pass",
      });
      expect(counts.passes).to.equal(1);
    } finally {
      release();
      await loop.stop();
    }
  });

  it("does neither job while another replica leads", async () => {
    const { loop, counts, release } = hangingLoop(false);
    release();
    await loop.heartbeat();
    await loop.pass();
    expect(counts).to.deep.equal({ heartbeats: 0, passes: 0 });
  });

  it("heartbeats three times in the chain's offline timeout when fast blocks make it shorter than the interval", () => {
    const pace: { blockMs?: number } = {};
    const { loop, release } = hangingLoop(true, { intervalMs: 10_000, pace });
    release();
    // A 10 s interval is capped at 2 s; 10 blocks of 150 ms (1.5 s) hold three beats 500 ms apart.
    expect(loop.heartbeatEvery()).to.equal(2_000);
    pace.blockMs = 1_000;
    expect(loop.heartbeatEvery()).to.equal(2_000);
    pace.blockMs = 150;
    expect(loop.heartbeatEvery()).to.equal(500);
  });
});
