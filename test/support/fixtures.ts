// Fixtures that are expensive to start (the real control plane, a chain) start on first use and stop once per run.
type Stopper = () => Promise<void>;

// One list per process, kept on globalThis: the root hooks are required as CommonJS and test files may be imported
// as ES modules, which gives this file two instances; a stopper registered in either must be run.
const registry = globalThis as { [key: symbol]: Stopper[] | undefined };
const key = Symbol.for("uranus.test.sharedFixtureStoppers");
const stoppers: Stopper[] = (registry[key] ??= []);

export function onRunEnd(stop: Stopper): void {
  stoppers.push(stop);
}

/** Stops every fixture, the last started first; one that fails does not keep the others running. */
export async function stopSharedFixtures(): Promise<void> {
  const failures: unknown[] = [];
  while (stoppers.length > 0) {
    const stop = stoppers.pop()!;
    await stop().catch((error: unknown) => failures.push(error));
  }
  if (failures.length > 0) throw new AggregateError(failures, "shared fixtures failed to stop");
}
