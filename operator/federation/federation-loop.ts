// The member cluster's two loops, while this replica leads: heartbeat (registering first) every couple of seconds,
// and twice a block run, retire and report the orders the chain assigned here. Each pass stands alone; a failed one
// is logged and the next retries.
import type { Logger } from "../../observability/logger.js";
import { heartbeatIntervalFor } from "../chain/block-pace.js";
import type { OperatorContext } from "../operator-context.js";
import type { FederationSettings } from "../operator-settings.js";
import { ClusterMembership } from "./cluster-membership.js";
import { OrderCopies } from "./order-copies.js";

/** A member heartbeats at least this often, and three times in the chain's offline timeout (10 blocks by default). */
const MAX_HEARTBEAT_INTERVAL_MS = 2_000;
/** Orders are looked at about twice a block: an assignment starts running soon after its block. */
const ORDER_PASS_MS = 500;

/** The loop's two jobs: the cluster's heartbeat, and a pass over the orders assigned here. */
export interface FederationWork {
  membership: Pick<ClusterMembership, "heartbeat">;
  copies: Pick<OrderCopies, "reconcile">;
}

export class FederationLoop {
  private readonly membership: FederationWork["membership"];
  private readonly copies: FederationWork["copies"];
  private readonly log: Logger;
  private passTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private beating: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly ctx: OperatorContext,
    federation: FederationSettings,
    work: FederationWork = {
      membership: new ClusterMembership(ctx, federation),
      copies: new OrderCopies(ctx, federation),
    },
  ) {
    this.membership = work.membership;
    this.copies = work.copies;
    this.log = ctx.runtime.logger.child({ component: "federation" });
  }

  start(): void {
    this.stopped = false;
    this.scheduleHeartbeat(0);
    this.schedulePass(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.passTimer);
    clearTimeout(this.heartbeatTimer);
    await Promise.all([this.passing, this.beating]);
  }

  /**
   * Heartbeats on their own timer, an interval from one's start to the next: a slow order pass (an apiserver under
   * load) must not stretch the gap past the chain's offline timeout and make the chain fail this cluster over.
   */
  private scheduleHeartbeat(delayMs: number): void {
    if (this.stopped) return;
    this.heartbeatTimer = setTimeout(() => {
      const started = performance.now();
      this.beating = this.heartbeat().finally(() => {
        this.beating = undefined;
        this.scheduleHeartbeat(Math.max(0, started + this.heartbeatEvery() - performance.now()));
      });
    }, delayMs);
  }

  /** Milliseconds from one heartbeat's start to the next's, at the chain's current block pace. */
  heartbeatEvery(): number {
    return heartbeatIntervalFor(
      Math.min(this.ctx.settings.heartbeatIntervalMs, MAX_HEARTBEAT_INTERVAL_MS),
      this.ctx.params.federation.heartbeatTimeoutBlocks,
      this.ctx.chain.watcher.blockIntervalMs(),
    );
  }

  private schedulePass(delayMs: number): void {
    if (this.stopped) return;
    this.passTimer = setTimeout(() => {
      this.passing = this.pass().finally(() => {
        this.passing = undefined;
        this.schedulePass(ORDER_PASS_MS);
      });
    }, delayMs);
  }

  async heartbeat(): Promise<void> {
    if (!this.ctx.runtime.isLeader()) return;
    try {
      await this.membership.heartbeat();
    } catch (error) {
      this.log.warn({ err: error }, "cluster heartbeat failed");
    }
  }

  async pass(): Promise<void> {
    if (!this.ctx.runtime.isLeader()) return;
    try {
      await this.copies.reconcile();
    } catch (error) {
      this.log.warn({ err: error }, "running the orders assigned here failed");
    }
  }
}
