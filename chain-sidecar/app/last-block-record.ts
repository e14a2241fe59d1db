// The last committed block's height and time, kept beside the state (not in it) so a block without transactions
// changes no state; CheckTx and queries read the time from here. A lost write only makes CheckTx see an older time.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface LastBlock {
  readonly height: number;
  readonly timeMs: number;
}

const FILE_NAME = "last-block.json";

export class LastBlockRecord {
  private constructor(
    private readonly path: string,
    private current: LastBlock,
  ) {}

  /** Reads the record in `dataDir`; a fresh or restored directory starts at height 0, time 0. */
  static open(dataDir: string): LastBlockRecord {
    const path = join(dataDir, FILE_NAME);
    const saved = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as LastBlock) : undefined;
    return new LastBlockRecord(path, saved ?? { height: 0, timeMs: 0 });
  }

  get block(): LastBlock {
    return this.current;
  }

  /** Written after each commit, atomically (a new file renamed over the old). */
  save(block: LastBlock): void {
    this.current = block;
    writeFileSync(`${this.path}.tmp`, JSON.stringify(block));
    renameSync(`${this.path}.tmp`, this.path);
  }
}
