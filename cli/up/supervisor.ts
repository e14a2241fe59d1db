// Everything `uranus up` started: stopped in reverse order exactly once, and watched so that one component's crash
// ends the run with a clear error instead of leaving it hanging.
import type { ManagedProcess } from "../../process/managed-process.js";

export class ComponentFailed extends Error {}

export class Supervisor {
  private readonly stops: { name: string; stop: () => Promise<void> }[] = [];
  private stopping = false;
  private rejectFailure: (error: ComponentFailed) => void = () => undefined;
  /** Rejects with the first component failure; never resolves. */
  readonly failure: Promise<never>;

  constructor() {
    this.failure = new Promise<never>((_resolve, reject) => {
      this.rejectFailure = reject;
    });
    // Callers race this promise against their own work; a failure nobody awaits yet must not crash the process.
    this.failure.catch(() => undefined);
    process.on("uncaughtException", this.onUncaught);
    process.on("unhandledRejection", this.onUncaught);
  }

  private readonly onUncaught = (error: unknown): void => {
    this.fail("uranus up", error instanceof Error ? error : new Error(String(error)));
  };

  fail(component: string, error: Error): void {
    if (this.stopping) return;
    this.rejectFailure(new ComponentFailed(`${component} failed: ${error.message}`, { cause: error }));
  }

  /** Registers how to stop something that now runs; something that came up after the stop is stopped at once. */
  started(name: string, stop: () => Promise<void>): void {
    if (this.stopping) {
      stop().catch(() => undefined);
      return;
    }
    this.stops.push({ name, stop });
  }

  /** A child process exiting before we stop it is a failure of the run. */
  watch(process: ManagedProcess): void {
    process.child.once("exit", (code, signal) => {
      if (this.stopping) return;
      const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
      this.fail(
        process.name,
        new Error(`exited (${how}); last lines of ${process.logFile}:\n${process.logTail(15)}`),
      );
    });
  }

  /** Stops everything in reverse start order; one failing stop does not keep the others running. */
  async stopAll(progress: (line: string) => void): Promise<void> {
    this.stopping = true;
    const problems: string[] = [];
    for (const { name, stop } of this.stops.reverse()) {
      progress(`stopping ${name}`);
      try {
        await stop();
      } catch (error) {
        problems.push(`${name}: ${(error as Error).message}`);
      }
    }
    this.stops.length = 0;
    process.off("uncaughtException", this.onUncaught);
    process.off("unhandledRejection", this.onUncaught);
    if (problems.length > 0) throw new Error(`some components did not stop cleanly:\n${problems.join("\n")}`);
  }
}
