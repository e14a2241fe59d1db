// The README's test command: static checks, then every mocha suite; ends with "N passed, N failed".
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Tally {
  passes: number;
  failures: number;
  pending: number;
}

const started = process.hrtime.bigint();
const checks: [string, string[]][] = [
  ["prettier", ["prettier", "--check", "--log-level", "warn", "."]],
  ["eslint", ["eslint", "--max-warnings", "0", "."]],
  ["typecheck", ["tsc", "-p", "tsconfig.json"]],
];
const onlyTests = process.argv.includes("--tests-only");
let passed = 0;
let failed = 0;

if (!onlyTests) {
  for (const [name, args] of checks) {
    const t0 = process.hrtime.bigint();
    const result = spawnSync("npx", ["--no-install", ...args], { stdio: "inherit" });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (result.status === 0) {
      passed++;
      console.log(`  ✔ check ${name} (${seconds.toFixed(1)} s)`);
    } else {
      failed++;
      console.log(`  ✘ check ${name} failed (exit ${result.status ?? result.signal})`);
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), "uranus-test-"));
const summaryFile = join(dir, "summary.json");
const suites = ["unit", "integration", "e2e", "chaos"].filter((suite) => existsSync(join("test", suite)));
const requested = process.argv.slice(2).filter((a) => a !== "--tests-only");
const specs = requested.length > 0 ? requested : suites.map((suite) => `test/${suite}/**/*.test.ts`);
const mocha = spawnSync("npx", ["--no-install", "mocha", "--config", "test/mocharc.json", ...specs], {
  stdio: "inherit",
  env: { ...process.env, URANUS_TEST_SUMMARY: summaryFile },
});
if (existsSync(summaryFile)) {
  const tally = JSON.parse(readFileSync(summaryFile, "utf8")) as Tally;
  passed += tally.passes;
  failed += tally.failures;
  if (tally.pending > 0) {
    console.log(`${tally.pending} tests are pending; pending tests count as failures`);
    failed += tally.pending;
  }
  if (mocha.status !== 0 && tally.failures === 0) failed++;
} else {
  console.log(`mocha ended without a summary (exit ${mocha.status ?? mocha.signal})`);
  failed++;
}
rmSync(dir, { recursive: true, force: true });
const minutes = Number(process.hrtime.bigint() - started) / 60e9;
console.log(`test time ${minutes.toFixed(1)} min`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
