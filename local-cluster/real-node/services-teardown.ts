// Stopping the real nodes' Service network (kube-proxy, CoreDNS, the rules that confine it) from a state file written
// before its first host change, so `hack/control-plane.sh down` in another process can do it too; repeatable.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stopPid } from "../../process/managed-process.js";
import { killUntilNone, linkExists, pidsWithCommandLine } from "./host-resources.js";
import { restoreHostState, type HostState } from "./host-state.js";
import { runTeardown, type TeardownStep } from "./teardown-steps.js";

export const SERVICES_STATE_FILE = "node-services.json";
/** kube-proxy and CoreDNS live in <control plane dir>/real-nodes/<this>, beside the nodes. */
export const SERVICES_DIR = "services";

export interface NodeServicesState {
  dir: string;
  /** kube-proxy and CoreDNS, in start order. */
  pids: { name: string; pid: number }[];
  host: HostState;
  /** Each bridge's net.ipv4.conf.<bridge>.forwarding before we turned it on. */
  bridgeForwarding: Record<string, string>;
  /** `ip route` arguments of the routes we added (deleting the bridge deletes them too). */
  routes: string[][];
  /** Kernel modules we loaded (br_netfilter where it is not built in), unloaded on stop. */
  loadedModules: string[];
  stopped: boolean;
}

export function saveServicesState(state: NodeServicesState): void {
  writeFileSync(join(state.dir, SERVICES_STATE_FILE), JSON.stringify(state, null, 2));
}

export const bridgeForwardingFile = (bridge: string): string =>
  join("/proc/sys/net/ipv4/conf", bridge, "forwarding");

/** CoreDNS and kube-proxy, newest first, then every host change; each step runs even when one before it failed. */
export async function tearDownNodeServices(
  state: NodeServicesState,
  stopProcess: (pid: number) => Promise<void> = (pid) => stopPid(pid),
): Promise<void> {
  if (state.stopped) return;
  const steps: TeardownStep[] = [
    ...[...state.pids]
      .reverse()
      .map(({ name, pid }): [string, () => Promise<void>] => [`stop ${name}`, () => stopProcess(pid)]),
    // Both name their configuration in the services directory; nothing else does.
    [
      "kill what is left",
      () => killUntilNone(() => pidsWithCommandLine(state.dir), `no process mentioning ${state.dir}`),
    ],
    [
      "delete our routes",
      () => {
        for (const route of state.routes)
          if (routeExists(route)) execFileSync("ip", ["route", "del", ...route], { stdio: "pipe" });
      },
    ],
    [
      "restore the bridges' forwarding",
      () => {
        for (const [bridge, value] of Object.entries(state.bridgeForwarding))
          if (linkExists(bridge)) writeFileSync(bridgeForwardingFile(bridge), value);
      },
    ],
    // kube-proxy's KUBE-* chains and rules, our confining chains, the tables they made, sysctls, the xtables lock.
    ["restore the host state", () => restoreHostState(state.host)],
    [
      "unload the modules we loaded",
      () => {
        for (const module of [...state.loadedModules].reverse())
          execFileSync("modprobe", ["-r", module], { stdio: "pipe" });
      },
    ],
  ];
  await runTeardown("kube-proxy and CoreDNS", steps);
  state.stopped = true;
  saveServicesState(state);
}

function routeExists(route: string[]): boolean {
  const dev = route[route.indexOf("dev") + 1] ?? "";
  if (!linkExists(dev)) return false;
  return execFileSync("ip", ["route", "show", "exact", ...route], { encoding: "utf8" }).trim() !== "";
}

/** Tears down the Service network of the real nodes under `realNodesRoot`, if one was started. */
export async function stopNodeServicesInDir(realNodesRoot: string): Promise<void> {
  const file = join(realNodesRoot, SERVICES_DIR, SERVICES_STATE_FILE);
  if (!existsSync(file)) return;
  await tearDownNodeServices(JSON.parse(readFileSync(file, "utf8")) as NodeServicesState);
}
