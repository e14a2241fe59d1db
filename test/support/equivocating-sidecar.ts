// A sidecar for a misbehaving twin validator: the real Uranus app, except that it rejects every proposal, so the twin
// prevotes nil while the original votes for the block: conflicting votes under one key at every height.
import { ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import { openHomeApp } from "../../chain-sidecar/node/uranus-app-opener.js";
import { selfLauncher, serveWhenLaunched } from "./self-launching-sidecar.js";

export const equivocatingSidecarLauncher = selfLauncher(import.meta.url);

await serveWhenLaunched(import.meta.url, "equivocating-sidecar", async (home, logger) => {
  const app = await openHomeApp(home, logger);
  app.processProposal = () => Promise.resolve({ status: ResponseProcessProposal_ProposalStatus.REJECT });
  return app;
});
