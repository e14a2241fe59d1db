// Whether this machine can run a real node, and if not, the one reason to print before falling back to kwok nodes.
import { existsSync } from "node:fs";
import { binaryPath } from "../../process/binaries.js";
import { STATIC_BUSYBOX } from "../images/uranus-images.js";
import { cgroupHierarchies } from "./host-resources.js";

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
  return undefined;
}
