// The extender's HTTP face: POST /filter and /prioritize for kube-scheduler, GET /healthz, /readyz and /metrics.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { BadRequestError, parseExtenderArgs } from "./extender-args.js";
import type { ExtenderMetrics, Verb } from "./extender-metrics.js";
import type { PlacementExtender } from "./placement-extender.js";

export interface HttpServerOptions {
  /** Larger bodies are refused with 400 before they are read. */
  maxBodyBytes: number;
  /** False until the informers have listed: verbs answer 503 so kube-scheduler retries. */
  ready: () => boolean;
  /** Called with every verb's duration, and the part of it spent receiving the body, in seconds (for benchmarks). */
  onTimed?: (verb: Verb, seconds: number, bodySeconds: number) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

const VERBS: ReadonlyMap<string, Verb> = new Map([
  ["/filter", "filter"],
  ["/prioritize", "prioritize"],
]);

class PayloadTooLargeError extends BadRequestError {}

export function createExtenderHttpServer(
  extender: PlacementExtender,
  metrics: ExtenderMetrics,
  log: Logger,
  options: HttpServerOptions,
): Server {
  const timers = new Map(
    [...VERBS.values()].map((verb) => [verb, metrics.duration.labels({ verb })] as const),
  );
  // Nagle off: an answer is one write and waits for nothing.
  const server = createServer({ noDelay: true }, (req, res) => {
    const timing = { started: performance.now(), bodyRead: NaN };
    const path = (req.url ?? "/").split("?", 1)[0]!;
    const verb = VERBS.get(path);
    if (verb !== undefined) {
      res.once("finish", () => {
        const now = performance.now();
        const seconds = (now - timing.started) / 1000;
        metrics.requests.inc({ verb, code: String(res.statusCode) });
        timers.get(verb)!.observe(seconds);
        options.onTimed?.(verb, seconds, ((timing.bodyRead || now) - timing.started) / 1000);
      });
    }
    const reply = verb === undefined ? answerOther(req, path) : answerVerb(req, verb, path, timing);
    reply.then(
      (answer) => {
        write(res, answer);
      },
      (error: unknown) => {
        // Nothing a request carries may take the process down; answer what can still be answered.
        log.error({ err: error, path }, "request failed");
        if (!res.headersSent) write(res, json(500, { Error: "internal error in the scheduler extender" }));
        else res.destroy();
      },
    );
  });
  server.on("connection", () => metrics.connections.inc());
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  // Outlive the client's idle timeout (Go's transports: 90 s) so the client closes idle connections: a POST sent
  // on a connection the server is just closing fails, and kube-scheduler does not retry it.
  server.keepAliveTimeout = 120_000;

  async function answerVerb(
    req: IncomingMessage,
    verb: Verb,
    path: string,
    timing: { bodyRead: number },
  ): Promise<Reply> {
    if (req.method !== "POST") {
      req.resume();
      return json(405, { Error: `${path} takes POST` }, { allow: "POST" });
    }
    if (!options.ready()) {
      req.resume();
      return json(503, { Error: "the scheduler extender's informers have not synced yet" });
    }
    let body: string;
    try {
      body = await readBody(req, options.maxBodyBytes);
      timing.bodyRead = performance.now();
    } catch (error) {
      if (error instanceof PayloadTooLargeError)
        return json(400, { Error: error.message }, { connection: "close" });
      throw error;
    }
    try {
      const args = parseExtenderArgs(body);
      return jsonText(
        200,
        verb === "filter" ? JSON.stringify(await extender.filter(args)) : extender.prioritizeJson(args),
      );
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      log.debug({ verb, problem: error.message }, "bad request");
      return json(400, { Error: error.message });
    }
  }

  async function answerOther(req: IncomingMessage, path: string): Promise<Reply> {
    req.resume();
    if (req.method !== "GET" && req.method !== "HEAD") return json(405, { Error: `${path} takes GET` });
    switch (path) {
      case "/healthz":
        return text(200, "ok\n");
      case "/readyz":
        return options.ready() ? text(200, "ok\n") : text(503, "informers not synced\n");
      case "/metrics":
        return text(200, await metrics.registry.metrics(), metrics.registry.contentType);
      default:
        return json(404, { Error: `no route ${path}: use POST /filter or /prioritize` });
    }
  }

  return server;
}

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string>;
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return jsonText(status, JSON.stringify(value), headers);
}

function jsonText(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, body, headers: { "content-type": "application/json", ...headers } };
}

function text(status: number, body: string, contentType = "text/plain; charset=utf-8"): Reply {
  return { status, body, headers: { "content-type": contentType } };
}

function write(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { "content-length": Buffer.byteLength(reply.body), ...reply.headers });
  res.end(reply.body);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBytes) {
    req.resume();
    return Promise.reject(
      new PayloadTooLargeError(`request body of ${declared} bytes exceeds the ${maxBytes}-byte limit`),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBytes) {
        refused = true;
        chunks.length = 0;
        reject(new PayloadTooLargeError(`request body exceeds the ${maxBytes}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!refused) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}
