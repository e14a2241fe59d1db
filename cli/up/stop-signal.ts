// Ctrl-C (SIGINT) or SIGTERM asks `uranus up` to stop; the handlers stay installed while it stops, so a second
// Ctrl-C cannot kill it halfway and orphan the processes it started.
export class StopSignal {
  private received: NodeJS.Signals | undefined;
  private resolveRequested: () => void = () => undefined;
  readonly requested: Promise<void>;

  constructor(private readonly say: (line: string) => void) {
    this.requested = new Promise((resolve) => {
      this.resolveRequested = resolve;
    });
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.received !== undefined) {
      this.say("still stopping; every process started here will be stopped");
      return;
    }
    this.received = signal;
    this.resolveRequested();
  };

  get signal(): NodeJS.Signals | undefined {
    return this.received;
  }

  dispose(): void {
    process.off("SIGINT", this.onSignal);
    process.off("SIGTERM", this.onSignal);
  }
}
