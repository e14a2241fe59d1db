// Opens the Uranus application over a CometBFT home's data directory.
import { mkdirSync } from "node:fs";
import type { Logger } from "pino";
import { openUranusApp } from "../app/uranus-app.js";
import { homePaths } from "./cometbft-home.js";
import type { SidecarApplication } from "./sidecar.js";

export async function openHomeApp(home: string, logger: Logger): Promise<SidecarApplication> {
  const dataDir = homePaths(home).appData;
  mkdirSync(dataDir, { recursive: true });
  return openUranusApp({ dataDir, logger: logger.child({ component: "app" }) });
}
