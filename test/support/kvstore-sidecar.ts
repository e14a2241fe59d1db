// A sidecar process serving the tiny kvstore app over ABCI, so transport tests can crash and restart real processes.
import { pino } from "pino";
import { startAbciSidecar } from "../../chain-sidecar/node/sidecar.js";
import { serveUntilSignal } from "../../chain-sidecar/node/serve-until-signal.js";
import type { SidecarLauncher } from "../../chain-sidecar/testnet/testnet-node.js";
import { tsxNodeCommand } from "../../chain-sidecar/testnet/tsx-node-command.js";
import { KvstoreApp } from "./kvstore-app.js";

/** Launches this file under Node with tsx loaded in-process, so the recorded pid is the sidecar itself. */
export const kvstoreSidecarLauncher: SidecarLauncher = (home) =>
  tsxNodeCommand(new URL(import.meta.url).pathname, ["--home", home]);

const homeFlag = process.argv.indexOf("--home");
if (homeFlag > 0 && process.argv[1] === new URL(import.meta.url).pathname) {
  const home = process.argv[homeFlag + 1]!;
  const logger = pino({ name: "kvstore-sidecar" });
  const app = new KvstoreApp();
  process.exitCode = await serveUntilSignal(
    (onFatal) => startAbciSidecar({ home, app, logger, onFatal }),
    logger,
  );
}
