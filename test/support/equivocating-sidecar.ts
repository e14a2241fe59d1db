// A sidecar for a misbehaving twin validator: the real Uranus app, except that it rejects every proposal, so the twin
// prevotes nil while the original votes for the block: conflicting votes under one key at every height.
import { ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import { pino } from "pino";
import { startAbciSidecar } from "../../chain-sidecar/node/sidecar.js";
import { serveUntilSignal } from "../../chain-sidecar/node/serve-until-signal.js";
import { openHomeApp } from "../../chain-sidecar/node/uranus-app-opener.js";
import type { SidecarLauncher } from "../../chain-sidecar/testnet/testnet-node.js";
import { tsxNodeCommand } from "../../chain-sidecar/testnet/tsx-node-command.js";

export const equivocatingSidecarLauncher: SidecarLauncher = (home) =>
  tsxNodeCommand(new URL(import.meta.url).pathname, ["--home", home]);

const homeFlag = process.argv.indexOf("--home");
if (homeFlag > 0 && process.argv[1] === new URL(import.meta.url).pathname) {
  const home = process.argv[homeFlag + 1]!;
  const logger = pino({ name: "equivocating-sidecar" });
  const app = await openHomeApp(home, logger);
  app.processProposal = () => Promise.resolve({ status: ResponseProcessProposal_ProposalStatus.REJECT });
  process.exitCode = await serveUntilSignal(
    (onFatal) => startAbciSidecar({ home, app, logger, onFatal }),
    logger,
  );
}
