// The operator's probe and scrape endpoint: /healthz (alive), /readyz (caches synced, leadership known) and
// /metrics (Prometheus text). Checks answer like the apiserver's: "ok", or which check failed and why.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** A named probe: true when fine, or a short reason why not. */
export interface HealthCheck {
  name: string;
  check: () => true | string;
}

export interface HealthServerOptions {
  /** "host:port"; port 0 picks a free one. */
  address: string;
  registry: Registry;
  healthChecks?: HealthCheck[];
  readyChecks?: HealthCheck[];
}

export interface HealthServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export function parseListenAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65535) {
    throw new Error(`listen address "${address}" must be host:port, e.g. 127.0.0.1:8081`);
  }
  const host = match[1] ?? match[2] ?? "";
  return { host: host === "" ? "0.0.0.0" : host, port };
}

function runChecks(checks: HealthCheck[]): { ok: boolean; lines: string[] } {
  let ok = true;
  const lines = checks.map(({ name, check }) => {
    let result: true | string;
    try {
      result = check();
    } catch (error) {
      result = (error as Error).message;
    }
    if (result === true) return `[+]${name} ok`;
    ok = false;
    return `[-]${name} failed: ${result}`;
  });
  return { ok, lines };
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { host, port } = parseListenAddress(options.address);
  const probe = (checks: HealthCheck[], endpoint: string, url: URL, res: ServerResponse): void => {
    const { ok, lines } = runChecks(checks);
    const verbose = url.searchParams.has("verbose");
    res.statusCode = ok ? 200 : 500;
    res.setHeader("content-type", "text/plain; charset=utf-8");
    if (ok && !verbose) {
      res.end("ok");
      return;
    }
    res.end(`${lines.join("\n")}\n${endpoint} check ${ok ? "passed" : "failed"}\n`);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.statusCode = 405;
      res.setHeader("allow", "GET, HEAD");
      res.end("method not allowed\n");
      return;
    }
    switch (url.pathname) {
      case "/healthz":
      case "/livez":
        probe(options.healthChecks ?? [], "healthz", url, res);
        return;
      case "/readyz":
        probe([...(options.healthChecks ?? []), ...(options.readyChecks ?? [])], "readyz", url, res);
        return;
      case "/metrics": {
        const body = await options.registry.metrics();
        res.statusCode = 200;
        res.setHeader("content-type", options.registry.contentType);
        res.end(body);
        return;
      }
      default:
        res.statusCode = 404;
        res.end(`no such endpoint: ${url.pathname}; try /healthz, /readyz or /metrics\n`);
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(`internal error: ${(error as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    host,
    port: bound,
    url: `http://${urlHost}:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
