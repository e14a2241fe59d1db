// Polls a condition until it holds or a deadline passes: the one way this project waits for anything.
export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  description: string;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions,
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() >= deadline) {
      const why = lastError instanceof Error ? `: last error: ${lastError.message}` : "";
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.description}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
