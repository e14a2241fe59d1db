import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { binaryPath, cacheDir } from "../../../process/binaries.js";

const run = promisify(execFile);

describe("the binary cache: URANUS_CACHE_DIR moves it for the installer and for every program that runs a binary", function () {
  this.timeout(60_000);
  const before = process.env.URANUS_CACHE_DIR;
  let moved: string;

  beforeEach(() => {
    moved = mkdtempSync(join(tmpdir(), "uranus-cache-"));
  });

  afterEach(() => {
    if (before === undefined) delete process.env.URANUS_CACHE_DIR;
    else process.env.URANUS_CACHE_DIR = before;
    rmSync(moved, { recursive: true, force: true });
  });

  it("finds every pinned binary under it, and the installer builds nothing it already holds", async () => {
    // The entries the suite already built, linked into the moved cache: a warm cache somewhere else.
    const warm = cacheDir();
    for (const entry of readdirSync(warm)) symlinkSync(join(warm, entry), join(moved, entry));
    process.env.URANUS_CACHE_DIR = moved;
    for (const name of [
      "etcd",
      "kube-apiserver",
      "kubectl",
      "kubelet",
      "kwok",
      "cometbft",
      "coredns",
    ] as const)
      expect(binaryPath(name).startsWith(`${moved}/`), name).to.equal(true);
    const { stdout } = await run("bash", ["hack/install-binaries.sh"], {
      env: { ...process.env, URANUS_CACHE_DIR: moved },
    });
    const cached = stdout.split("\n").filter((line) => line.includes(": cached in "));
    expect(cached, stdout).to.have.length(6);
    for (const line of cached) expect(line).to.contain(`cached in ${moved}/`);
    expect(stdout).to.not.match(/building|go install/i);
  });
});
