// The transport and p2p settings configureCometHome writes, and how the sidecar reads the transport back.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parse } from "smol-toml";
import {
  abciTransport,
  configureCometHome,
  P2P_FLUSH_THROTTLE_MS,
} from "../../../../chain-sidecar/node/cometbft-config.js";
import { scratchDirectory } from "../../../support/scratch-directory.js";

// The sections of `cometbft init`'s config.toml that configureCometHome edits, with CometBFT's defaults.
const CONFIG_TOML = `proxy_app = "tcp://127.0.0.1:26658"
abci = "socket"
[rpc]
laddr = "tcp://127.0.0.1:26657"
[p2p]
laddr = "tcp://0.0.0.0:26656"
flush_throttle_timeout = "100ms"
[consensus]
[mempool]
[instrumentation]
prometheus = false
`;

describe("CometBFT home configuration", () => {
  const scratch = scratchDirectory("uranus-comet-config-", "each test");

  function home(toml = CONFIG_TOML): string {
    mkdirSync(join(scratch.path, "config"), { recursive: true });
    writeFileSync(join(scratch.path, "config", "config.toml"), toml);
    return scratch.path;
  }

  const written = (dir: string): Record<string, unknown> =>
    parse(readFileSync(join(dir, "config", "config.toml"), "utf8"));

  it("serves ABCI over gRPC unless told otherwise, and the sidecar reads the same transport back", () => {
    const dir = home();
    configureCometHome(dir, {});
    expect(written(dir).abci).to.equal("grpc");
    expect(abciTransport(dir)).to.equal("grpc");
    configureCometHome(dir, { abciTransport: "socket" });
    expect(abciTransport(dir)).to.equal("socket");
  });

  it("flushes peer messages every 10 ms instead of CometBFT's 100 ms", () => {
    const dir = home();
    configureCometHome(dir, {});
    expect(P2P_FLUSH_THROTTLE_MS).to.equal(10);
    expect((written(dir).p2p as Record<string, unknown>).flush_throttle_timeout).to.equal("10ms");
  });

  it("refuses a transport the sidecar does not serve, naming the setting and the file", () => {
    const dir = home(CONFIG_TOML.replace('abci = "socket"', 'abci = "builtin"'));
    expect(() => abciTransport(dir)).to.throw(
      /config\.toml has abci = "builtin"; the sidecar serves "socket" or "grpc"/,
    );
  });
});
