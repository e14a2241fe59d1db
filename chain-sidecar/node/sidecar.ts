// The sidecar process: the application behind an ABCI socket for CometBFT, or behind the solo producer and its RPC.
import { mkdirSync } from "node:fs";
import type { Logger } from "pino";
import type { AbciApplication } from "../abci/application.js";
import { AbciGrpcServer } from "../abci/grpc-server.js";
import { AbciSocketServer } from "../abci/socket-server.js";
import { SoloProducer } from "../solo/solo-producer.js";
import { SoloRpcServer } from "../solo/rpc-server.js";
import { homePaths } from "./cometbft-home.js";
import { abciTransport, proxyAppAddress, rpcListenAddress, type AbciTransport } from "./cometbft-config.js";
import { readGenesisDoc } from "../genesis/genesis-doc.js";
import { ValidatorKey } from "./validator-key.js";
import { parseListenAddress } from "../abci/listen-address.js";

/** An application the sidecar can close on shutdown (flushing its store). */
export type SidecarApplication = AbciApplication & { close?: () => Promise<void> };

export interface RunningSidecar {
  /** ABCI address (CometBFT mode) or RPC URL (solo mode). */
  address: string;
  stop(): Promise<void>;
}

export interface AbciSidecarOptions {
  home: string;
  app: SidecarApplication;
  logger: Logger;
  /** Defaults to the home's config.toml proxy_app, so CometBFT and the sidecar agree. */
  abciAddress?: string;
  /** Defaults to the home's config.toml abci. */
  transport?: AbciTransport;
  onFatal: (error: Error) => void;
}

export async function startAbciSidecar(options: AbciSidecarOptions): Promise<RunningSidecar> {
  const serverOptions = { app: options.app, logger: options.logger, onFatal: options.onFatal };
  const server =
    (options.transport ?? abciTransport(options.home)) === "grpc"
      ? new AbciGrpcServer(serverOptions)
      : new AbciSocketServer(serverOptions);
  const address = await server.listen(options.abciAddress ?? proxyAppAddress(options.home));
  return {
    address,
    async stop() {
      await server.close();
      await options.app.close?.();
    },
  };
}

export interface SoloSidecarOptions {
  home: string;
  app: SidecarApplication;
  logger: Logger;
  /** Defaults to the port of the home's [rpc] laddr. */
  rpcPort?: number;
  blockIntervalMs?: number;
  produceOnTx?: boolean;
  createEmptyBlocks?: boolean;
  onFatal: (error: Error) => void;
}

export async function startSoloSidecar(options: SoloSidecarOptions): Promise<RunningSidecar> {
  const paths = homePaths(options.home);
  mkdirSync(paths.appData, { recursive: true });
  const producer = new SoloProducer({
    app: options.app,
    genesis: readGenesisDoc(paths.genesis),
    validatorKey: ValidatorKey.load(paths.validatorKey),
    logger: options.logger,
    onFatal: options.onFatal,
    blockIntervalMs: options.blockIntervalMs,
    produceOnTx: options.produceOnTx,
    createEmptyBlocks: options.createEmptyBlocks,
    stateDir: paths.appData,
  });
  await producer.start();
  const rpc = new SoloRpcServer({ producer, logger: options.logger });
  const configured = parseListenAddress(rpcListenAddress(options.home));
  const port = options.rpcPort ?? (configured.kind === "tcp" ? configured.port : 0);
  await rpc.listen(port);
  return {
    address: rpc.url,
    async stop() {
      await rpc.close();
      await producer.stop();
      await options.app.close?.();
    },
  };
}
