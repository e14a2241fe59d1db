// Opens the Uranus application over a CometBFT home's data directory.
import { mkdirSync } from "node:fs";
import type { Logger } from "pino";
import { pendingLimitForMempool } from "../app/pending-tx-limit.js";
import { openUranusApp } from "../app/uranus-app.js";
import { mempoolSize } from "./cometbft-config.js";
import type { SnapshotOptions } from "../snapshots/state-snapshots.js";
import { homePaths } from "./cometbft-home.js";
import type { SidecarApplication } from "./sidecar.js";

export async function openHomeApp(
  home: string,
  logger: Logger,
  snapshots?: SnapshotOptions,
): Promise<SidecarApplication> {
  const dataDir = homePaths(home).appData;
  mkdirSync(dataDir, { recursive: true });
  // The app refuses new txs a little before CometBFT's mempool is full, so senders see its OVERLOADED code.
  const maxPendingTxs = pendingLimitForMempool(mempoolSize(home));
  return openUranusApp({ dataDir, maxPendingTxs, logger: logger.child({ component: "app" }), snapshots });
}
