// Starts the real Uranus sidecar (`uranus chain start --home`) for a testnet node, as one Node process.
import { fileURLToPath } from "node:url";
import type { SidecarLauncher } from "./testnet-node.js";

const cliEntry = fileURLToPath(new URL("../../cli/uranus.js", import.meta.url));

export const uranusSidecarLauncher: SidecarLauncher = (home) => ({
  command: process.execPath,
  args: [cliEntry, "chain", "start", "--home", home],
});
