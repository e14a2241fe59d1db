// Which contributor owners are jailed validators on chain, read at most once per interval for all nodes.
import type { ChainReader } from "../chain/chain-reader.js";
import type { Logger } from "../../observability/logger.js";

export class JailedOwners {
  private jailed = new Set<string>();
  private readAt = -Infinity;
  /** Bumped by forget(): a read begun before it cannot answer questions asked after it. */
  private generation = 0;
  /** The generation of the answer held, so a slow older read never replaces a newer one. */
  private heldGeneration = -1;
  private reading: { generation: number; done: Promise<void> } | undefined;

  constructor(
    private readonly reader: ChainReader,
    private readonly maxAgeMs: number,
    private readonly log: Logger,
  ) {}

  async isJailed(owner: string): Promise<boolean> {
    if (performance.now() - this.readAt > this.maxAgeMs) await this.read();
    return this.jailed.has(owner.toLowerCase());
  }

  /** The next question reads the chain again (a validator was jailed or unjailed). */
  forget(): void {
    this.generation += 1;
    this.readAt = -Infinity;
  }

  private read(): Promise<void> {
    if (this.reading?.generation !== this.generation) {
      const generation = this.generation;
      const done = this.refresh(generation).finally(() => {
        if (this.reading?.done === done) this.reading = undefined;
      });
      this.reading = { generation, done };
    }
    return this.reading.done;
  }

  private async refresh(generation: number): Promise<void> {
    try {
      const jailed = await this.reader.jailedValidators();
      if (generation < this.heldGeneration) return;
      this.jailed = jailed;
      this.heldGeneration = generation;
      if (generation === this.generation) this.readAt = performance.now();
    } catch (error) {
      // Keep the last answer; an unreachable chain is reported by the transactions that fail.
      this.log.warn({ err: error }, "could not read jailed validators");
    }
  }
}
