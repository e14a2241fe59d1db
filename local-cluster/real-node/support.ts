// Whether this machine can run a real node, and if not, the one reason to print before falling back to kwok nodes.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { binaryPath } from "../../process/binaries.js";
import { STATIC_BUSYBOX } from "../images/uranus-images.js";
import { cgroupHierarchies, pidsWithCommandLine } from "./host-resources.js";
import { REAL_NODES_DIR } from "./teardown.js";

/** What Debian's containerd, runc, containernetworking-plugins and busybox-static install, and iproute2's ip. */
export const REAL_NODE_PROGRAMS = [
  "/usr/bin/containerd",
  "/usr/bin/ctr",
  "/usr/bin/containerd-shim-runc-v2",
  "/usr/sbin/runc",
  "/usr/lib/cni/bridge",
  "/usr/lib/cni/host-local",
  "/usr/lib/cni/loopback",
  STATIC_BUSYBOX,
  "/usr/sbin/ip",
  "/usr/sbin/iptables-save",
  "/usr/sbin/iptables-restore",
];

export function realNodeUnsupportedReason(): string | undefined {
  if (process.platform !== "linux") return "real nodes need Linux";
  if (process.getuid?.() !== 0) return "real nodes need root (containerd, cgroups, a bridge, mounts)";
  const missing = REAL_NODE_PROGRAMS.filter((path) => !existsSync(path));
  if (missing.length > 0) return `${missing.join(", ")} missing: run \`bash hack/install-binaries.sh\``;
  try {
    for (const program of ["kubelet", "kube-proxy", "coredns"] as const) binaryPath(program);
  } catch (error) {
    return (error as Error).message;
  }
  if (!cgroupHierarchies().some((path) => path.endsWith("/memory") || path === "/sys/fs/cgroup"))
    return "no memory cgroup mounted under /sys/fs/cgroup";
  // Two control planes' nodes would share the host state each restores on stop (sysctls, shim sockets, CNI cache).
  const other = otherRealNodeProcess();
  if (other !== undefined) return `another control plane's real node is running (${other})`;
  // Ours would fight it over the same chains, and the stop would remove its rules.
  if (/^:KUBE-SERVICES /m.test(iptablesNat()))
    return "another kube-proxy's rules are in this machine's iptables";
  if (dnsPortTaken())
    return "port 53 is taken on all addresses here, where CoreDNS answers the real nodes' pods";
  return undefined;
}

function iptablesNat(): string {
  try {
    return execFileSync("iptables-save", ["-t", "nat"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return "";
  }
}

/** A socket on port 53 of every address, or of one in the pod subnets, would keep CoreDNS off the bridges. */
function dnsPortTaken(): boolean {
  const ANY = /^0+$/;
  // /proc/net addresses are little-endian hex: 10.247.x.y ends in F70A.
  const podAddress = /F70A$/;
  return ["tcp", "udp", "tcp6", "udp6"].some((table) => {
    let lines: string[];
    try {
      lines = readFileSync(`/proc/net/${table}`, "utf8").trim().split("\n").slice(1);
    } catch {
      return false;
    }
    return lines.some((line) => {
      const [address, port] = (line.trim().split(/\s+/)[1] ?? "").split(":");
      return port === "0035" && (ANY.test(address ?? "") || podAddress.test(address ?? ""));
    });
  });
}

function otherRealNodeProcess(): string | undefined {
  for (const pid of pidsWithCommandLine(`/${REAL_NODES_DIR}/`)) {
    try {
      const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      if (["kubelet", "containerd", "kube-proxy", "coredns"].includes(name)) return `${name}, pid ${pid}`;
    } catch {
      // Exited while we looked.
    }
  }
  return undefined;
}
