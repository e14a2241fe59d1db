// One run of `uranus up`, with one cluster or several: the progress it prints, Ctrl-C, the supervisor of all it
// starts and the state directory. Every start-up wait ends at once on a stop or a component's crash; on the way
// out everything started is stopped and the state directory removed.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Progress } from "./progress.js";
import { StopSignal } from "./stop-signal.js";
import { ComponentFailed, Supervisor } from "./supervisor.js";

export interface SessionOptions {
  /** Data, logs and homes; a fresh temporary directory when omitted. Removed on stop either way. */
  stateDir?: string;
  json?: boolean;
  write?: (text: string) => void;
  /** Resolves when the system should stop; Ctrl-C or SIGTERM by default. */
  until?: Promise<void>;
}

/** What the live status shows of one reading, and whether the wait is over. */
export interface StatusView {
  line: string;
  json: unknown;
  done: boolean;
}

class StopRequested extends Error {}

const STATUS_POLL_MS = 1000;

export class UpSession {
  readonly progress: Progress;
  readonly supervisor = new Supervisor();
  readonly stateDir: string;
  readonly logsDir: string;
  /** Resolves once a stop is asked for. */
  readonly stop: Promise<void>;
  private stopRequested = false;
  private readonly signal: StopSignal;
  private readonly stopThrows: Promise<never>;

  constructor(options: SessionOptions) {
    this.progress = new Progress(options.json === true, options.write);
    this.signal = new StopSignal((line) => this.progress.step(line));
    this.stop = (options.until ?? this.signal.requested).then(() => {
      this.stopRequested = true;
    });
    this.stopThrows = this.stop.then(() => {
      throw new StopRequested();
    });
    this.stopThrows.catch(() => undefined);
    this.stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "uranus-up-"));
    this.logsDir = join(this.stateDir, "logs");
    mkdirSync(this.logsDir, { recursive: true });
    this.progress.step(`state and logs in ${this.stateDir}`);
    this.progress.event("state", { stateDir: this.stateDir });
  }

  /**
   * Every start-up wait ends at once on Ctrl-C or a component's crash. What such a step still starts afterwards
   * registers with the supervisor, which stops it right away.
   */
  step<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.supervisor.failure, this.stopThrows]);
  }

  /** Ends the run as Ctrl-C does (when a wait finds the stop already asked for). */
  stopped(): never {
    throw new StopRequested();
  }

  /** Until Ctrl-C, or a component's crash (which it throws). */
  async untilStopped(): Promise<void> {
    await Promise.race([this.stop, this.supervisor.failure]);
  }

  /** Polls `read` and shows each reading until one is done; a stop asked for first ends the run. */
  async untilDone<S>(read: () => Promise<S>, view: (status: S) => StatusView): Promise<S> {
    const failure = this.supervisor.failure;
    for (;;) {
      if (this.stopRequested) this.stopped();
      let status: S | undefined;
      try {
        status = await Promise.race([read(), failure]);
      } catch (error) {
        if (error instanceof ComponentFailed) throw error;
        this.progress.status(`cannot read the status yet: ${(error as Error).message}`, {
          error: (error as Error).message,
        });
      }
      if (status !== undefined) {
        const shown = view(status);
        this.progress.status(shown.line, shown.json);
        if (shown.done) return status;
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS)), this.stop, failure]);
    }
  }

  /** Stops everything in reverse start order and removes the state directory. */
  async close(): Promise<void> {
    try {
      await this.supervisor.stopAll((line) => this.progress.step(line));
    } finally {
      rmSync(this.stateDir, { recursive: true, force: true });
      this.signal.dispose();
      this.progress.step(`stopped; ${this.stateDir} removed`);
    }
  }
}

/** Runs `body` in a session: a stop ends it quietly, a crash is thrown, and either way everything is stopped. */
export async function inSession<R>(
  options: SessionOptions,
  result: (session: UpSession) => R,
  body: (session: UpSession, result: R) => Promise<void>,
): Promise<R> {
  const session = new UpSession(options);
  const r = result(session);
  try {
    await body(session, r);
  } catch (error) {
    if (!(error instanceof StopRequested)) throw error;
  } finally {
    await session.close();
  }
  return r;
}

/** Waits for every start to finish, so what did start is known to the supervisor, then fails with the first error. */
export async function settleAll<T extends unknown[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(starts);
  for (const outcome of settled) if (outcome.status === "rejected") throw outcome.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as T;
}
