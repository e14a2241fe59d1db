// A child process we started and must stop: output to a log file, pid recorded, stopped by pid with a deadline.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  exited(): boolean;
  stop(timeoutMs?: number): Promise<void>;
  logTail(lines?: number): string;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): ManagedProcess {
  const fd = openSync(options.logFile, "a");
  // Own process group: a terminal's Ctrl-C reaches only us, and we stop children in dependency order.
  const child = spawn(command, args, {
    stdio: ["ignore", fd, fd],
    env: options.env ?? process.env,
    cwd: options.cwd,
    detached: true,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  let exitedFlag = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exitedFlag = true;
      resolve();
    });
  });
  child.once("error", () => {
    exitedFlag = true;
  });
  const logTail = (lines = 20): string => {
    try {
      return readFileSync(options.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  };
  return {
    name,
    pid: child.pid,
    logFile: options.logFile,
    child,
    exited: () => exitedFlag,
    logTail,
    async stop(timeoutMs = 10_000): Promise<void> {
      if (exitedFlag) return;
      child.kill("SIGTERM");
      const timer = new Promise<"timeout">((resolve) =>
        setTimeout(() => resolve("timeout"), timeoutMs).unref(),
      );
      if ((await Promise.race([exit, timer])) === "timeout") {
        child.kill("SIGKILL");
        await exit;
      }
    },
  };
}

/** Stops a process recorded by pid (e.g. from an earlier run's state file): SIGTERM, then SIGKILL after the deadline. */
export async function stopPid(pid: number, timeoutMs = 10_000): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, "SIGTERM");
  const deadline = performance.now() + timeoutMs;
  while (alive() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive()) process.kill(pid, "SIGKILL");
  while (alive()) await new Promise((r) => setTimeout(r, 20));
}
