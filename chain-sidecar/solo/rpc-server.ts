// CometBFT-compatible JSON-RPC over HTTP (POST body or GET /method?params), a websocket at /websocket, and
// CometBFT's consensus metrics at /metrics.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import type { StoredBlock } from "./block-store.js";
import type { Json } from "./cometbft-json.js";
import { EventQuery } from "./event-query.js";
import { blockEvents, type PublishedEvent } from "./rpc-events.js";
import { createRpcMethods, type RpcMethod } from "./rpc-methods.js";
import { SoloMetrics } from "./solo-metrics.js";
import { paramsFromJson, paramsFromUri, RpcError } from "./rpc-params.js";
import type { SoloProducer } from "./solo-producer.js";

const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** CometBFT's rpc.max_subscriptions_per_client default. */
const MAX_SUBSCRIPTIONS_PER_CLIENT = 5;

type JsonRpcId = string | number | null;

interface JsonRpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

interface Subscription {
  id: JsonRpcId;
  query: EventQuery;
}

export interface SoloRpcServerOptions {
  producer: SoloProducer;
  logger: Logger;
  moniker?: string;
  broadcastCommitTimeoutMs?: number;
}

export class SoloRpcServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly methods: Record<string, RpcMethod>;
  private readonly subscriptions = new Map<WebSocket, Map<string, Subscription>>();
  private readonly unsubscribeBlocks: () => void;
  private readonly metrics = new SoloMetrics();
  private address = "";

  constructor(private readonly options: SoloRpcServerOptions) {
    this.methods = createRpcMethods({
      producer: options.producer,
      rpcAddress: () => this.address,
      moniker: options.moniker ?? "uranus-solo",
      broadcastCommitTimeoutMs: options.broadcastCommitTimeoutMs,
    });
    this.http = createServer((req, res) => {
      void this.handleHttp(req, res);
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
    this.http.on("upgrade", (req, socket, head) => {
      if (new URL(req.url ?? "/", "http://localhost").pathname !== "/websocket") {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.acceptWebsocket(ws);
      });
    });
    this.unsubscribeBlocks = options.producer.onBlock((block) => {
      this.metrics.observe(block);
      this.publish(block);
    });
  }

  /** Listens on 127.0.0.1 (port 0 picks a free one); returns the tcp:// address. */
  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(port, host, () => {
        this.http.off("error", reject);
        resolve();
      });
    });
    const info = this.http.address() as AddressInfo;
    this.address = `tcp://${host}:${info.port}`;
    this.options.logger.info({ address: this.address }, "solo RPC listening");
    return this.address;
  }

  /** Live event subscriptions over all websocket clients. */
  get subscriptionCount(): number {
    let count = 0;
    for (const subs of this.subscriptions.values()) count += subs.size;
    return count;
  }

  /** http://host:port, for clients. */
  get url(): string {
    return this.address.replace(/^tcp:/, "http:");
  }

  async close(): Promise<void> {
    this.unsubscribeBlocks();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: Json): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === "POST") {
        const body = await readBody(req);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch (error) {
          send(200, errorResponse(null, new RpcError(-32700, "Parse error", (error as Error).message)));
          return;
        }
        if (Array.isArray(parsed)) {
          // One call after another, as CometBFT answers a batch: a signer's txs reach CheckTx in nonce order.
          const answers: Json[] = [];
          for (const request of parsed) answers.push(await this.callJson(request as JsonRpcRequest, false));
          // CometBFT answers a batch of one with the bare response too.
          send(200, answers.length === 1 ? answers[0]! : answers);
        } else {
          send(200, await this.callJson(parsed as JsonRpcRequest, false));
        }
        return;
      }
      if (req.method === "GET") {
        const url = new URL(req.url ?? "/", "http://localhost");
        if (url.pathname === "/metrics") {
          res.writeHead(200, { "content-type": this.metrics.registry.contentType });
          res.end(await this.metrics.registry.metrics());
          return;
        }
        const name = url.pathname.slice(1);
        const method = this.methods[name];
        if (method === undefined) {
          send(404, errorResponse(-1, new RpcError(-32601, "Method not found")));
          return;
        }
        try {
          send(200, {
            jsonrpc: "2.0",
            id: -1,
            result: await method.call(paramsFromUri(method.params, url.searchParams)),
          });
        } catch (error) {
          send(200, errorResponse(-1, asRpcError(error)));
        }
        return;
      }
      send(
        405,
        errorResponse(null, new RpcError(-32600, "Invalid Request", `HTTP method ${req.method ?? ""}`)),
      );
    } catch (error) {
      this.options.logger.warn({ err: error }, "RPC request failed");
      if (!res.headersSent) send(500, errorResponse(null, asRpcError(error)));
    }
  }

  private async callJson(request: JsonRpcRequest, overWebsocket: boolean, ws?: WebSocket): Promise<Json> {
    const id = validId(request.id);
    if (typeof request.method !== "string" || request.jsonrpc !== "2.0") {
      return errorResponse(
        id,
        new RpcError(-32600, "Invalid Request", 'jsonrpc must be "2.0" and method a string'),
      );
    }
    try {
      if (overWebsocket && ws !== undefined) {
        const result = this.callSubscriptionMethod(request.method, request.params, id, ws);
        if (result !== undefined) return { jsonrpc: "2.0", id, result };
      }
      const method = this.methods[request.method];
      if (method === undefined) return errorResponse(id, new RpcError(-32601, "Method not found"));
      return { jsonrpc: "2.0", id, result: await method.call(paramsFromJson(method.params, request.params)) };
    } catch (error) {
      return errorResponse(id, asRpcError(error));
    }
  }

  /** subscribe / unsubscribe / unsubscribe_all; undefined for any other method. */
  private callSubscriptionMethod(
    method: string,
    params: unknown,
    id: JsonRpcId,
    ws: WebSocket,
  ): Json | undefined {
    const mine = this.subscriptions.get(ws)!;
    const queryText = (): string => {
      const args = paramsFromJson([["query", "string"]], params);
      if (typeof args.query !== "string") throw RpcError.invalidParams("param query is required");
      return args.query;
    };
    switch (method) {
      case "subscribe": {
        const text = queryText();
        let query: EventQuery;
        try {
          query = EventQuery.parse(text);
        } catch (error) {
          throw RpcError.internal(`failed to parse query: ${(error as Error).message}`);
        }
        if (mine.has(text)) throw RpcError.internal("already subscribed");
        if (mine.size >= MAX_SUBSCRIPTIONS_PER_CLIENT) {
          throw RpcError.internal(`max_subscriptions_per_client ${MAX_SUBSCRIPTIONS_PER_CLIENT} reached`);
        }
        mine.set(text, { id, query });
        return {};
      }
      case "unsubscribe": {
        if (!mine.delete(queryText())) throw RpcError.internal("subscription not found");
        return {};
      }
      case "unsubscribe_all":
        mine.clear();
        return {};
      default:
        return undefined;
    }
  }

  private acceptWebsocket(ws: WebSocket): void {
    this.subscriptions.set(ws, new Map());
    ws.on("message", (data: Buffer) => {
      void (async () => {
        let request: JsonRpcRequest;
        try {
          request = JSON.parse(data.toString("utf8")) as JsonRpcRequest;
        } catch (error) {
          ws.send(
            JSON.stringify(
              errorResponse(null, new RpcError(-32700, "Parse error", (error as Error).message)),
            ),
          );
          return;
        }
        const response = await this.callJson(request, true, ws);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
      })();
    });
    ws.on("close", () => this.subscriptions.delete(ws));
    ws.on("error", (error) => {
      this.options.logger.debug({ err: error }, "websocket client error");
    });
  }

  private publish(block: StoredBlock): void {
    let events: PublishedEvent[] | undefined;
    for (const [ws, subs] of this.subscriptions) {
      if (subs.size === 0 || ws.readyState !== ws.OPEN) continue;
      events ??= blockEvents(block);
      for (const [text, sub] of subs) {
        for (const event of events) {
          if (!sub.query.matches(event.events)) continue;
          ws.send(
            JSON.stringify({
              jsonrpc: "2.0",
              id: sub.id,
              result: { query: text, data: event.data, events: event.events },
            }),
          );
        }
      }
    }
  }
}

function validId(id: unknown): JsonRpcId {
  return typeof id === "string" || typeof id === "number" ? id : null;
}

function asRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  return RpcError.internal(error instanceof Error ? error.message : String(error));
}

function errorResponse(id: JsonRpcId, error: RpcError): Json {
  const body: { code: number; message: string; data?: string } = { code: error.code, message: error.message };
  if (error.data !== undefined) body.data = error.data;
  return { jsonrpc: "2.0", id, error: body };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new RpcError(-32600, "Invalid Request", `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
