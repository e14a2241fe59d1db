// How fast the chain makes blocks, from the heights and header times the block watcher polls: the chain counts its
// liveness windows in blocks (a node's, a member cluster's), and the operator's heartbeats must keep up in time.

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

/** Heartbeats a chain window must hold: one late or refused heartbeat never takes its sender offline. */
const BEATS_PER_WINDOW = 3;
/** The shortest interval the window can ask for; a window shorter than three of these cannot be kept. */
export const MIN_HEARTBEAT_INTERVAL_MS = 500;

/**
 * The interval between heartbeats: the configured one, shortened when the chain's window (blocks without a heartbeat
 * before it takes the sender offline: a node, a member cluster) at its current pace would hold fewer than three.
 */
export function heartbeatIntervalFor(configuredMs: number, windowBlocks: number, blockMs?: number): number {
  if (blockMs === undefined || !(windowBlocks > 0)) return configuredMs;
  const windowShare = Math.floor((windowBlocks * blockMs) / BEATS_PER_WINDOW);
  return Math.min(configuredMs, Math.max(MIN_HEARTBEAT_INTERVAL_MS, windowShare));
}
