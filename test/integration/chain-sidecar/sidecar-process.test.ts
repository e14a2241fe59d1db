import { expect } from "chai";
import { connect } from "node:net";
import { existsSync, writeFileSync } from "node:fs";
import type { ResponseEcho } from "cosmjs-types/tendermint/abci/types";
import { stringify } from "smol-toml";
import { join } from "node:path";
import { homePaths, initCometHome } from "../../../chain-sidecar/node/cometbft-home.js";
import {
  configPath,
  configureCometHome,
  readCometConfig,
  type AbciTransport,
} from "../../../chain-sidecar/node/cometbft-config.js";
import { encodeFrame } from "../../../chain-sidecar/abci/frame-codec.js";
import type { SidecarLauncher } from "../../../chain-sidecar/testnet/testnet-node.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import { run } from "../../../process/run-command.js";
import { startProcess, type ManagedProcess } from "../../../process/managed-process.js";
import { waitFor } from "../../../process/wait-for.js";
import { kvstoreSidecarLauncher } from "../../support/kvstore-sidecar.js";
import { abciGrpcCall, abciGrpcClient } from "../../support/abci-grpc-client.js";
import { scratchDirectory } from "../../support/scratch-directory.js";

/** Rewrites only the home's `abci` setting, as an operator editing config.toml would. */
function setAbciTransport(home: string, transport: AbciTransport): void {
  writeFileSync(configPath(home), stringify({ ...readCometConfig(home), abci: transport }) + "\n");
}

/** Starts `launcher`'s sidecar for `home` and waits for its ABCI socket. */
async function startSidecar(
  launcher: SidecarLauncher,
  home: string,
): Promise<{ sidecar: ManagedProcess; socket: string }> {
  const launch = launcher(home);
  const sidecar = startProcess("sidecar", launch.command, launch.args, {
    logFile: join(home, "sidecar.log"),
  });
  const socket = homePaths(home).abciSocket;
  await waitFor(
    () => (sidecar.exited() ? Promise.reject(new Error(sidecar.logTail())) : existsSync(socket) || undefined),
    {
      timeoutMs: 60_000,
      description: "the sidecar's ABCI socket",
    },
  );
  return { sidecar, socket };
}

async function sendGarbageAndWaitForExit(
  launcher: SidecarLauncher,
  home: string,
): Promise<{ code: number | null; log: string }> {
  const { sidecar, socket } = await startSidecar(launcher, home);
  const exit = new Promise<number | null>((resolve) => sidecar.child.once("exit", (code) => resolve(code)));
  const client = connect(socket);
  client.on("error", () => undefined);
  await new Promise<void>((resolve) => client.once("connect", () => resolve()));
  client.write(encodeFrame(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x01)));
  const code = await Promise.race([
    exit,
    new Promise<"hang">((resolve) => setTimeout(() => resolve("hang"), 20_000).unref()),
  ]);
  client.destroy();
  if (code === "hang") {
    await sidecar.stop();
    throw new Error(`the sidecar did not exit after a protocol error:\n${sidecar.logTail()}`);
  }
  return { code, log: sidecar.logTail(50) };
}

describe("a sidecar process given bytes that are not ABCI", function () {
  this.timeout(120_000);
  const scratch = scratchDirectory("uranus-sidecar-", "each test");

  it("logs why and exits with a non-zero code (transport with the test app)", async () => {
    const home = scratch.path;
    await initCometHome(home);
    configureCometHome(home, { proxyApp: `unix://${homePaths(home).abciSocket}`, abciTransport: "socket" });
    const { code, log } = await sendGarbageAndWaitForExit(kvstoreSidecarLauncher, home);
    expect(code).to.equal(1);
    expect(log).to.match(/invalid ABCI request \(6 bytes\)/);
    expect(log).to.match(/sidecar exits after a fatal error/);
  });

  it("logs why and exits with a non-zero code (`chain start` with the Uranus app)", async () => {
    const home = scratch.path;
    const init = await run(process.execPath, [
      join(process.cwd(), "cli/uranus.js"),
      "chain",
      "init",
      "--home",
      home,
    ]);
    expect(init.code, init.stderr).to.equal(0);
    // What the README says `chain init` writes: p2p, RPC and Prometheus on loopback only.
    const config = readCometConfig(home) as Record<string, Record<string, unknown>>;
    expect(config.rpc!.laddr).to.match(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(config.p2p!.laddr).to.match(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(config.instrumentation!.prometheus).to.equal(true);
    expect(config.instrumentation!.prometheus_listen_addr).to.match(/^127\.0\.0\.1:\d+$/);
    expect(config.abci).to.equal("grpc");
    expect(config.p2p!.flush_throttle_timeout).to.equal("10ms");
    // A home set to CometBFT's socket protocol is served with it.
    setAbciTransport(home, "socket");
    const { code, log } = await sendGarbageAndWaitForExit(uranusSidecarLauncher, home);
    expect(code).to.equal(1);
    expect(log).to.match(/invalid ABCI request/);
  });
});

describe("a sidecar process serving ABCI over gRPC", function () {
  this.timeout(120_000);
  const scratch = scratchDirectory("uranus-sidecar-grpc-", "each test");

  it("shrugs off bytes that are not HTTP/2 and goes on answering gRPC calls", async () => {
    const home = scratch.path;
    await initCometHome(home);
    configureCometHome(home, { proxyApp: `unix://${homePaths(home).abciSocket}` });
    const { sidecar, socket } = await startSidecar(kvstoreSidecarLauncher, home);
    const client = abciGrpcClient(`unix://${socket}`);
    try {
      const garbage = connect(socket);
      garbage.on("error", () => undefined);
      // Read what the server answers (its GOAWAY), so its end of the stream, and the close, reach us.
      garbage.resume();
      let closed = false;
      garbage.once("close", () => (closed = true));
      // Longer than HTTP/2's 24-byte connection preface, so the server has all it needs to refuse it.
      garbage.write(Buffer.alloc(64, 0xff));
      await waitFor(() => closed || undefined, {
        timeoutMs: 10_000,
        description: "the server closing the connection that sent garbage",
      });
      const echo = await abciGrpcCall<ResponseEcho>(client, "Echo", { message: "still here" });
      expect(echo.message).to.equal("still here");
      expect(sidecar.exited()).to.equal(false);
    } finally {
      client.close();
      await sidecar.stop();
    }
  });
});
