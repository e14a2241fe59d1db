// ABCI 2.0 socket server for CometBFT v0.38 over TCP or a unix socket.
import { createServer, type Server } from "node:net";
import { existsSync, unlinkSync } from "node:fs";
import { Mutex } from "async-mutex";
import type { Logger } from "pino";
import type { AbciApplication } from "./application.js";
import { AbciConnection } from "./abci-connection.js";
import { DEFAULT_MAX_FRAME_BYTES } from "./frame-codec.js";
import { formatListenAddress, parseListenAddress, type ListenAddress } from "./listen-address.js";

export interface AbciSocketServerOptions {
  app: AbciApplication;
  logger: Logger;
  /**
   * Called once when the application throws or a client sends something that is not ABCI. The server
   * cannot vouch for the application's state after that, so the caller ends the process with a non-zero code.
   */
  onFatal: (error: Error) => void;
  maxFrameBytes?: number;
  /** Serializes calls into the application; pass one to share it with another driver of the same app. */
  appLock?: Mutex;
}

export class AbciSocketServer {
  private readonly server: Server;
  private readonly connections = new Set<AbciConnection>();
  private readonly appLock: Mutex;
  private nextConnectionId = 1;
  private fatal: Error | undefined;
  private bound: ListenAddress | undefined;

  constructor(private readonly options: AbciSocketServerOptions) {
    this.appLock = options.appLock ?? new Mutex();
    this.server = createServer((socket) => {
      socket.setNoDelay(true);
      const id = this.nextConnectionId++;
      options.logger.info({ connection: id }, "ABCI connection opened");
      const connection = new AbciConnection({
        id,
        socket,
        app: options.app,
        appLock: this.appLock,
        logger: options.logger,
        maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
        onFailure: (error) => {
          this.reportFatal(error);
        },
      });
      this.connections.add(connection);
      socket.on("close", () => this.connections.delete(connection));
    });
  }

  /** The first fatal error, if any. */
  get fatalError(): Error | undefined {
    return this.fatal;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** Starts listening; returns the bound address (a tcp port of 0 is replaced by the real one). */
  async listen(address: string): Promise<string> {
    const target = parseListenAddress(address);
    // A socket file left by a killed sidecar would make listen fail with EADDRINUSE.
    if (target.kind === "unix" && existsSync(target.path)) unlinkSync(target.path);
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      const done = (): void => {
        this.server.off("error", reject);
        resolve();
      };
      if (target.kind === "unix") this.server.listen(target.path, done);
      else this.server.listen(target.port, target.host, done);
    });
    this.server.on("error", (error) => {
      this.reportFatal(error);
    });
    const info = this.server.address();
    this.bound =
      target.kind === "tcp" && info !== null && typeof info === "object"
        ? { ...target, port: info.port }
        : target;
    const bound = formatListenAddress(this.bound);
    this.options.logger.info({ address: bound }, "ABCI server listening");
    return bound;
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.close();
    this.connections.clear();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
    if (this.bound?.kind === "unix" && existsSync(this.bound.path)) unlinkSync(this.bound.path);
  }

  private reportFatal(error: Error): void {
    if (this.fatal !== undefined) return;
    this.fatal = error;
    this.options.logger.fatal({ err: error }, "ABCI server stops: %s", error.message);
    this.options.onFatal(error);
  }
}
