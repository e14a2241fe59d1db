// Which contributor owners are jailed validators on chain, read at most once per interval for all nodes.
import type { ChainReader } from "../chain/chain-reader.js";
import type { Logger } from "../../observability/logger.js";

export class JailedOwners {
  private jailed = new Set<string>();
  private readAt = -Infinity;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly reader: ChainReader,
    private readonly maxAgeMs: number,
    private readonly log: Logger,
  ) {}

  async isJailed(owner: string): Promise<boolean> {
    if (performance.now() - this.readAt > this.maxAgeMs) {
      this.reading ??= this.refresh().finally(() => {
        this.reading = undefined;
      });
      await this.reading;
    }
    return this.jailed.has(owner.toLowerCase());
  }

  /** The next question reads the chain again (a validator was jailed or unjailed). */
  forget(): void {
    this.readAt = -Infinity;
  }

  private async refresh(): Promise<void> {
    try {
      this.jailed = await this.reader.jailedValidators();
      this.readAt = performance.now();
    } catch (error) {
      // Keep the last answer; an unreachable chain is reported by the transactions that fail.
      this.log.warn({ err: error }, "could not read jailed validators");
    }
  }
}
