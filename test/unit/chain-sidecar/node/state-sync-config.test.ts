// A home that joins by state sync: its [statesync] section, and where the trusted block comes from.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parse } from "smol-toml";
import { configureCometHome } from "../../../../chain-sidecar/node/cometbft-config.js";
import { parseRpcServers, stateSyncSettings } from "../../../../chain-sidecar/node/network-join.js";
import { scratchDirectory } from "../../../support/scratch-directory.js";

// The sections of `cometbft init`'s config.toml that configureCometHome edits, [statesync] as CometBFT writes it.
const CONFIG_TOML = `proxy_app = "tcp://127.0.0.1:26658"
[rpc]
laddr = "tcp://127.0.0.1:26657"
[p2p]
laddr = "tcp://0.0.0.0:26656"
[consensus]
[mempool]
[instrumentation]
prometheus = false
[statesync]
enable = false
rpc_servers = ""
trust_height = 0
trust_hash = ""
trust_period = "168h0m0s"
discovery_time = "15s"
chunk_request_timeout = "10s"
`;
const HASH = "AB".repeat(32);

/** A CometBFT RPC stand-in at height 42 whose block 42 has hash HASH, counting the requests it answers. */
async function fakeRpc(): Promise<{ url: string; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? "");
    const result = request.url?.startsWith("/status")
      ? { sync_info: { latest_block_height: "42" } }
      : request.url === "/block?height=42"
        ? { block_id: { hash: HASH } }
        : undefined;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(result ? { result } : { error: { data: "not found" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}

describe("chain-sidecar node: joining by state sync", () => {
  const scratch = scratchDirectory("uranus-state-sync-", "each test");

  function home(): string {
    const dir = join(scratch.path, "home");
    mkdirSync(join(dir, "config"), { recursive: true });
    writeFileSync(join(dir, "config", "config.toml"), CONFIG_TOML);
    return dir;
  }

  const stateSyncSection = (dir: string): Record<string, unknown> =>
    parse(readFileSync(join(dir, "config", "config.toml"), "utf8")).statesync as Record<string, unknown>;

  it("writes the [statesync] section CometBFT validates: two servers, trust, and timeouts of at least 5 s", () => {
    const dir = home();
    configureCometHome(dir, {
      stateSync: {
        rpcServers: ["http://a:26657", "http://b:26657"],
        trustHeight: 42,
        trustHash: HASH.toLowerCase(),
        discoveryTimeMs: 1000,
      },
    });
    expect(stateSyncSection(dir)).to.deep.include({
      enable: true,
      rpc_servers: "http://a:26657,http://b:26657",
      trust_height: 42,
      trust_hash: HASH,
      trust_period: "168h0m0s",
      discovery_time: "5000ms",
      chunk_request_timeout: "10000ms",
    });
  });

  it("refuses one RPC server, a trust height below 1 and a trust hash that is not 32 bytes of hex", () => {
    const dir = home();
    const settings = { rpcServers: ["http://a:1", "http://b:1"], trustHeight: 1, trustHash: HASH };
    expect(() =>
      configureCometHome(dir, { stateSync: { ...settings, rpcServers: ["http://a:1"] } }),
    ).to.throw(/two RPC servers/);
    expect(() => configureCometHome(dir, { stateSync: { ...settings, trustHeight: 0 } })).to.throw(
      /trust height/,
    );
    expect(() => configureCometHome(dir, { stateSync: { ...settings, trustHash: "abc" } })).to.throw(
      /trust hash/,
    );
    expect(stateSyncSection(dir).enable).to.equal(false);
  });

  it("parses --state-sync as two or more http(s) RPC URLs", () => {
    expect(parseRpcServers("http://10.0.0.1:26657, https://rpc.example:443/")).to.deep.equal([
      "http://10.0.0.1:26657",
      "https://rpc.example:443/",
    ]);
    expect(parseRpcServers("http://a:1,http://a:1")).to.have.length(2);
    expect(() => parseRpcServers("http://a:1")).to.throw(/two RPC servers/);
    expect(() => parseRpcServers("a:1,b:2")).to.throw(/not an http/);
  });

  it("trusts the first server's latest block once, and keeps that trust on later runs without asking again", async () => {
    const rpc = await fakeRpc();
    try {
      const dir = home();
      const first = await stateSyncSettings(dir, [rpc.url, rpc.url]);
      expect(first).to.deep.equal({ rpcServers: [rpc.url, rpc.url], trustHeight: 42, trustHash: HASH });
      configureCometHome(dir, { stateSync: first });
      const asked = rpc.requests.length;
      expect(asked).to.equal(2);
      const again = await stateSyncSettings(dir, ["http://127.0.0.1:1", "http://127.0.0.1:2"]);
      expect(again).to.include({ trustHeight: 42, trustHash: HASH });
      expect(rpc.requests).to.have.length(asked);
    } finally {
      rpc.server.close();
    }
  });
});
