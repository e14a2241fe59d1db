// The block watcher's side of the fake chain: waits for transactions, resolved when the chain commits a block that
// includes them, or with undefined on timeout or cancel (as BlockWatcher does).
import type { BlockWatcher, IncludedTx } from "../../../../operator/chain/block-watcher.js";

interface Waiter {
  afterHeight: number;
  resolve: (included: IncludedTx | undefined) => void;
  timer: NodeJS.Timeout;
}

export class FakeWatcher implements Pick<BlockWatcher, "knownHeight" | "waitFor" | "cancel"> {
  private readonly waiters = new Map<string, Waiter>();

  constructor(
    private readonly height: () => number,
    private readonly changed: () => void,
  ) {}

  /** Hashes someone waits for. */
  get awaited(): string[] {
    return [...this.waiters.keys()];
  }

  knownHeight(): Promise<number> {
    return Promise.resolve(this.height());
  }

  waitFor(hash: string, afterHeight: number, timeoutMs: number): Promise<IncludedTx | undefined> {
    const key = hash.toUpperCase();
    return new Promise((resolve) => {
      const previous = this.waiters.get(key);
      if (previous !== undefined) clearTimeout(previous.timer);
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve(undefined);
        this.changed();
      }, timeoutMs);
      this.waiters.set(key, {
        afterHeight,
        timer,
        resolve: (included) => {
          previous?.resolve(included);
          resolve(included);
        },
      });
      this.changed();
    });
  }

  cancel(hash: string): void {
    const key = hash.toUpperCase();
    const waiter = this.waiters.get(key);
    if (waiter === undefined) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(key);
    waiter.resolve(undefined);
    this.changed();
  }

  /** Ends every wait without a result, as BlockWatcher.stop() does. */
  expire(): void {
    for (const hash of this.awaited) this.cancel(hash);
  }

  /** Resolves the waits for the transactions of a block just committed. */
  included(height: number, txs: readonly IncludedTx[]): void {
    for (const tx of txs) {
      const waiter = this.waiters.get(tx.hash);
      if (waiter === undefined || waiter.afterHeight >= height) continue;
      this.waiters.delete(tx.hash);
      clearTimeout(waiter.timer);
      waiter.resolve(tx);
    }
  }
}
