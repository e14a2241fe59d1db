// Capped exponential backoff with jitter, so many clients retrying after one outage do not retry in step.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Each delay is drawn uniformly from [delay × (1 − jitter), delay]; 0 turns jitter off. */
  jitter?: number;
  /** Source of randomness in [0, 1); injectable so tests can pin it. */
  random?: () => number;
}

/** The delay before retry number `attempt` (0-based): initial × 2^attempt, capped, then jittered downwards. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt, 0), 52);
  const capped = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  const jitter = Math.min(Math.max(options.jitter ?? 0, 0), 1);
  const random = options.random ?? Math.random;
  return capped * (1 - jitter * random());
}

/** Counts consecutive failures of one activity and tells how long to wait before the next try. */
export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** Records a failure and returns the delay before the next attempt. */
  next(): number {
    const delay = backoffDelay(this.failures, this.options);
    this.failures++;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}
