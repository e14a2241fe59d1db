// What `uranus up` tells the person watching: one line per step with the time since the command started, a live
// status line, and blocks of text; or with `--output json`, one JSON object per line instead.
export class Progress {
  private readonly startedAt = performance.now();
  private lastStatus = "";
  /** A status line is on screen without its newline (terminal only). */
  private statusOpen = false;

  constructor(
    private readonly json: boolean,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
    private readonly terminal: boolean = process.stdout.isTTY,
  ) {}

  get elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  private stamp(): string {
    return `[${this.elapsedSeconds.toFixed(1).padStart(5)}s]`;
  }

  private closeStatus(): void {
    if (this.statusOpen) this.write("\n");
    this.statusOpen = false;
  }

  step(message: string): void {
    if (this.json) {
      this.event("step", { message });
      return;
    }
    this.closeStatus();
    this.write(`${this.stamp()} ${message}\n`);
  }

  /** A live status: redrawn in place on a terminal, printed when it changes otherwise. */
  status(line: string, data: unknown): void {
    if (line === this.lastStatus) return;
    this.lastStatus = line;
    if (this.json) {
      this.event("status", { status: data });
      return;
    }
    if (this.terminal) {
      this.write(`\r\x1b[2K${this.stamp()} ${line}`);
      this.statusOpen = true;
    } else this.write(`${this.stamp()} ${line}\n`);
  }

  /** Text for people only (tables, hints); JSON output carries the same facts in its events. */
  text(block: string): void {
    if (this.json) return;
    this.closeStatus();
    this.write(`${block}\n`);
  }

  event(name: string, data: Record<string, unknown>): void {
    if (!this.json) return;
    this.write(
      `${JSON.stringify({ event: name, elapsedSeconds: Number(this.elapsedSeconds.toFixed(1)), ...data })}\n`,
    );
  }
}
