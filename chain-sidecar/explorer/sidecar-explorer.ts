// Serves the explorer from the sidecar process, next to the node it reads, and stops it with the sidecar.
import type { Logger } from "pino";
import type { RunningSidecar } from "../node/sidecar.js";
import { ExplorerServer } from "./explorer-server.js";

/** Next to CometBFT's 26656 (p2p), 26657 (RPC) and 26660 (metrics). */
export const DEFAULT_EXPLORER_PORT = 26680;
export const DEFAULT_EXPLORER_ADDRESS = `127.0.0.1:${DEFAULT_EXPLORER_PORT}`;

export interface ExplorerListenAddress {
  host: string;
  port: number;
}

/** `host:port` or `[ipv6]:port`; port 0 picks a free one. */
export function parseExplorerAddress(text: string): ExplorerListenAddress {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (match === null || port > 65535) {
    throw new Error(
      `--explorer ${JSON.stringify(text)} is not HOST:PORT (for example ${DEFAULT_EXPLORER_ADDRESS})`,
    );
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
}

export interface SidecarExplorerOptions {
  /** Where to listen, or false for no explorer. */
  listen: string | false;
  /** The RPC of the node this sidecar serves, once it runs. */
  rpcUrl: (running: RunningSidecar) => string;
  logger: Logger;
  /** Where the page's address is printed for people. */
  print?: (line: string) => void;
}

/**
 * Starts the sidecar, then the explorer in front of its node's RPC. When the default port is taken (another
 * sidecar on this machine), a free port is used instead and printed; when the default explorer cannot start at
 * all, the sidecar runs on without it.
 */
export async function withExplorer(
  start: Promise<RunningSidecar>,
  options: SidecarExplorerOptions,
): Promise<RunningSidecar> {
  const running = await start;
  if (options.listen === false) return running;
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  let explorer: ExplorerServer | undefined;
  try {
    const address = parseExplorerAddress(options.listen);
    explorer = new ExplorerServer({ rpcUrl: options.rpcUrl(running), logger: options.logger });
    let url: string;
    try {
      url = await explorer.listen(address.port, address.host);
    } catch (error) {
      const busyDefault =
        (error as NodeJS.ErrnoException).code === "EADDRINUSE" && options.listen === DEFAULT_EXPLORER_ADDRESS;
      if (!busyDefault) throw error;
      options.logger.warn({ port: address.port }, "explorer: default port in use, taking a free one");
      url = await explorer.listen(0, address.host);
    }
    print(`explorer: ${url}`);
  } catch (error) {
    await explorer?.close();
    const message = `cannot start the explorer: ${(error as Error).message}`;
    // Nobody asked for this explorer by name, so the node keeps running without it; an asked-for one must start.
    if (options.listen === DEFAULT_EXPLORER_ADDRESS) {
      options.logger.warn({ err: error }, message);
      print(`${message} (the sidecar runs without it)`);
      return running;
    }
    await running.stop();
    throw new Error(message, { cause: error });
  }
  const server = explorer;
  return {
    address: running.address,
    async stop() {
      await server.close();
      await running.stop();
    },
  };
}
