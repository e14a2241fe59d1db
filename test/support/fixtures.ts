// Fixtures that are expensive to start (the real control plane, a chain) start on first use and stop once per run.
type Stopper = () => Promise<void>;
const stoppers: Stopper[] = [];

export function onRunEnd(stop: Stopper): void {
  stoppers.push(stop);
}

export async function stopSharedFixtures(): Promise<void> {
  while (stoppers.length > 0) {
    const stop = stoppers.pop()!;
    await stop();
  }
}
