// The explorer's HTTP server: the static page, and the node's RPC (read methods only) under the same origin.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { explorerCatalog } from "./explorer-catalog.js";
import { isReadMethod, requestedMethods } from "./read-only-rpc.js";
import { loadStaticAssets, STATIC_DIR, type StaticAsset } from "./static-assets.js";
import { WebsocketProxy } from "./websocket-proxy.js";

export interface ExplorerServerOptions {
  /** The node's CometBFT RPC (CometBFT itself or the solo producer): http://host:port. */
  rpcUrl: string;
  logger: Logger;
  /** Largest request body, and largest websocket message from a browser. */
  maxRequestBytes?: number;
  /** Largest websocket message from the node (a NewBlock event carries the whole block). */
  maxEventBytes?: number;
  upstreamTimeoutMs?: number;
  maxWebsocketClients?: number;
  assetsDir?: string;
}

const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
const DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024;
const MAX_URL_LENGTH = 4096;
const RPC_METHOD_IN_PATH = /^\/rpc\/([a-z_]{1,64})$/;
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class ExplorerServer {
  private readonly http: Server;
  private readonly assets: Map<string, StaticAsset>;
  private readonly websocket: WebsocketProxy;
  private readonly upstream: URL;
  private readonly maxRequestBytes: number;
  private address: AddressInfo | undefined;

  constructor(private readonly options: ExplorerServerOptions) {
    this.upstream = parseRpcUrl(options.rpcUrl);
    this.maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.assets = loadStaticAssets(options.assetsDir ?? STATIC_DIR, { "/catalog.json": explorerCatalog() });
    const wsUrl = new URL("/websocket", this.upstream);
    wsUrl.protocol = this.upstream.protocol === "https:" ? "wss:" : "ws:";
    this.websocket = new WebsocketProxy({
      upstreamUrl: wsUrl.href,
      logger: options.logger,
      maxMessageBytes: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
      maxClients: options.maxWebsocketClients ?? 64,
    });
    this.http = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.http.requestTimeout = 30_000;
    this.http.headersTimeout = 10_000;
    this.http.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
      if ((req.url ?? "").split("?")[0] !== "/websocket") {
        socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
        return;
      }
      this.websocket.handleUpgrade(req, socket, head);
    });
  }

  /** Listens (port 0 picks a free one); returns the page's URL. */
  async listen(port: number, host = "127.0.0.1"): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(port, host, () => {
        this.http.off("error", reject);
        resolve();
      });
    });
    this.address = this.http.address() as AddressInfo;
    this.options.logger.info({ url: this.url, rpc: this.upstream.href }, "explorer serving");
    return this.url;
  }

  get url(): string {
    if (this.address === undefined) throw new Error("the explorer is not listening");
    const host = this.address.family === "IPv6" ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}/`;
  }

  get websocketClients(): number {
    return this.websocket.clientCount;
  }

  async close(): Promise<void> {
    this.websocket.close();
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const rawUrl = req.url ?? "/";
      if (rawUrl.length > MAX_URL_LENGTH) throw new HttpError(414, `URL longer than ${MAX_URL_LENGTH} bytes`);
      const url = new URL(rawUrl, "http://explorer.invalid");
      if (url.pathname === "/rpc" || url.pathname.startsWith("/rpc/")) {
        await this.proxyRpc(req, res, url);
        return;
      }
      if (url.pathname === "/websocket") {
        throw new HttpError(426, "/websocket expects a websocket upgrade", { upgrade: "websocket" });
      }
      const asset = this.assets.get(url.pathname);
      if (asset === undefined) throw new HttpError(404, `no such page: ${url.pathname}`);
      if (req.method !== "GET" && req.method !== "HEAD") {
        throw new HttpError(405, `${req.method ?? ""} is not allowed on ${url.pathname}`, {
          allow: "GET, HEAD",
        });
      }
      this.sendAsset(req, res, asset);
    } catch (error) {
      const failure =
        error instanceof HttpError
          ? error
          : new HttpError(500, `explorer failed: ${(error as Error).message}`);
      if (failure.status >= 500) this.options.logger.warn({ err: error }, "explorer request failed");
      sendText(res, failure.status, failure.message, failure.headers);
    }
  }

  private sendAsset(req: IncomingMessage, res: ServerResponse, asset: StaticAsset): void {
    const headers = {
      ...SECURITY_HEADERS,
      "content-type": asset.contentType,
      "cache-control": asset.cacheControl,
      etag: asset.etag,
    };
    const known = req.headers["if-none-match"];
    if (known !== undefined && known.split(",").some((tag) => tag.trim() === asset.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, "content-length": String(asset.body.length) });
    res.end(req.method === "HEAD" ? undefined : asset.body);
  }

  private async proxyRpc(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === "POST" && url.pathname === "/rpc") {
      const body = await readBody(req, this.maxRequestBytes);
      const asked = requestedMethods(body);
      if ("error" in asked) throw new HttpError(400, `/rpc: ${asked.error}`);
      const refused = asked.methods.find((m) => !isReadMethod(m));
      if (refused !== undefined) {
        throw new HttpError(403, `/rpc: method ${JSON.stringify(refused)} is not served by the explorer`);
      }
      await this.forward(res, "POST", "/", body);
      return;
    }
    if (req.method === "GET" || req.method === "HEAD") {
      const match = RPC_METHOD_IN_PATH.exec(url.pathname);
      if (match === null) throw new HttpError(404, `no such RPC path: ${url.pathname} (use /rpc/<method>)`);
      const method = match[1]!;
      if (!isReadMethod(method))
        throw new HttpError(403, `/rpc: method "${method}" is not served by the explorer`);
      await this.forward(res, "GET", `/${method}${url.search}`, undefined);
      return;
    }
    throw new HttpError(405, `${req.method ?? ""} is not allowed on ${url.pathname}`, { allow: "GET, POST" });
  }

  private forward(
    res: ServerResponse,
    method: string,
    path: string,
    body: string | undefined,
  ): Promise<void> {
    const timeoutMs = this.options.upstreamTimeoutMs ?? 15_000;
    return new Promise<void>((resolve) => {
      const upstream = httpRequest(
        {
          protocol: this.upstream.protocol,
          hostname: this.upstream.hostname,
          port: this.upstream.port,
          method,
          path,
          timeout: timeoutMs,
          headers:
            body === undefined
              ? {}
              : { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, {
            "content-type": answer.headers["content-type"] ?? "application/json",
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
          });
          answer.pipe(res);
          answer.on("end", resolve);
          answer.on("error", () => {
            res.destroy();
            resolve();
          });
        },
      );
      upstream.on("timeout", () => {
        upstream.destroy(new HttpError(504, `the node's RPC did not answer within ${timeoutMs} ms`));
      });
      upstream.on("error", (error) => {
        if (!res.headersSent) {
          const status = error instanceof HttpError ? error.status : 502;
          sendText(res, status, `node RPC at ${this.upstream.host} unreachable: ${error.message}`);
        } else res.destroy();
        resolve();
      });
      upstream.end(body);
    });
  }
}

function parseRpcUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.replace(/^tcp:/, "http:"));
  } catch {
    throw new Error(`RPC address ${JSON.stringify(text)} is not a URL such as http://127.0.0.1:26657`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`RPC address ${JSON.stringify(text)} must be http(s):// or tcp://`);
  }
  // A node listening on every interface is reached on loopback from its own machine.
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
  if (url.hostname === "[::]") url.hostname = "[::1]";
  return url;
}

function sendText(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${message}\n`;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
  });
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = (what: string): HttpError =>
    new HttpError(413, `${what} is over the ${limit}-byte limit`, { connection: "close" });
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(`request body of ${declared} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped rather than the socket cut, so the 413 reaches the client.
      if (size <= limit) chunks.push(chunk);
      else if (size - chunk.length <= limit) reject(tooLarge("request body"));
    });
    req.on("end", () => {
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}
