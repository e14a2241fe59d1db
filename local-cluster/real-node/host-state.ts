// Host-wide state a real node changes outside its own directory, recorded before it starts and put back after:
// sysctls (kubelet, CNI), iptables rules and chains, and files in the fixed paths containerd and the kubelet use.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { mountPoints } from "./host-resources.js";

/**
 * The kubelet's kernel tunables (setupKernelTunables), the forwarding switches a CNI gateway turns on, and what
 * kube-proxy may change (route_localnet, conntrack) or Services need (bridged traffic through iptables).
 */
export const TOUCHED_SYSCTLS = [
  "vm.overcommit_memory",
  "vm.panic_on_oom",
  "kernel.panic",
  "kernel.panic_on_oops",
  "kernel.keys.root_maxkeys",
  "kernel.keys.root_maxbytes",
  "net.ipv4.ip_forward",
  "net.ipv6.conf.all.forwarding",
  "net.ipv4.conf.all.route_localnet",
  "net.bridge.bridge-nf-call-iptables",
  "net.bridge.bridge-nf-call-ip6tables",
  "net.netfilter.nf_conntrack_max",
  "net.netfilter.nf_conntrack_tcp_timeout_established",
  "net.netfilter.nf_conntrack_tcp_timeout_close_wait",
  "net.netfilter.nf_conntrack_tcp_be_liberal",
] as const;

/** Fixed paths containerd 1.6 and the kubelet write to whatever their configured directories (shim sockets, logs). */
export const HOST_PATHS = [
  "/run/containerd",
  "/var/log/containers",
  "/var/log/pods",
  "/var/lib/cni",
  "/run/netns",
  "/var/lib/kubelet",
  "/opt/containerd",
  "/etc/cni",
  // libmount's utab, made by the mount calls of the kubelet
  "/run/mount",
  // the lock kube-proxy takes around iptables-restore
  "/run/xtables.lock",
];

export interface HostState {
  sysctls: Record<string, string>;
  iptables: { iptables: string; ip6tables: string };
  hostPaths: string[];
}

export function recordHostState(): HostState {
  return { sysctls: readSysctls(), iptables: iptablesDumps(), hostPaths: listHostPaths() };
}

/** Puts back everything recordHostState saw; safe to repeat. */
export function restoreHostState(before: HostState): void {
  undoIptables(before.iptables);
  removeNewHostPaths(before.hostPaths);
  restoreSysctls(before.sysctls);
}

const sysctlFile = (name: string): string => join("/proc/sys", ...name.split("."));

export function readSysctls(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of TOUCHED_SYSCTLS) {
    if (existsSync(sysctlFile(name))) values[name] = readFileSync(sysctlFile(name), "utf8").trim();
  }
  return values;
}

function restoreSysctls(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    if (readFileSync(sysctlFile(name), "utf8").trim() !== value) writeFileSync(sysctlFile(name), value);
  }
}

export function iptablesDumps(): { iptables: string; ip6tables: string } {
  const dump = (tool: string): string => {
    try {
      return execFileSync(`${tool}-save`, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    } catch {
      return "";
    }
  };
  return { iptables: dump("iptables"), ip6tables: dump("ip6tables") };
}

interface Table {
  /** User-defined chains (policy "-"); built-in ones cannot be deleted. */
  chains: Set<string>;
  rules: string[];
}

export function parseIptablesSave(dump: string): Map<string, Table> {
  const tables = new Map<string, Table>();
  let current: Table | undefined;
  for (const line of dump.split("\n")) {
    if (line.startsWith("*")) {
      current = { chains: new Set(), rules: [] };
      tables.set(line.slice(1), current);
    } else if (line.startsWith(":")) {
      const [chain, policy] = line.slice(1).split(" ");
      if (policy === "-") current?.chains.add(chain!);
    } else if (line.startsWith("-A ")) current?.rules.push(line.slice(3));
  }
  return tables;
}

/**
 * An iptables-restore --noflush script deleting the rules and user chains `after` has and `before` had not. A table
 * that appeared keeps its empty built-in chains: only nft could delete it, and nothing here creates one today.
 */
export function iptablesUndoScript(before: string, after: string): string {
  const old = parseIptablesSave(before);
  const script: string[] = [];
  for (const [name, table] of parseIptablesSave(after)) {
    const had = old.get(name) ?? { chains: new Set<string>(), rules: [] };
    const remaining = [...had.rules];
    const added = table.rules.filter((rule) => {
      const index = remaining.indexOf(rule);
      if (index < 0) return true;
      remaining.splice(index, 1);
      return false;
    });
    const newChains = [...table.chains].filter((chain) => !had.chains.has(chain));
    if (added.length === 0 && newChains.length === 0) continue;
    script.push(`*${name}`);
    for (const rule of added.reverse()) script.push(`-D ${rule}`);
    for (const chain of newChains) script.push(`-F ${chain}`);
    for (const chain of newChains) script.push(`-X ${chain}`);
    script.push("COMMIT");
  }
  return script.length === 0 ? "" : `${script.join("\n")}\n`;
}

/** Tables `after` has and `before` had not: all ours, so deleting them whole is the undo. */
export function appearedTables(before: string, after: string): string[] {
  const old = parseIptablesSave(before);
  return [...parseIptablesSave(after).keys()].filter((name) => !old.has(name));
}

function undoIptables(before: { iptables: string; ip6tables: string }): void {
  const now = iptablesDumps();
  for (const tool of ["iptables", "ip6tables"] as const) {
    const script = iptablesUndoScript(before[tool], now[tool]);
    if (script !== "") execFileSync(`${tool}-restore`, ["--noflush"], { input: script, stdio: "pipe" });
    // Without --noflush, restoring an empty table deletes it (iptables-nft), or empties it (legacy).
    const tables = appearedTables(before[tool], iptablesDumps()[tool]);
    if (tables.length > 0)
      execFileSync(`${tool}-restore`, {
        input: tables.map((t) => `*${t}\nCOMMIT\n`).join(""),
        stdio: "pipe",
      });
  }
}

export function listHostPaths(): string[] {
  const found: string[] = [];
  const mounts = new Set(mountPoints());
  const walk = (path: string): void => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return;
    }
    found.push(path);
    if (stat.isDirectory() && !mounts.has(path))
      for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  for (const root of HOST_PATHS) walk(root);
  return found;
}

/** Deletes what appeared in HOST_PATHS since `before`, deepest first, leaving mount points alone. */
function removeNewHostPaths(before: string[]): void {
  const known = new Set(before);
  const mounts = new Set(mountPoints());
  const added = listHostPaths()
    .filter((path) => !known.has(path) && !mounts.has(path))
    .sort((a, b) => b.length - a.length);
  for (const path of added) {
    try {
      if (lstatSync(path).isDirectory()) rmdirSync(path);
      else unlinkSync(path);
    } catch {
      // Gone already, or still in use by something that is not ours: leave it.
    }
  }
}
