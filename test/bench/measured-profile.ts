// A CPU profile of only the measured part of a benchmark (`--profile <file.cpuprofile>`), so set-up and signing do
// not crowd it out; open the file in Chrome DevTools or speedscope.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

export interface MeasuredProfile {
  /** Runs `measured`, with the profiler recording when a profile was asked for. */
  around<T>(measured: () => Promise<T>): Promise<T>;
  /** Writes the last measured part's profile, if one was asked for. */
  finish(): Promise<void>;
}

export async function measuredProfile(): Promise<MeasuredProfile> {
  const flag = process.argv.indexOf("--profile");
  const path = flag >= 0 ? process.argv[flag + 1] : undefined;
  if (path === undefined) return { around: (measured) => measured(), finish: () => Promise.resolve() };
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  let last: unknown;
  return {
    async around(measured) {
      await session.post("Profiler.start");
      try {
        return await measured();
      } finally {
        last = (await session.post("Profiler.stop")).profile;
      }
    },
    finish() {
      writeFileSync(path, JSON.stringify(last ?? {}));
      session.disconnect();
      process.stdout.write(`CPU profile of the last measured part: ${path}\n`);
      return Promise.resolve();
    },
  };
}
