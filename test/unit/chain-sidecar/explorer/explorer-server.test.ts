import { readdirSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { expect } from "chai";
import { pino } from "pino";
import WebSocket from "ws";
import { ExplorerServer } from "../../../../chain-sidecar/explorer/explorer-server.js";
import { STATIC_DIR } from "../../../../chain-sidecar/explorer/static-assets.js";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { signTx } from "../../../../chain-sidecar/tx/signing.js";
import { waitFor } from "../../../../process/wait-for.js";
import { CHAIN_ID, testWallet } from "../app-harness.js";
import { startSoloChain, type SoloChain } from "../solo-chain.js";

const silent = pino({ level: "silent" });

/** A raw request, so paths reach the server exactly as written (fetch would normalise `..`). */
function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

async function rpcPost(base: string, body: unknown): Promise<Response> {
  return fetch(new URL("/rpc", base), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("explorer server: static page and the node's RPC under one origin", function () {
  this.timeout(30_000);
  let chain: SoloChain;
  let explorer: ExplorerServer;
  let base = "";

  before(async () => {
    chain = await startSoloChain(
      { accounts: [{ address: testWallet("explorer-unit").address.toLowerCase(), balance: 1_000_000n }] },
      testWallet("explorer-unit-validator").address.toLowerCase(),
    );
    explorer = new ExplorerServer({ rpcUrl: chain.rpcUrl, logger: silent });
    base = await explorer.listen(0);
  });

  after(async () => {
    await explorer.close();
    await chain.stop();
  });

  describe("static files", () => {
    it("serves the page with its content type, security headers and a validator for revalidation", async () => {
      const page = await fetch(base);
      expect(page.status).to.equal(200);
      expect(page.headers.get("content-type")).to.equal("text/html; charset=utf-8");
      expect(page.headers.get("cache-control")).to.equal("no-cache");
      expect(page.headers.get("x-content-type-options")).to.equal("nosniff");
      expect(page.headers.get("content-security-policy")).to.contain("default-src 'self'");
      expect(await page.text()).to.equal(readFileSync(join(STATIC_DIR, "index.html"), "utf8"));
      const etag = page.headers.get("etag")!;
      expect(etag).to.match(/^"[A-Za-z0-9_-]{27}"$/);

      const again = await fetch(base, { headers: { "if-none-match": etag } });
      expect(again.status).to.equal(304);
      expect(await again.text()).to.equal("");
      const changed = await fetch(base, { headers: { "if-none-match": '"something-else"' } });
      expect(changed.status).to.equal(200);
    });

    it("gives scripts, styles, images and the catalog their types, and HEAD the same headers without a body", async () => {
      const expectations: [string, string][] = [
        ["/explorer.js", "text/javascript; charset=utf-8"],
        ["/explorer.css", "text/css; charset=utf-8"],
        ["/favicon.svg", "image/svg+xml"],
        ["/catalog.json", "application/json; charset=utf-8"],
        ["/vendor/ethers.min.js", "text/javascript; charset=utf-8"],
      ];
      for (const [path, type] of expectations) {
        const response = await fetch(new URL(path, base));
        expect(response.status, path).to.equal(200);
        expect(response.headers.get("content-type"), path).to.equal(type);
      }
      const vendor = await fetch(new URL("/vendor/ethers.min.js", base));
      expect(vendor.headers.get("cache-control")).to.equal("public, max-age=86400");
      expect(await vendor.text()).to.match(/export\s*\{/);

      const head = await rawRequest(base, { method: "HEAD", path: "/explorer.css" });
      expect(head.status).to.equal(200);
      expect(Number(head.headers["content-length"])).to.equal(
        readFileSync(join(STATIC_DIR, "explorer.css")).length,
      );
      expect(head.body).to.equal("");
    });

    it("serves every file the page and its modules refer to", async () => {
      const references = new Set<string>();
      const html = readFileSync(join(STATIC_DIR, "index.html"), "utf8");
      for (const match of html.matchAll(/(?:src|href)="([^"#]+)"/g)) references.add(match[1]!);
      for (const name of readdirSync(STATIC_DIR).filter((n) => n.endsWith(".js"))) {
        const source = readFileSync(join(STATIC_DIR, name), "utf8");
        for (const match of source.matchAll(/from "\.\/([^"]+)"/g)) references.add(match[1]!);
      }
      expect(references).to.include("explorer.js").and.to.include("vendor/ethers.min.js");
      for (const reference of references) {
        const response = await fetch(new URL(reference, base));
        expect(response.status, reference).to.equal(200);
      }
    });

    it("describes the chain's message types and result codes for decoding", async () => {
      const catalog = (await (await fetch(new URL("/catalog.json", base))).json()) as {
        messages: { typeId: number; primaryType: string; types: Record<string, { name: string }[]> }[];
        resultCodes: Record<string, string>;
      };
      const register = catalog.messages.find((m) => m.primaryType === "RegisterNode")!;
      expect(register.typeId).to.equal(32);
      expect(register.types.RegisterNode!.at(-1)!.name).to.equal("nonce");
      expect(catalog.resultCodes["0"]).to.equal("OK");
      expect(catalog.resultCodes["19"]).to.equal("DOUBLE_BILLED");
    });

    it("answers 404 for any other path, including attempts to leave the asset folder", async () => {
      for (const path of [
        "/nope",
        "/../package.json",
        "/%2e%2e/package.json",
        "/static/index.html",
        "/explorer-server.ts",
        "/vendor/ethers.js",
        "//etc/passwd",
      ]) {
        const response = await rawRequest(base, { path });
        expect(response.status, path).to.equal(404);
        expect(response.headers["content-type"], path).to.equal("text/plain; charset=utf-8");
      }
      const named = await rawRequest(base, { path: "/nope" });
      expect(named.body).to.equal("no such page: /nope\n");
    });

    it("refuses other methods on pages with 405 and an Allow header, and over-long URLs with 414", async () => {
      const post = await rawRequest(base, { method: "POST", path: "/", body: "x" });
      expect(post.status).to.equal(405);
      expect(post.headers.allow).to.equal("GET, HEAD");
      const long = await rawRequest(base, { path: `/${"a".repeat(5000)}` });
      expect(long.status).to.equal(414);
    });
  });

  describe("RPC proxy", () => {
    it("passes JSON-RPC over POST and URI calls over GET to the node", async () => {
      const status = await rpcPost(base, { jsonrpc: "2.0", id: 7, method: "status", params: {} });
      expect(status.status).to.equal(200);
      expect(status.headers.get("cache-control")).to.equal("no-store");
      const body = (await status.json()) as { id: number; result: { node_info: { network: string } } };
      expect(body.id).to.equal(7);
      expect(body.result.node_info.network).to.equal(CHAIN_ID);

      const viaGet = (await (
        await fetch(new URL("/rpc/abci_query?path=%22/validators%22", base))
      ).json()) as {
        result: { response: { code: number; value: string } };
      };
      expect(viaGet.result.response.code).to.equal(0);
      const validators = JSON.parse(Buffer.from(viaGet.result.response.value, "base64").toString()) as {
        moniker: string;
      }[];
      expect(validators.map((v) => v.moniker)).to.deep.equal(["solo"]);
    });

    it("passes batches whose every method reads, and the node's own JSON-RPC errors", async () => {
      const batch = (await (
        await rpcPost(base, [
          { jsonrpc: "2.0", id: 1, method: "health", params: {} },
          { jsonrpc: "2.0", id: 2, method: "block", params: { height: "999999" } },
        ])
      ).json()) as { id: number; result?: unknown; error?: { data: string } }[];
      expect(batch.map((r) => r.id)).to.deep.equal([1, 2]);
      expect(batch[0]!.result).to.deep.equal({});
      expect(batch[1]!.error!.data).to.contain("must be less than or equal to the current blockchain height");
    });

    it("refuses methods that write or control the node with 403, naming the method", async () => {
      const single = await rpcPost(base, {
        jsonrpc: "2.0",
        id: 1,
        method: "broadcast_tx_sync",
        params: { tx: "AA==" },
      });
      expect(single.status).to.equal(403);
      expect(await single.text()).to.equal(
        '/rpc: method "broadcast_tx_sync" is not served by the explorer\n',
      );
      const hidden = await rpcPost(base, [
        { jsonrpc: "2.0", id: 1, method: "status" },
        { jsonrpc: "2.0", id: 2, method: "unsafe_flush_mempool" },
      ]);
      expect(hidden.status).to.equal(403);
      const viaGet = await fetch(new URL("/rpc/broadcast_tx_commit?tx=0x00", base));
      expect(viaGet.status).to.equal(403);
    });

    it("answers malformed requests with clear 4xx errors", async () => {
      const notJson = await fetch(new URL("/rpc", base), { method: "POST", body: "{oops" });
      expect(notJson.status).to.equal(400);
      expect(await notJson.text()).to.match(/^\/rpc: body is not JSON/);
      const noMethod = await rpcPost(base, { jsonrpc: "2.0", id: 1 });
      expect(noMethod.status).to.equal(400);
      expect(await noMethod.text()).to.contain("each request needs a string method");
      const empty = await rpcPost(base, []);
      expect(empty.status).to.equal(400);

      // Bodies past the limit, announced by their length or streamed in chunks.
      const postBlanks = (headers: Record<string, string>, kib: number) =>
        rawRequest(base, { method: "POST", path: "/rpc", headers, body: Buffer.alloc(kib * 1024, 0x20) });
      const huge = await postBlanks({ "content-type": "application/json" }, 200);
      expect(huge.status).to.equal(413);
      expect(huge.body).to.contain("65536-byte limit");
      const chunked = await postBlanks({ "transfer-encoding": "chunked" }, 100);
      expect(chunked.status).to.equal(413);

      const badPath = await rawRequest(base, { path: "/rpc/status/extra" });
      expect(badPath.status).to.equal(404);
      const put = await rawRequest(base, { method: "PUT", path: "/rpc", body: "{}" });
      expect(put.status).to.equal(405);
      expect(put.headers.allow).to.equal("GET, POST");
      const plainWebsocket = await rawRequest(base, { path: "/websocket" });
      expect(plainWebsocket.status).to.equal(426);
    });

    it("relays a NewBlock subscription over the websocket", async () => {
      const ws = new WebSocket(new URL("/websocket", base.replace("http:", "ws:")));
      const messages: { id?: unknown; result?: { data?: { type: string; value: { block: unknown } } } }[] =
        [];
      ws.on("message", (data: Buffer) =>
        messages.push(JSON.parse(data.toString()) as (typeof messages)[number]),
      );
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      ws.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: "s",
          method: "subscribe",
          params: { query: "tm.event='NewBlock'" },
        }),
      );
      await waitFor(() => messages.find((m) => m.id === "s"), {
        timeoutMs: 5_000,
        description: "the subscription",
      });
      // An idle chain makes no blocks: a transfer makes one.
      const transfer = await signTx(
        testWallet("explorer-unit"),
        CHAIN_ID,
        TransferMsg,
        { to: testWallet("explorer-unit-validator").address, amount: 1n },
        0,
      );
      expect((await chain.producer.submitTx(transfer)).response.code).to.equal(0);
      const event = await waitFor(
        () => messages.find((m) => m.result?.data?.type === "tendermint/event/NewBlock"),
        {
          timeoutMs: 5_000,
          description: "a NewBlock event through the explorer",
        },
      );
      expect(event.id).to.equal("s");
      expect(messages[0]).to.deep.include({ id: "s", result: {} });
      expect(explorer.websocketClients).to.equal(1);
      ws.close();
      await waitFor(() => explorer.websocketClients === 0 || undefined, {
        timeoutMs: 5_000,
        description: "the explorer to drop the closed websocket",
      });
    });

    it("closes a websocket that asks for a write method, with the policy-violation code", async () => {
      const ws = new WebSocket(new URL("/websocket", base.replace("http:", "ws:")));
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() }));
      });
      ws.send(
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "broadcast_tx_async", params: { tx: "AA==" } }),
      );
      expect(await closed).to.deep.equal({
        code: 1008,
        reason: "method broadcast_tx_async is not served by the explorer",
      });
    });

    it("refuses websocket upgrades on other paths", async () => {
      const ws = new WebSocket(new URL("/rpc", base.replace("http:", "ws:")));
      const status = await new Promise<number>((resolve) => {
        ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.once("error", () => resolve(-1));
      });
      expect(status).to.equal(404);
    });
  });

  it("answers 502 naming the node when its RPC is unreachable", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, "127.0.0.1", () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const orphan = new ExplorerServer({ rpcUrl: `tcp://127.0.0.1:${closedPort}`, logger: silent });
    const orphanBase = await orphan.listen(0);
    try {
      const response = await fetch(new URL("/rpc/status", orphanBase));
      expect(response.status).to.equal(502);
      expect(await response.text()).to.match(
        new RegExp(`^node RPC at 127\\.0\\.0\\.1:${closedPort} unreachable`),
      );
      const page = await fetch(orphanBase);
      expect(page.status).to.equal(200);
    } finally {
      await orphan.close();
    }
  });

  it("refuses an RPC address that is not http(s) or tcp", () => {
    expect(() => new ExplorerServer({ rpcUrl: "unix:///tmp/rpc.sock", logger: silent })).to.throw(
      'RPC address "unix:///tmp/rpc.sock" must be http(s):// or tcp://',
    );
  });
});
