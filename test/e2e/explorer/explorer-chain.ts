// A one-node Uranus chain in-process (the real app, the solo producer and its RPC) with the explorer in front,
// producing a block only when a transaction arrives, so a new height on the page means a new transaction landed.
import { pino } from "pino";
import { ChainClient } from "../../../chain-sidecar/client/chain-client.js";
import { ExplorerServer } from "../../../chain-sidecar/explorer/explorer-server.js";
import type { GenesisInput } from "../../../chain-sidecar/genesis/app-state.js";
import { startSoloChain } from "../../unit/chain-sidecar/solo-chain.js";

export const EXPLORER_CHAIN_ID = "uranus-explorer-1";

export interface ExplorerChain {
  rpcUrl: string;
  explorerUrl: string;
  client: ChainClient;
  /** Errors that stopped the producer; a healthy run has none. */
  faults: Error[];
  stop(): Promise<void>;
}

/** `genesis.validators` are added to the solo producer's own validator, which `soloOperator` operates. */
export async function startExplorerChain(
  genesis: GenesisInput,
  soloOperator: string,
): Promise<ExplorerChain> {
  const chain = await startSoloChain(genesis, soloOperator, {
    chainId: EXPLORER_CHAIN_ID,
    moniker: "solo-validator",
    blockIntervalMs: 200,
    createEmptyBlocks: false,
  });
  const explorer = new ExplorerServer({ rpcUrl: chain.rpcUrl, logger: pino({ level: "silent" }) });
  const explorerUrl = await explorer.listen(0);
  const client = await ChainClient.connect(chain.rpcUrl);
  return {
    rpcUrl: chain.rpcUrl,
    explorerUrl,
    client,
    faults: chain.faults,
    async stop() {
      client.disconnect();
      await explorer.close();
      await chain.stop();
    },
  };
}
