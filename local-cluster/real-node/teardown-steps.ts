// A teardown as named steps that all run even when one fails, so one stuck piece does not leave the rest of the
// machine changed; the failures are reported together at the end.

export type TeardownStep = [what: string, step: () => Promise<void> | void];

/** Runs every step in order; throws one error naming `subject` and each step that failed. */
export async function runTeardown(subject: string, steps: readonly TeardownStep[]): Promise<void> {
  const failures: string[] = [];
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(`${what}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new Error(`${subject} teardown: ${failures.join("; ")}`);
}
