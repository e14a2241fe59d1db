// One active replica through a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: acquire when
// the holder's lease has not been renewed for its duration, renew every retry period, step down when renewals
// fail for longer than the renew deadline, hand the lease back on shutdown.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../observability/logger.js";
import { silentLogger } from "../observability/logger.js";
import type { OperatorMetrics } from "../observability/metrics.js";
import { microTime } from "./event-recorder.js";
import { LEASE } from "./builtin-resources.js";
import { isAlreadyExists, isConflict, isNotFound } from "./kube-api-error.js";
import type { KubeClient } from "./kube-client.js";
import type { KubeObject } from "./resource.js";

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  /** The Lease's name, shared by every replica that competes. */
  name: string;
  /** This replica's identity; unique among replicas (pod name + a random suffix). */
  identity: string;
  /** How long a lease lasts without renewal before others may take it. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader steps down when it could not renew for this long. Must be below leaseDurationMs. Default 10 s. */
  renewDeadlineMs?: number;
  /** Pause between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /** Called on gaining the lease; awaited before the first renewal. */
  onStartedLeading: () => Promise<void>;
  /** Called on losing or giving up the lease; awaited before the lease is handed back. */
  onStoppedLeading: () => Promise<void>;
  /** Called whenever the observed holder changes (including to this replica). */
  onNewLeader?: (identity: string) => void;
  logger?: Logger;
  metrics?: OperatorMetrics;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = KubeObject & { spec?: LeaseSpec };

