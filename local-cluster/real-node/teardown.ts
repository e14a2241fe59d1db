// Stopping a real node: its processes, its containers, then every host change, from a state file written before the
// first change, so another process (`hack/control-plane.sh down`) can do it too and a repeat does nothing.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stopPid } from "../../process/managed-process.js";
import {
  cgroupPids,
  deleteBridge,
  killUntilNone,
  pidsWithCommandLine,
  removeCgroupRoot,
  unmountUnder,
} from "./host-resources.js";
import { restoreHostState, type HostState } from "./host-state.js";

export const REAL_NODE_STATE_FILE = "real-node.json";
/** Real nodes live in <control plane dir>/real-nodes/<node name>. */
export const REAL_NODES_DIR = "real-nodes";

export interface RealNodeState {
  name: string;
  /** Start order among the control plane's real nodes. */
  index: number;
  dir: string;
  bridge: string;
  cgroupRoot: string;
  containerdSocket: string;
  /** kubelet and containerd, in start order. */
  pids: { name: string; pid: number }[];
  host: HostState;
  stopped: boolean;
}

export function saveRealNodeState(state: RealNodeState): void {
  writeFileSync(join(state.dir, REAL_NODE_STATE_FILE), JSON.stringify(state, null, 2));
}

/**
 * kubelet first (so nothing restarts), then the containers (by cgroup) before their shims (by containerd address),
 * then containerd; then mounts, bridge, cgroups and the host state recorded at start.
 */
export async function tearDownRealNode(
  state: RealNodeState,
  stopProcess: (pid: number) => Promise<void> = (pid) => stopPid(pid),
): Promise<void> {
  if (state.stopped) return;
  const pidOf = (name: string): number | undefined => state.pids.find((p) => p.name === name)?.pid;
  const kubelet = pidOf("kubelet");
  if (kubelet !== undefined) await stopProcess(kubelet);
  await killUntilNone(() => cgroupPids(state.cgroupRoot), `no process left in cgroup ${state.cgroupRoot}`);
  await killUntilNone(
    () => pidsWithCommandLine(`-address ${state.containerdSocket}`),
    `no containerd shim left for ${state.containerdSocket}`,
  );
  const containerd = pidOf("containerd");
  if (containerd !== undefined) await stopProcess(containerd);
  await unmountUnder(state.dir);
  deleteBridge(state.bridge);
  await removeCgroupRoot(state.cgroupRoot);
  restoreHostState(state.host);
  state.stopped = true;
  saveRealNodeState(state);
}

/** Tears down every real node a control plane in `dir` started, newest first (host state is restored in LIFO order). */
export async function stopRealNodesInDir(dir: string): Promise<void> {
  const root = join(dir, REAL_NODES_DIR);
  if (!existsSync(root)) return;
  const states = readdirSync(root)
    .map((name) => join(root, name, REAL_NODE_STATE_FILE))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, "utf8")) as RealNodeState);
  for (const state of states.sort((a, b) => b.index - a.index)) await tearDownRealNode(state);
}
