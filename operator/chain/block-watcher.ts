// Follows new blocks: tells waiting senders how their transaction was included, and listeners each block's events.
import type { Comet38Client } from "@cosmjs/tendermint-rpc";
import { txHash } from "../../chain-sidecar/tx/tx-types.js";
import type { Logger } from "../../observability/logger.js";
import { silentLogger } from "../../observability/logger.js";
import { BlockPace } from "./block-pace.js";

export interface IncludedTx {
  hash: string;
  height: number;
  code: number;
  log: string;
  events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[];
  blockTime: Date;
}

/** An event a block's execution emitted, from a transaction or from the block's own begin and end. */
export interface BlockEvent {
  height: number;
  type: string;
  attributes: Readonly<Record<string, string>>;
}

interface EventListener {
  types: ReadonlySet<string>;
  listener: (event: BlockEvent) => void;
}

type RawEvent = IncludedTx["events"][number];

interface Waiter {
  resolve: (included: IncludedTx | undefined) => void;
  timer: NodeJS.Timeout;
}

export interface BlockWatcherOptions {
  comet: Comet38Client;
  /** How often the latest height is polled. */
  pollMs?: number;
  logger?: Logger;
}

export class BlockWatcher {
  private readonly comet: Comet38Client;
  private readonly pollMs: number;
  private readonly log: Logger;
  private readonly waiters = new Map<string, Waiter>();
  private readonly eventListeners: EventListener[] = [];
  private readonly gapListeners: ((height: number) => void)[] = [];
  /** The last height whose events listeners had: a waiter can send the scan back over blocks already read. */
  private eventsThrough = 0;
  /** The next height to scan for waited-for transactions. */
  private nextHeight = 0;
  private latest = 0;
  private latestTime = new Date(0);
  private readonly pace = new BlockPace();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private stopped = true;
  /** When the node last answered (performance.now() ms); -Infinity before it ever did. */
  private answeredAt = -Infinity;
  /** Failed reads of block `nextHeight` in a row, while the node answered. */
  private scanFailures = 0;

  constructor(options: BlockWatcherOptions) {
    this.comet = options.comet;
    this.pollMs = options.pollMs ?? 200;
    this.log = (options.logger ?? silentLogger()).child({ component: "block-watcher" });
  }

  /** The latest height seen (0 before the first poll). */
  get latestHeight(): number {
    return this.latest;
  }

  /** True while the node answers; otherwise why not, for /readyz. */
  reachable(maxSilenceMs = 15_000): true | string {
    const silence = performance.now() - this.answeredAt;
    if (silence <= maxSilenceMs) return true;
    return Number.isFinite(silence)
      ? `the chain node has not answered for ${Math.round(silence / 1000)} s`
      : "the chain node has not answered yet";
  }

  /** The time of the latest block seen. */
  get latestBlockTime(): Date {
    return this.latestTime;
  }

  /** Mean milliseconds between recent blocks (header times); undefined until a few blocks were seen. */
  blockIntervalMs(): number | undefined {
    return this.pace.intervalMs();
  }

