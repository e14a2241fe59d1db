// The member cluster's one loop, while this replica leads: heartbeat (registering first) every couple of seconds,
// and twice a block run, retire and report the orders the chain assigned here. Each pass stands alone; a failed one
// is logged and the next retries.
import type { Logger } from "../../observability/logger.js";
import type { OperatorContext } from "../operator-context.js";
import type { FederationSettings } from "../operator-settings.js";
import { ClusterMembership } from "./cluster-membership.js";
import { OrderCopies } from "./order-copies.js";

/** A member heartbeats at least this often, well inside the chain's offline timeout (10 blocks by default). */
const MAX_HEARTBEAT_INTERVAL_MS = 2_000;
/** Orders are looked at about twice a block: an assignment starts running soon after its block. */
const ORDER_PASS_MS = 500;

export class FederationLoop {
  private readonly membership: ClusterMembership;
  private readonly copies: OrderCopies;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** performance.now() of the last heartbeat sent; 0 before the first. */
  private heartbeatAt = 0;

  constructor(
    private readonly ctx: OperatorContext,
    federation: FederationSettings,
  ) {
    this.membership = new ClusterMembership(ctx, federation);
    this.copies = new OrderCopies(ctx, federation);
    this.log = ctx.runtime.logger.child({ component: "federation" });
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = undefined;
        this.schedule(ORDER_PASS_MS);
      });
    }, delayMs);
  }

  async pass(): Promise<void> {
    if (!this.ctx.runtime.isLeader()) return;
    const every = Math.min(this.ctx.settings.heartbeatIntervalMs, MAX_HEARTBEAT_INTERVAL_MS);
    if (performance.now() - this.heartbeatAt >= every) {
      this.heartbeatAt = performance.now();
      try {
        await this.membership.heartbeat();
      } catch (error) {
        this.log.warn({ err: error }, "cluster heartbeat failed");
      }
    }
    try {
      await this.copies.reconcile();
    } catch (error) {
      this.log.warn({ err: error }, "running the orders assigned here failed");
    }
  }
}
