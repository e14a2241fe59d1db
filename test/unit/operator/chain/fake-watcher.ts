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
    // A second wait for the same hash replaces the first, whose caller then learns the same result.
    const previous = this.waiters.get(key);
    if (previous !== undefined) clearTimeout(previous.timer);
    const result = new Promise<IncludedTx | undefined>((resolve) => {
      const expired = (): void => {
        this.waiters.delete(key);
        resolve(undefined);
        this.changed();
      };
      const resolveBoth = (included: IncludedTx | undefined): void => {
        previous?.resolve(included);
        resolve(included);
      };
      this.waiters.set(key, { afterHeight, timer: setTimeout(expired, timeoutMs), resolve: resolveBoth });
    });
    this.changed();
    return result;
  }

  cancel(hash: string): void {
    const key = hash.toUpperCase();
    const waiter = this.waiters.get(key);
    if (waiter !== undefined) {
      this.settle(key, waiter, undefined);
      this.changed();
    }
  }

  /** Ends every wait without a result, as BlockWatcher.stop() does. */
  expire(): void {
    for (const hash of this.awaited) this.cancel(hash);
  }

  /** Resolves the waits for the transactions of a block just committed. */
  included(height: number, txs: readonly IncludedTx[]): void {
    for (const tx of txs) {
      const waiter = this.waiters.get(tx.hash);
      if (waiter !== undefined && waiter.afterHeight < height) this.settle(tx.hash, waiter, tx);
    }
  }

  /** Ends the wait under `key` (its timer too) with `included`. */
  private settle(key: string, waiter: Waiter, included: IncludedTx | undefined): void {
    this.waiters.delete(key);
    clearTimeout(waiter.timer);
    waiter.resolve(included);
  }
}
