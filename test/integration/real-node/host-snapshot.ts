// What a real node may change on the machine, read without the node's own bookkeeping, so a test can compare the
// machine before a real node started with the machine after it stopped.
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";

export interface HostSnapshot {
  processes: string[];
  mounts: string[];
  sysctls: Record<string, string>;
  iptablesChains: string[];
  /** Every rule of every table, sorted: kube-proxy's and the confining ones must all go. */
  iptablesRules: string[];
  interfaces: string[];
  routes: string[];
  netns: string[];
  cgroups: string[];
  hostPaths: string[];
}

const PROGRAMS = new Set([
  "containerd",
  "kubelet",
  "containerd-shim",
  "containerd-shim-runc-v2",
  "runc",
  "kube-proxy",
  "coredns",
]);
const SYSCTLS = [
  "vm.overcommit_memory",
  "vm.panic_on_oom",
  "kernel.panic",
  "kernel.panic_on_oops",
  "kernel.keys.root_maxkeys",
  "kernel.keys.root_maxbytes",
  "net.ipv4.ip_forward",
  "net.ipv4.conf.all.forwarding",
  "net.ipv4.conf.all.route_localnet",
  "net.bridge.bridge-nf-call-iptables",
  "net.bridge.bridge-nf-call-ip6tables",
  "net.netfilter.nf_conntrack_max",
  "net.netfilter.nf_conntrack_tcp_timeout_established",
  "net.netfilter.nf_conntrack_tcp_timeout_close_wait",
  "net.netfilter.nf_conntrack_tcp_be_liberal",
];
/** Fixed paths containerd, CNI and the kubelet use whatever they are configured with. */
const HOST_PATHS = [
  "/run/containerd",
  "/run/netns",
  "/run/mount",
  "/var/lib/cni",
  "/var/lib/kubelet",
  "/var/lib/containerd",
  "/var/log/pods",
  "/var/log/containers",
  "/opt/containerd",
  "/etc/cni",
  "/run/xtables.lock",
];

export function snapshotHost(): HostSnapshot {
  return {
    processes: readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .map((pid) => {
        try {
          return `${pid} ${readFileSync(join("/proc", pid, "comm"), "utf8").trim()}`;
        } catch {
          return "";
        }
      })
      .filter((line) => PROGRAMS.has(line.split(" ")[1] ?? "")),
    mounts: readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[4] ?? "")
      .filter((path) => path.startsWith(tmpdir()) || /kubelet|containerd|netns|cni/.test(path))
      .sort(),
    sysctls: Object.fromEntries(
      SYSCTLS.map((name) => join("/proc/sys", ...name.split(".")))
        .filter((file) => existsSync(file))
        .map((file) => [file, readFileSync(file, "utf8").trim()]),
    ),
    iptablesChains: ["iptables-save", "ip6tables-save"].flatMap((tool) => {
      let table = "";
      return execFileSync(tool, { encoding: "utf8" })
        .split("\n")
        .flatMap((line) => {
          if (line.startsWith("*")) table = line.slice(1);
          return line.startsWith(":") ? [`${tool} ${table} ${line.slice(1).split(" ")[0]}`] : [];
        });
    }),
    iptablesRules: ["iptables-save", "ip6tables-save"]
      .flatMap((tool) => {
        let table = "";
        return execFileSync(tool, { encoding: "utf8" })
          .split("\n")
          .flatMap((line) => {
            if (line.startsWith("*")) table = line.slice(1);
            return line.startsWith("-A ") ? [`${tool} ${table} ${line}`] : [];
          });
      })
      .sort(),
    interfaces: readdirSync("/sys/class/net").sort(),
    routes: execFileSync("ip", ["-4", "route", "show", "table", "all"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .sort(),
    netns: execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").filter(Boolean).sort(),
    cgroups: readdirSync("/sys/fs/cgroup").flatMap((hierarchy) => {
      const root = join("/sys/fs/cgroup", hierarchy);
      if (!lstatSync(root).isDirectory()) return [];
      return readdirSync(root, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${hierarchy}/${entry.name}`);
    }),
    hostPaths: HOST_PATHS.flatMap((path) => (existsSync(path) ? walk(path) : [])),
  };
}

function walk(path: string): string[] {
  if (!lstatSync(path).isDirectory()) return [path];
  return [path, ...readdirSync(path).flatMap((entry) => walk(join(path, entry)))];
}

/** What each part of a snapshot is, for the message of a failed comparison. */
const PARTS: Record<keyof HostSnapshot, string> = {
  processes: "containerd, kubelet, shims, runc, kube-proxy, CoreDNS",
  mounts: "mounts",
  sysctls: "sysctls",
  iptablesChains: "iptables chains",
  iptablesRules: "iptables rules",
  interfaces: "network interfaces",
  routes: "routes",
  netns: "network namespaces",
  cgroups: "cgroups",
  hostPaths: "files in containerd's and the kubelet's fixed paths",
};

/** The machine now, part by part, equals `before`; a failure names the part that differs. */
export function expectMachineAsBefore(before: HostSnapshot): void {
  const now = snapshotHost();
  for (const part of Object.keys(PARTS) as (keyof HostSnapshot)[])
    expect(now[part], PARTS[part]).to.deep.equal(before[part]);
}
