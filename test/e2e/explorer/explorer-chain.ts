// A one-node Uranus chain in-process (the real app, the solo producer and its RPC) with the explorer in front,
// producing a block only when a transaction arrives, so a new height on the page means a new transaction landed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { openUranusApp } from "../../../chain-sidecar/app/uranus-app.js";
import { ChainClient } from "../../../chain-sidecar/client/chain-client.js";
import { ExplorerServer } from "../../../chain-sidecar/explorer/explorer-server.js";
import { buildGenesisAppState, type GenesisInput } from "../../../chain-sidecar/genesis/app-state.js";
import { newGenesisDoc } from "../../../chain-sidecar/genesis/genesis-doc.js";
import { ValidatorKey } from "../../../chain-sidecar/node/validator-key.js";
import { SoloRpcServer } from "../../../chain-sidecar/solo/rpc-server.js";
import { SoloProducer } from "../../../chain-sidecar/solo/solo-producer.js";

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
  const dir = mkdtempSync(join(tmpdir(), "uranus-explorer-"));
  const logger = pino({ level: "silent" });
  const key = ValidatorKey.generate();
  const appState = buildGenesisAppState({
    ...genesis,
    validators: [
      {
        operator: soloOperator,
        consensusPubKey: Buffer.from(key.publicKey).toString("base64"),
        deposit: 10_000_000n,
        moniker: "solo-validator",
      },
      ...(genesis.validators ?? []),
    ],
  });
  const app = await openUranusApp({ dataDir: join(dir, "app"), logger });
  const faults: Error[] = [];
  const producer = new SoloProducer({
    app,
    genesis: newGenesisDoc({
      chainId: EXPLORER_CHAIN_ID,
      validators: [{ publicKey: key.publicKey, power: 10_000_000n }],
      appState,
    }),
    validatorKey: key,
    logger,
    onFatal: (e) => faults.push(e),
    blockIntervalMs: 200,
    produceOnTx: true,
    createEmptyBlocks: false,
  });
  await producer.start();
  const rpc = new SoloRpcServer({ producer, logger });
  await rpc.listen();
  const explorer = new ExplorerServer({ rpcUrl: rpc.url, logger });
  const explorerUrl = await explorer.listen(0);
  const client = await ChainClient.connect(rpc.url);
  return {
    rpcUrl: rpc.url,
    explorerUrl,
    client,
    faults,
    async stop() {
      client.disconnect();
      await explorer.close();
      await rpc.close();
      await producer.stop();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
