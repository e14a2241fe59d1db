// The kernel objects a real node owns — mounts under its directory, its cgroup subtree, its processes, its bridge —
// and the means to remove each of them, for a stop that leaves the machine as it was.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../process/wait-for.js";

/** Every mount point of this mount namespace, /proc/self/mountinfo's octal escapes decoded. */
export function mountPoints(fsTypes?: string[]): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .filter((line) => fsTypes === undefined || fsTypes.includes(line.split(" - ")[1]?.split(" ")[0] ?? ""))
    .map((line) =>
      line
        .split(" ")[4]!
        .replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
    );
}

export function mountsUnder(dir: string): string[] {
  return mountPoints().filter((path) => path === dir || path.startsWith(`${dir}/`));
}

/** Unmounts everything under dir, deepest first; shared propagation can mirror mounts, so it repeats until none. */
export async function unmountUnder(dir: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    () => {
      const mounts = [...new Set(mountsUnder(dir))].sort((a, b) => b.length - a.length);
      for (const path of mounts) {
        try {
          execFileSync("umount", [path], { stdio: "ignore" });
        } catch {
          try {
            execFileSync("umount", ["-l", path], { stdio: "ignore" });
          } catch {
            // Already gone with its parent.
          }
        }
      }
      return mountsUnder(dir).length === 0;
    },
    { timeoutMs, description: `no mounts left under ${dir}` },
  );
}

/** The v1 hierarchies (and the v2 one of a hybrid setup) under /sys/fs/cgroup. */
export function cgroupHierarchies(): string[] {
  return mountPoints(["cgroup", "cgroup2"]).filter((path) => path.startsWith("/sys/fs/cgroup"));
}

/** Creates /<name> in every hierarchy, as the kubelet demands of its cgroupRoot; a cpuset child starts empty. */
export function createCgroupRoot(name: string): void {
  for (const hierarchy of cgroupHierarchies()) {
    const dir = join(hierarchy, name);
    mkdirSync(dir, { recursive: true });
    for (const file of ["cpuset.cpus", "cpuset.mems"]) {
      if (existsSync(join(dir, file)) && readFileSync(join(dir, file), "utf8").trim() === "")
        copyFileSync(join(hierarchy, file), join(dir, file));
    }
  }
}

function cgroupDirs(name: string): string[] {
  const dirs: string[] = [];
  const walk = (dir: string): void => {
    dirs.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) walk(join(dir, entry.name));
  };
  for (const hierarchy of cgroupHierarchies())
    if (existsSync(join(hierarchy, name))) walk(join(hierarchy, name));
  return dirs;
}

export function cgroupPids(name: string): number[] {
  const pids = new Set<number>();
  for (const dir of cgroupDirs(name)) {
    try {
      for (const pid of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n"))
        if (pid !== "") pids.add(Number(pid));
    } catch {
      // Removed while we read.
    }
  }
  return [...pids];
}

/** Removes the cgroup subtree in every hierarchy, children first; a cgroup is busy until its last task is reaped. */
export async function removeCgroupRoot(name: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    () => {
      for (const dir of cgroupDirs(name).sort((a, b) => b.length - a.length)) {
        try {
          rmdirSync(dir);
        } catch {
          // Busy or gone; the next pass sees which.
        }
      }
      return cgroupDirs(name).length === 0;
    },
    { timeoutMs, description: `cgroup ${name} removed from every hierarchy` },
  );
}

/** Pids whose command line (arguments joined by spaces) contains the text. */
export function pidsWithCommandLine(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(join("/proc", entry, "cmdline"), "utf8").replaceAll("\0", " ");
      if (commandLine.includes(text) && Number(entry) !== process.pid) pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

/**
 * SIGKILLs the processes `find` returns until it returns none (a dying shell may still fork) and every one killed is
 * reaped: a zombie has no command line left to find, but is still in /proc.
 */
export async function killUntilNone(
  find: () => number[],
  description: string,
  timeoutMs = 20_000,
): Promise<void> {
  const killed = new Set<number>();
  await waitFor(
    () => {
      const pids = find();
      for (const pid of pids) {
        killed.add(pid);
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Exited meanwhile.
        }
      }
      return pids.length === 0 && [...killed].every((pid) => !existsSync(`/proc/${pid}`));
    },
    { timeoutMs, intervalMs: 50, description },
  );
}

export function linkExists(name: string): boolean {
  return existsSync(join("/sys/class/net", name));
}

export function createBridge(name: string, addressCidr: string): void {
  execFileSync("ip", ["link", "add", "name", name, "type", "bridge"], { stdio: "pipe" });
  execFileSync("ip", ["addr", "add", addressCidr, "dev", name], { stdio: "pipe" });
  execFileSync("ip", ["link", "set", name, "up"], { stdio: "pipe" });
}

/** Deletes the bridge and any veth still attached to it. */
export function deleteBridge(name: string): void {
  if (!linkExists(name)) return;
  const ports = existsSync(join("/sys/class/net", name, "brif"))
    ? readdirSync(join("/sys/class/net", name, "brif"))
    : [];
  for (const port of ports) {
    try {
      execFileSync("ip", ["link", "delete", port], { stdio: "ignore" });
    } catch {
      // Its network namespace went away meanwhile, and took the veth with it.
    }
  }
  execFileSync("ip", ["link", "delete", name], { stdio: "pipe" });
}

/** IPv4 addresses on this machine's interfaces, to pick a pod subnet nobody uses. */
export function hostIpv4Addresses(): string[] {
  const out = execFileSync("ip", ["-4", "-o", "addr", "show"], { encoding: "utf8" });
  return [...out.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((match) => match[1]!);
}
