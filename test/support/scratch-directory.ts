// A fresh directory under the OS temp dir for a mocha suite, removed after it, so tests leave nothing behind.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ScratchDirectory {
  /** The directory's path; made in a before hook, so read it from hooks and tests. */
  readonly path: string;
}

/** Registers hooks that make the directory before each test ("each test") or once ("whole suite"). */
export function scratchDirectory(prefix: string, lifetime: "each test" | "whole suite"): ScratchDirectory {
  let path: string | undefined;
  const [make, remove] = lifetime === "each test" ? [beforeEach, afterEach] : [before, after];
  make(() => {
    path = mkdtempSync(join(tmpdir(), prefix));
  });
  remove(() => {
    if (path !== undefined) rmSync(path, { recursive: true, force: true });
    path = undefined;
  });
  return {
    get path(): string {
      if (path === undefined) throw new Error("the scratch directory is made in a before hook");
      return path;
    },
  };
}
