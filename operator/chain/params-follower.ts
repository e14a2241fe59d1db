// The chain's parameters as the operator uses them, kept current: governance changes one in a block (a
// `param_change` event), and the operator reads them all again then, and after blocks it could not read.
import type { Logger } from "../../observability/logger.js";
import type { BlockWatcher } from "./block-watcher.js";
import type { ChainReader, OperatorParams } from "./chain-reader.js";

/** The event the governance module emits for each parameter a proposal changed. */
export const PARAM_CHANGE_EVENT = "param_change";
/** A failed read is tried again after this long, until one succeeds. */
const DEFAULT_RETRY_MS = 5_000;

/** What the follower needs: the parameters it keeps current, and where it reads and hears of changes. */
export interface ParamsHolder {
  params: OperatorParams;
  chain: { reader: Pick<ChainReader, "params">; watcher: Pick<BlockWatcher, "onEvents" | "onGap"> };
}

export class ParamsFollower {
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly holder: ParamsHolder,
    private readonly log: Logger,
    private readonly retryMs = DEFAULT_RETRY_MS,
  ) {}

  start(): void {
    this.holder.chain.watcher.onEvents([PARAM_CHANGE_EVENT], () => this.refresh());
    this.holder.chain.watcher.onGap(() => this.refresh());
  }

  /** Reads the parameters again; calls while a read runs make one more read after it. */
  refresh(): void {
    if (this.stopped) return;
    if (this.reading !== undefined) {
      this.readAgain = true;
      return;
    }
    clearTimeout(this.retry);
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.readAgain) {
        this.readAgain = false;
        this.refresh();
      }
    });
  }

  /** Resolves when no read is running (tests, and a clean stop). */
  async settled(): Promise<void> {
    while (this.reading !== undefined) await this.reading;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.settled();
  }

  private async read(): Promise<void> {
    let fresh: OperatorParams;
    try {
      fresh = await this.holder.chain.reader.params();
    } catch (error) {
      this.log.warn({ err: error, retryInMs: this.retryMs }, "reading the chain's changed parameters failed");
      if (!this.stopped) this.retry = setTimeout(() => this.refresh(), this.retryMs);
      return;
    }
    const changed = (Object.keys(fresh) as (keyof OperatorParams)[]).filter(
      (section) => JSON.stringify(fresh[section]) !== JSON.stringify(this.holder.params[section]),
    );
    if (changed.length === 0) return;
    const scuUnit = (p: OperatorParams): string =>
      JSON.stringify([p.poc.scuCpuMillicores, p.poc.scuMemoryBytes, p.poc.scuStorageBytes]);
    if (scuUnit(fresh) !== scuUnit(this.holder.params))
      this.log.warn(
        "the chain's SCU unit changed: pods are sized by the unit the operator started with until it restarts",
      );
    this.holder.params = fresh;
    this.log.info({ sections: changed }, "the chain's parameters changed; the operator follows them");
  }
}
