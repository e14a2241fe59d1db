// Starts the real Uranus sidecar (`chain start --home`) for a testnet node, as one Node process that loads only the
// chain commands (the full CLI takes several times longer to load, which a restart under test would wait for).
import { fileURLToPath } from "node:url";
import { SIDECAR_NODE_FLAGS } from "../node/sidecar-node-flags.js";
import type { SidecarLauncher } from "./testnet-node.js";
import { tsxNodeCommand } from "./tsx-node-command.js";

const sidecarMain = fileURLToPath(new URL("../node/sidecar-main.ts", import.meta.url));

/** The sidecar with extra `chain start` flags, e.g. `--snapshot-interval 10`. */
export function uranusSidecarLauncherWith(startFlags: string[]): SidecarLauncher {
  return (home) =>
    tsxNodeCommand(sidecarMain, ["chain", "start", "--home", home, ...startFlags], SIDECAR_NODE_FLAGS);
}

export const uranusSidecarLauncher: SidecarLauncher = uranusSidecarLauncherWith([]);
