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
import { stopNodeServicesInDir } from "./services-teardown.js";
import { runTeardown, type TeardownStep } from "./teardown-steps.js";

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
 * kubelet and containerd first (so nothing restarts or cleans up behind us), then the containers (by cgroup) before
 * their shims (by the node directory in their command line); then mounts, bridge, cgroups and the recorded host state.
 */
export async function tearDownRealNode(
  state: RealNodeState,
  stopProcess: (pid: number) => Promise<void> = (pid) => stopPid(pid),
): Promise<void> {
  if (state.stopped) return;
  const pidOf = (name: string): number | undefined => state.pids.find((p) => p.name === name)?.pid;
  const steps: TeardownStep[] = [
    ["stop the kubelet", () => stopOptional(pidOf("kubelet"), stopProcess)],
    // Before the shims die: a live containerd answers a dead shim by starting cleanup shims and runc.
    ["stop containerd", () => stopOptional(pidOf("containerd"), stopProcess)],
    [
      "kill the containers",
      () => killUntilNone(() => cgroupPids(state.cgroupRoot), `no process in ${state.cgroupRoot}`),
    ],
    // Shims, runc and `containerd publish` all name the node's socket or runc root, which live in its directory.
    [
      "kill the shims",
      () => killUntilNone(() => pidsWithCommandLine(state.dir), `no process mentioning ${state.dir}`),
    ],
    ["unmount", () => unmountUnder(state.dir)],
    ["delete the bridge", () => deleteBridge(state.bridge)],
    ["remove the cgroups", () => removeCgroupRoot(state.cgroupRoot)],
    ["restore the host state", () => restoreHostState(state.host)],
  ];
  await runTeardown(`real node ${state.name}`, steps);
  state.stopped = true;
  saveRealNodeState(state);
}

async function stopOptional(
  pid: number | undefined,
  stopProcess: (pid: number) => Promise<void>,
): Promise<void> {
  if (pid !== undefined) await stopProcess(pid);
}

/**
 * Tears down the Service network, then every real node a control plane in `dir` started, newest first: host state is
 * restored in the reverse order it was recorded.
 */
export async function stopRealNodesInDir(dir: string): Promise<void> {
  const root = join(dir, REAL_NODES_DIR);
  if (!existsSync(root)) return;
  // The nodes go even when the Service network could not: their own restore removes its rules too.
  const servicesFailure = await stopNodeServicesInDir(root).then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  const states = readdirSync(root)
    .map((name) => join(root, name, REAL_NODE_STATE_FILE))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, "utf8")) as RealNodeState);
  for (const state of states.sort((a, b) => b.index - a.index)) await tearDownRealNode(state);
  if (servicesFailure !== undefined) throw servicesFailure;
}
