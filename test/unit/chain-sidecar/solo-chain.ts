// A whole one-node Uranus chain in-process: the real app behind the solo producer and its CometBFT-compatible RPC.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { openUranusApp, type UranusApp } from "../../../chain-sidecar/app/uranus-app.js";
import { buildGenesisAppState, type GenesisInput } from "../../../chain-sidecar/genesis/app-state.js";
import { newGenesisDoc } from "../../../chain-sidecar/genesis/genesis-doc.js";
import { ValidatorKey } from "../../../chain-sidecar/node/validator-key.js";
import { SoloRpcServer } from "../../../chain-sidecar/solo/rpc-server.js";
import { SoloProducer } from "../../../chain-sidecar/solo/solo-producer.js";
import { CHAIN_ID } from "./app-harness.js";

export interface SoloChain {
  rpcUrl: string;
  app: UranusApp;
  faults: Error[];
  stop(): Promise<void>;
}

/** `validatorOperator` operates the single validator, whose consensus key is generated here. */
export async function startSoloChain(genesis: GenesisInput, validatorOperator: string): Promise<SoloChain> {
  const dir = mkdtempSync(join(tmpdir(), "uranus-solo-"));
  const logger = pino({ level: "silent" });
  const key = ValidatorKey.generate();
  const appState = buildGenesisAppState({
    ...genesis,
    validators: [
      {
        operator: validatorOperator,
        consensusPubKey: Buffer.from(key.publicKey).toString("base64"),
        deposit: 10_000_000n,
        moniker: "solo",
      },
    ],
  });
  const app = await openUranusApp({ dataDir: join(dir, "app"), logger });
  const faults: Error[] = [];
  const producer = new SoloProducer({
    app,
    genesis: newGenesisDoc({
      chainId: CHAIN_ID,
      validators: [{ publicKey: key.publicKey, power: 10_000_000n }],
      appState,
    }),
    validatorKey: key,
    logger,
    onFatal: (e) => faults.push(e),
    blockIntervalMs: 100,
    produceOnTx: true,
  });
  await producer.start();
  const rpc = new SoloRpcServer({ producer, logger });
  await rpc.listen();
  return {
    rpcUrl: rpc.url,
    app,
    faults,
    async stop() {
      await rpc.close();
      await producer.stop();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
