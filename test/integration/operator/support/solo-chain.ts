// A real Uranus chain for operator tests: the Uranus app behind the solo block producer and its CometBFT RPC,
// in this process, with funded accounts and fast test parameters; stoppable and restartable on the same port.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { ChainClient } from "../../../../chain-sidecar/client/chain-client.js";
import { openUranusApp, type UranusApp } from "../../../../chain-sidecar/app/uranus-app.js";
import { buildGenesisAppState, type GenesisInput } from "../../../../chain-sidecar/genesis/app-state.js";
import { newGenesisDoc, type GenesisDoc } from "../../../../chain-sidecar/genesis/genesis-doc.js";
import { ValidatorKey } from "../../../../chain-sidecar/node/validator-key.js";
import { SoloProducer } from "../../../../chain-sidecar/solo/solo-producer.js";
import { SoloRpcServer } from "../../../../chain-sidecar/solo/rpc-server.js";

export interface SoloChainOptions {
  accounts: { address: string; balance: bigint }[];
  params?: GenesisInput["params"];
  blockIntervalMs?: number;
  /** An account that operates the chain's one validator (its power is all of it), to change parameters by governance. */
  governor?: string;
}

export interface SoloChain {
  readonly rpcUrl: string;
  readonly chainId: string;
  readonly client: ChainClient;
  /** Faults the producer reported; a healthy run has none. */
  readonly faults: Error[];
  /** Stops the RPC and the producer (the node becomes unreachable); state is kept. */
  pause(): Promise<void>;
  /** Starts them again on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** Parameters that let tests see pauses, heartbeats and settlements within seconds. */
export const FAST_PARAMS: GenesisInput["params"] = {
  market: { meteringIntervalSeconds: 5, settlementGraceSeconds: 30 },
  poc: { heartbeatWindowBlocks: 40 },
};

export async function startSoloChain(options: SoloChainOptions): Promise<SoloChain> {
  const dir = mkdtempSync(join(tmpdir(), "uranus-solo-"));
  const chainId = "uranus-operator-test";
  const key = ValidatorKey.generate();
  const genesis: GenesisDoc = newGenesisDoc({
    chainId,
    validators: [{ publicKey: key.publicKey, power: 10n }],
    appState: buildGenesisAppState({
      accounts: options.accounts,
      params: options.params ?? FAST_PARAMS,
      ...(options.governor === undefined
        ? {}
        : {
            validators: [
              {
                operator: options.governor,
                consensusPubKey: Buffer.from(key.publicKey).toString("base64"),
                deposit: 10_000_000n,
              },
            ],
          }),
    }),
  });
  const logger = pino({ level: "silent" });
  const faults: Error[] = [];
  let app: UranusApp | undefined;
  let producer: SoloProducer | undefined;
  let rpc: SoloRpcServer | undefined;
  let port = 0;
  mkdirSync(join(dir, "producer"), { recursive: true });
  const up = async (): Promise<void> => {
    app = await openUranusApp({ dataDir: join(dir, "app") });
    producer = new SoloProducer({
      app,
      genesis,
      validatorKey: key,
      logger,
      onFatal: (error) => faults.push(error),
      blockIntervalMs: options.blockIntervalMs ?? 250,
      // As production: blocks for the operator's transactions and the proof block after them, none when idle.
      createEmptyBlocks: false,
      stateDir: join(dir, "producer"),
    });
    await producer.start();
    rpc = new SoloRpcServer({ producer, logger });
    await rpc.listen(port);
    port = Number(new URL(rpc.url).port);
  };
  const down = async (): Promise<void> => {
    await rpc?.close();
    await producer?.stop();
    await app?.close();
    rpc = undefined;
    producer = undefined;
    app = undefined;
  };
  await up();
  const rpcUrl = rpc!.url;
  const client = await ChainClient.connect(rpcUrl);
  return {
    rpcUrl,
    chainId,
    client,
    faults,
    pause: down,
    resume: up,
    async stop() {
      client.disconnect();
      await down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
