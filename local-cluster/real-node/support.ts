// Whether this machine can run a real node, and if not, the one reason to print before falling back to kwok nodes.
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
];

export function realNodeUnsupportedReason(): string | undefined {
  if (process.platform !== "linux") return "real nodes need Linux";
  if (process.getuid?.() !== 0) return "real nodes need root (containerd, cgroups, a bridge, mounts)";
  const missing = REAL_NODE_PROGRAMS.filter((path) => !existsSync(path));
  if (missing.length > 0) return `${missing.join(", ")} missing: run \`bash hack/install-binaries.sh\``;
  try {
    binaryPath("kubelet");
  } catch (error) {
    return (error as Error).message;
  }
  if (!cgroupHierarchies().some((path) => path.endsWith("/memory") || path === "/sys/fs/cgroup"))
    return "no memory cgroup mounted under /sys/fs/cgroup";
  // Two control planes' nodes would share the host state each restores on stop (sysctls, shim sockets, CNI cache).
  const other = otherRealNodeProcess();
  if (other !== undefined) return `another control plane's real node is running (${other})`;
  return undefined;
}

function otherRealNodeProcess(): string | undefined {
  for (const pid of pidsWithCommandLine(`/${REAL_NODES_DIR}/`)) {
    try {
      const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      if (name === "kubelet" || name === "containerd") return `${name}, pid ${pid}`;
    } catch {
      // Exited while we looked.
    }
  }
  return undefined;
}
