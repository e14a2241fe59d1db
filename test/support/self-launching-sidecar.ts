// A test sidecar is one file that launches itself: its launcher runs that file under Node with `--home`, and the
// file, when run so, serves its ABCI application until a signal.
import { pino, type Logger } from "pino";
import { startAbciSidecar, type SidecarApplication } from "../../chain-sidecar/node/sidecar.js";
import { serveUntilSignal } from "../../chain-sidecar/node/serve-until-signal.js";
import type { SidecarLauncher } from "../../chain-sidecar/testnet/testnet-node.js";
import { tsxNodeCommand } from "../../chain-sidecar/testnet/tsx-node-command.js";

/** Launches the file at `moduleUrl` under Node with tsx loaded in-process, so the recorded pid is the sidecar itself. */
export function selfLauncher(moduleUrl: string): SidecarLauncher {
  return (home) => tsxNodeCommand(new URL(moduleUrl).pathname, ["--home", home]);
}

/** When the file at `moduleUrl` is the script Node runs with `--home`, serves `openApp`'s application until a signal. */
export async function serveWhenLaunched(
  moduleUrl: string,
  name: string,
  openApp: (home: string, logger: Logger) => Promise<SidecarApplication>,
): Promise<void> {
  const homeFlag = process.argv.indexOf("--home");
  if (homeFlag <= 0 || process.argv[1] !== new URL(moduleUrl).pathname) return;
  const home = process.argv[homeFlag + 1]!;
  const logger = pino({ name });
  const app = await openApp(home, logger);
  process.exitCode = await serveUntilSignal(
    (onFatal) => startAbciSidecar({ home, app, logger, onFatal }),
    logger,
  );
}
