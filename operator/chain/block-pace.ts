// How fast the chain makes blocks, from the heights and header times the block watcher polls: the chain counts some
// windows in blocks (a node's heartbeat window), and the operator must keep up with them in time.

/** Block heights remembered: the pace is the mean over the last of them. */
const SAMPLES = 32;
/** Fewer blocks apart than this, the first and last sample say too little. */
const MIN_SPAN_BLOCKS = 4;

export class BlockPace {
  private readonly samples: { height: number; timeMs: number }[] = [];

  /** A height seen with its block's header time. */
  record(height: number, timeMs: number): void {
    const last = this.samples.at(-1);
    if (last !== undefined && height <= last.height) {
      // The same block again, or a chain begun again from genesis.
      if (height === last.height) return;
      this.samples.length = 0;
    }
    this.samples.push({ height, timeMs });
    if (this.samples.length > SAMPLES) this.samples.shift();
  }

  /** Mean milliseconds between recent blocks, by their header times; undefined until enough blocks were seen. */
  intervalMs(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.height - first.height < MIN_SPAN_BLOCKS)
      return undefined;
    return (last.timeMs - first.timeMs) / (last.height - first.height);
  }
}
