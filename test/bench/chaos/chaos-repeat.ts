// Runs the chaos test (200 contracts, 20 SIGKILLs of the operator) N times in a row, each with its own seed, and
// prints "N of N passed": one green run proves little for a test whose failures depend on timing.
//   npx tsx test/bench/chaos/chaos-repeat.ts [runs=10] [first seed=20261124]
import { spawnSync } from "node:child_process";

const RUNS = Number(process.argv[2] ?? 10);
const FIRST_SEED = Number(process.argv[3] ?? 20_261_124);
const SUMMARY = /^(\d+) passed, (\d+) failed$/m;

let passed = 0;
const failedSeeds: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const seed = FIRST_SEED + run;
  const started = performance.now();
  const result = spawnSync(
    "node_modules/.bin/tsx",
    ["test/run.ts", "--tests-only", "test/chaos/operator-kill.test.ts"],
    {
      env: { ...process.env, URANUS_CHAOS_SEED: String(seed) },
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const summary = SUMMARY.exec(result.stdout);
  const ok = result.status === 0 && summary !== null && summary[2] === "0" && Number(summary[1]) > 0;
  if (ok) passed++;
  else {
    failedSeeds.push(seed);
    process.stdout.write(result.stdout.split("\n").slice(-60).join("\n") + "\n");
  }
  console.log(`run ${run + 1}/${RUNS} seed ${seed}: ${ok ? "passed" : "FAILED"} in ${seconds.toFixed(0)} s`);
}
console.log(
  `${passed} of ${RUNS} passed${failedSeeds.length > 0 ? ` (failed seeds ${failedSeeds.join(", ")})` : ""}`,
);
process.exitCode = passed === RUNS ? 0 : 1;
