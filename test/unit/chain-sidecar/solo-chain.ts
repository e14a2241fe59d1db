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
  producer: SoloProducer;
  faults: Error[];
  stop(): Promise<void>;
}

/** What a suite may set differently from the unit tests' chain. */
export interface SoloChainOptions {
  /** Default: CHAIN_ID of app-harness.ts. */
  chainId?: string;
  /** The solo validator's moniker; default "solo". */
  moniker?: string;
  /** Default: 100 ms. */
  blockIntervalMs?: number;
  /** True: a block every interval even without txs. Default: false, as the sidecar (txs and proof blocks only). */
  createEmptyBlocks?: boolean;
}

/**
 * `validatorOperator` operates the solo validator, whose consensus key is generated here; `genesis.validators` are
 * added after it.
 */
export async function startSoloChain(
  genesis: GenesisInput,
  validatorOperator: string,
  options: SoloChainOptions = {},
): Promise<SoloChain> {
  const { chainId = CHAIN_ID, moniker = "solo", blockIntervalMs = 100, createEmptyBlocks = false } = options;
  const dir = mkdtempSync(join(tmpdir(), "uranus-solo-"));
  const logger = pino({ level: "silent" });
  const key = ValidatorKey.generate();
  const soloValidator = {
    operator: validatorOperator,
    consensusPubKey: Buffer.from(key.publicKey).toString("base64"),
    deposit: 10_000_000n,
    moniker,
  };
  const appState = buildGenesisAppState({
    ...genesis,
    validators: [soloValidator, ...(genesis.validators ?? [])],
  });
  const app = await openUranusApp({ dataDir: join(dir, "app"), logger });
  const faults: Error[] = [];
  const producer = new SoloProducer({
    app,
    genesis: newGenesisDoc({
      chainId,
      validators: [{ publicKey: key.publicKey, power: 10_000_000n }],
      appState,
    }),
    blockIntervalMs,
    createEmptyBlocks,
    produceOnTx: true,
    validatorKey: key,
    logger,
    onFatal: (e) => faults.push(e),
  });
  await producer.start();
  const rpc = new SoloRpcServer({ producer, logger });
  await rpc.listen();
  const stop = async (): Promise<void> => {
    await rpc.close();
    await producer.stop();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { rpcUrl: rpc.url, app, producer, faults, stop };
}