export class LeaderElector {
  private leading = false;
  private known = false;
  private holder: string | undefined;
  /** The lease spec as last read, and when (monotonic ms) it last changed: expiry is judged on our own clock. */
  private observed: { spec: string; at: number } | undefined;
  private lease: Lease | undefined;
  private stopper = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly client: KubeClient;
  private readonly log: Logger;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs) {
      throw new Error(
        `leader election: renewDeadlineMs (${this.renewDeadlineMs}) must be less than leaseDurationMs (${this.leaseDurationMs})`,
      );
    }
    if (this.retryPeriodMs >= this.renewDeadlineMs) {
      throw new Error(
        `leader election: retryPeriodMs (${this.retryPeriodMs}) must be less than renewDeadlineMs (${this.renewDeadlineMs})`,
      );
    }
    if (options.identity === "") throw new Error("leader election: identity must not be empty");
    // A request must not outlive the renew deadline, or a hung call would keep a deposed leader acting.
    this.client = options.client.withRequestTimeout(Math.max(500, Math.floor(this.renewDeadlineMs / 2)));
    this.log = (options.logger ?? silentLogger()).child({
      component: "leader-election",
      lease: `${options.namespace}/${options.name}`,
      identity: options.identity,
    });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** True once this replica has read the Lease: it knows whether it leads. */
  leadershipKnown(): boolean {
    return this.known;
  }

  get currentLeader(): string | undefined {
    return this.holder;
  }

  start(): void {
    if (this.loop !== undefined) return;
    this.stopper = new AbortController();
    this.loop = this.run();
  }

  /** Stops competing; a leader steps down and hands the lease back so another replica takes over at once. */
  async stop(): Promise<void> {
    if (this.loop === undefined) return;
    this.stopper.abort();
    await this.loop;
    this.loop = undefined;
    if (this.leading) {
      await this.stepDown();
      await this.release();
    }
    this.client.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping()) {
      if (!this.leading) {
        if (await this.tryAcquireOrRenew()) {
          this.leading = true;
          this.options.metrics?.leaderElectionStatus.set({ name: this.options.name }, 1);
          this.log.info("became leader");
          await this.options.onStartedLeading();
        } else {
          await this.pause(this.jittered(this.retryPeriodMs));
        }
        continue;
      }
      let lastRenew = performance.now();
      while (!this.stopping()) {
        await this.pause(this.retryPeriodMs);
        if (this.stopping()) return;
        if (await this.tryAcquireOrRenew()) {
          lastRenew = performance.now();
          continue;
        }
        if (performance.now() - lastRenew >= this.renewDeadlineMs) {
          this.log.warn(
            { sinceLastRenewMs: Math.round(performance.now() - lastRenew) },
            "could not renew lease",
          );
          break;
        }
      }
      if (this.stopping()) return;
      await this.stepDown();
    }
  }

  private stopping(): boolean {
    return this.stopper.signal.aborted;
  }

  private async stepDown(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.options.metrics?.leaderElectionStatus.set({ name: this.options.name }, 0);
    this.log.info("stopped leading");
    await this.options.onStoppedLeading();
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stopper.signal });
    } catch {
      // stopped while waiting
    }
  }

  private jittered(ms: number): number {
    return ms * (1 + 0.2 * Math.random());
  }

  /** One round: read the Lease, and take or renew it if it is ours to take. True when we hold it now. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const me = this.options.identity;
    const durationSeconds = Math.max(1, Math.ceil(this.leaseDurationMs / 1000));
    let lease: Lease;
    try {
      lease = await this.client.get<Lease>(LEASE, {
        namespace: this.options.namespace,
        name: this.options.name,
      });
    } catch (error) {
      if (!isNotFound(error)) {
        this.log.warn({ err: error }, "could not read lease");
        return false;
      }
      try {
        this.lease = await this.client.create<Lease>(LEASE, {
          metadata: { namespace: this.options.namespace, name: this.options.name },
          spec: {
            holderIdentity: me,
            leaseDurationSeconds: durationSeconds,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        });
        this.observe(this.lease.spec ?? {});
        return true;
      } catch (createError) {
        if (!isAlreadyExists(createError)) this.log.warn({ err: createError }, "could not create lease");
        return false;
      }
    }
    const spec = lease.spec ?? {};
    this.observe(spec);
    const holder = spec.holderIdentity ?? "";
    if (holder !== "" && holder !== me && !this.expired(spec)) return false;
    const renewing = holder === me;
    const updated: Lease = {
      ...lease,
      spec: {
        holderIdentity: me,
        leaseDurationSeconds: durationSeconds,
        acquireTime: renewing ? (spec.acquireTime ?? microTime(now)) : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (renewing || holder === "" ? 0 : 1),
      },
    };
    try {
      this.lease = await this.client.replace<Lease>(LEASE, updated);
      this.observe(this.lease.spec ?? {});
      return true;
    } catch (error) {
      if (!isConflict(error)) this.log.warn({ err: error }, "could not update lease");
      return false;
    }
  }

  private observe(spec: LeaseSpec): void {
    const text = JSON.stringify(spec);
    if (this.observed?.spec !== text) this.observed = { spec: text, at: performance.now() };
    this.known = true;
    const holder = spec.holderIdentity ?? "";
    const next = holder === "" ? undefined : holder;
    if (next !== this.holder) {
      this.holder = next;
      if (next !== undefined) {
        this.log.info({ leader: next }, "new leader observed");
        this.options.onNewLeader?.(next);
      }
    }
  }

  /** Judged by how long we have seen the record unchanged, so clock skew between replicas does not matter. */
  private expired(spec: LeaseSpec): boolean {
    const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(this.leaseDurationMs / 1000)) * 1000;
    return this.observed === undefined || performance.now() - this.observed.at > durationMs;
  }

  /** Hands the lease back: empty holder and a one-second duration, so a waiting replica takes it at once. */
  private async release(): Promise<void> {
    const lease = this.lease;
    if (lease === undefined || lease.spec?.holderIdentity !== this.options.identity) return;
    const now = microTime(new Date());
    try {
      await this.client.replace<Lease>(LEASE, {
        ...lease,
        spec: {
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: lease.spec.leaseTransitions ?? 0,
        },
      });
      this.log.info("released lease");
    } catch (error) {
      this.log.warn({ err: error }, "could not release lease; others take it when it expires");
    }
  }
}