  /** Starts polling; an unreachable node is retried, so the operator can start before its sidecar. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** The latest height, asking the node when none was seen yet. */
  async knownHeight(): Promise<number> {
    if (this.latest === 0) await this.refreshLatest();
    return this.latest;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.polling;
    for (const [hash, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(undefined);
      this.waiters.delete(hash);
    }
  }

  /**
   * Resolves with the transaction's result once a block after `afterHeight` includes it, or undefined when
   * `timeoutMs` passes first. Register before broadcasting, with the height known before the broadcast.
   */
  waitFor(hash: string, afterHeight: number, timeoutMs: number): Promise<IncludedTx | undefined> {
    const key = hash.toUpperCase();
    this.nextHeight = this.nextHeight === 0 ? afterHeight + 1 : Math.min(this.nextHeight, afterHeight + 1);
    return new Promise((resolve) => {
      const previous = this.waiters.get(key);
      if (previous !== undefined) clearTimeout(previous.timer);
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(key, {
        timer,
        resolve: (included) => {
          previous?.resolve(included);
          resolve(included);
        },
      });
    });
  }

  /** Stops waiting for a transaction that was never admitted. */
  cancel(hash: string): void {
    const key = hash.toUpperCase();
    const waiter = this.waiters.get(key);
    if (waiter === undefined) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(key);
    waiter.resolve(undefined);
  }

  /** Calls `listener` with every event of `types` in the blocks from the next one on, in block order. */
  onEvents(types: readonly string[], listener: (event: BlockEvent) => void): void {
    this.eventListeners.push({ types: new Set(types), listener });
  }

  /** Calls `listener` with the height of each block skipped unread: its events are lost, so followers read afresh. */
  onGap(listener: (height: number) => void): void {
    this.gapListeners.push(listener);
  }

  /** Looks a transaction up by hash in the node's index; undefined when the node does not know it. */
  async lookup(hash: string): Promise<IncludedTx | undefined> {
    try {
      const found = await this.comet.tx({ hash: Buffer.from(hash, "hex") });
      const header = (await this.comet.block(found.height)).block.header;
      return {
        hash: hash.toUpperCase(),
        height: found.height,
        code: found.result.code,
        log: found.result.log ?? "",
        events: found.result.events,
        blockTime: new Date(header.time.getTime()),
      };
    } catch (error) {
      if (/not found/i.test((error as Error).message)) return undefined;
      throw error;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        this.schedule();
      });
    }, this.pollMs);
  }

  private async refreshLatest(): Promise<void> {
    const status = await this.comet.status();
    this.answeredAt = performance.now();
    const height = status.syncInfo.latestBlockHeight;
    if (this.nextHeight === 0 || height < this.latest) {
      // The first answer, or a chain begun again from genesis: follow it from its head.
      this.nextHeight = height + 1;
      this.eventsThrough = Math.min(this.eventsThrough, height);
    }
    this.latest = height;
    this.latestTime = new Date(status.syncInfo.latestBlockTime.getTime());
    this.pace.record(height, this.latestTime.getTime());
  }

  private async poll(): Promise<void> {
    try {
      await this.refreshLatest();
    } catch (error) {
      this.log.warn({ err: error }, "polling the chain for new blocks failed; retrying");
      return;
    }
    const following = (): boolean => this.waiters.size > 0 || this.eventListeners.length > 0;
    if (!following()) {
      this.nextHeight = this.latest + 1;
      return;
    }
    while (this.nextHeight <= this.latest && following() && !this.stopped) {
      try {
        await this.scan(this.nextHeight);
      } catch (error) {
        this.scanFailed(error);
        return;
      }
      this.nextHeight += 1;
      this.scanFailures = 0;
    }
  }

  /** A node that answers but keeps failing one block below its head no longer has it (pruned): go past it. */
  private scanFailed(error: unknown): void {
    this.scanFailures += 1;
    if (this.scanFailures >= 5 && this.nextHeight < this.latest) {
      this.log.error({ err: error, height: this.nextHeight }, "skipping a block the node does not serve");
      const skipped = this.nextHeight;
      this.nextHeight += 1;
      this.scanFailures = 0;
      if (this.eventListeners.length > 0)
        for (const listener of this.gapListeners) this.callListener(() => listener(skipped), skipped, "gap");
    } else this.log.warn({ err: error, height: this.nextHeight }, "reading a block failed; retrying");
  }

  private async scan(height: number): Promise<void> {
    // The block itself (its txs and time) only matters to waiters; listeners need only its results.
    const [block, results] = await Promise.all([
      this.waiters.size > 0 ? this.comet.block(height) : undefined,
      this.comet.blockResults(height),
    ]);
    if (block !== undefined) {
      const blockTime = new Date(block.block.header.time.getTime());
      block.block.txs.forEach((tx, index) => {
        const hash = txHash(tx);
        const waiter = this.waiters.get(hash);
        if (waiter === undefined) return;
        const result = results.results[index];
        this.waiters.delete(hash);
        clearTimeout(waiter.timer);
        waiter.resolve({
          hash,
          height,
          code: result?.code ?? 0,
          log: result?.log ?? "",
          events: result?.events ?? [],
          blockTime,
        });
      });
    }
    if (this.eventListeners.length > 0 && height > this.eventsThrough) {
      this.eventsThrough = height;
      this.deliver(height, [...results.results.flatMap((r) => r.events), ...results.finalizeBlockEvents]);
    }
  }

  /** A listener's failure is its own: logged, and the others and later blocks are still served. */
  private callListener(call: () => void, height: number, what: string): void {
    try {
      call();
    } catch (error) {
      this.log.warn({ err: error, height, listening: what }, "a block listener failed");
    }
  }

  private deliver(height: number, events: readonly RawEvent[]): void {
    for (const event of events) {
      const listening = this.eventListeners.filter((l) => l.types.has(event.type));
      if (listening.length === 0) continue;
      const attributes = Object.fromEntries(event.attributes.map((a) => [a.key, a.value]));
      for (const { listener } of listening)
        this.callListener(() => listener({ height, type: event.type, attributes }), height, event.type);
    }
  }
}
