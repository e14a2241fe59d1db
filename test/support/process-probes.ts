// Probes for what a test started outside this process: is a pid still running, is a local port still served,
// which processes work in a directory.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createConnection } from "node:net";

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** "pid command line" of every live process whose command line mentions `text` or whose cwd is below it. */
export function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      // kwok runs in the state directory without naming it in its arguments.
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (commandLine.includes(text) || cwd.startsWith(text)) found.push(`${pid} ${commandLine}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
