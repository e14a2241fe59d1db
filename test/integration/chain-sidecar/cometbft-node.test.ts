import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { AbciGrpcServer } from "../../../chain-sidecar/abci/grpc-server.js";
import { AbciSocketServer } from "../../../chain-sidecar/abci/socket-server.js";
import { cometbftBinary, homePaths, initCometHome } from "../../../chain-sidecar/node/cometbft-home.js";
import { configureCometHome, type AbciTransport } from "../../../chain-sidecar/node/cometbft-config.js";
import { startProcess, type ManagedProcess } from "../../../process/managed-process.js";
import { freePorts } from "../../../process/free-port.js";
import { waitFor } from "../../../process/wait-for.js";
import { KvstoreApp } from "../../support/kvstore-app.js";
import { cometClientContract } from "./comet-client-contract.js";

for (const transport of ["socket", "grpc"] as const satisfies readonly AbciTransport[])
  describeNode(transport);

function describeNode(transport: AbciTransport): void {
  describe(`a real CometBFT v0.38 node driving the app through the ABCI ${transport} server`, function () {
    this.timeout(60_000);
    let home: string;
    let app: KvstoreApp;
    let server: AbciSocketServer | AbciGrpcServer;
    let node: ManagedProcess;
    let rpcUrl = "";
    const fatal: Error[] = [];

    before(async () => {
      home = mkdtempSync(join(tmpdir(), "uranus-cometbft-"));
      await initCometHome(home);
      const [rpcPort, p2pPort] = await freePorts(2);
      configureCometHome(home, {
        moniker: "transport-test",
        proxyApp: `unix://${homePaths(home).abciSocket}`,
        abciTransport: transport,
        rpcPort,
        p2pPort,
        timeoutCommitMs: 200,
        roundTimeoutMs: 1000,
        logLevel: "error",
      });
      app = new KvstoreApp();
      const serverOptions = { app, logger: pino({ level: "silent" }), onFatal: (e: Error) => fatal.push(e) };
      server = transport === "grpc" ? new AbciGrpcServer(serverOptions) : new AbciSocketServer(serverOptions);
      await server.listen(`unix://${homePaths(home).abciSocket}`);
      node = startProcess("cometbft", cometbftBinary(), ["start", "--home", home], {
        logFile: join(home, "cometbft.log"),
      });
      rpcUrl = `http://127.0.0.1:${rpcPort}`;
      const client = await Comet38Client.connect(rpcUrl);
      try {
        await waitFor(
          async () => {
            if (node.exited()) throw new Error(`cometbft exited:\n${node.logTail()}`);
            return (await client.status()).syncInfo.latestBlockHeight >= 1 || undefined;
          },
          { timeoutMs: 30_000, intervalMs: 200, description: "the first CometBFT block" },
        );
      } finally {
        client.disconnect();
      }
    });

    after(async () => {
      await node.stop();
      await server.close();
      rmSync(home, { recursive: true, force: true });
    });

    cometClientContract(() => ({ rpcUrl }));

    it("served every kind of call, one at a time, without a fault", () => {
      // CometBFT opens four ABCI connections (consensus, mempool, query, snapshot); over gRPC they are one server's calls.
      if (server instanceof AbciSocketServer) expect(server.openConnections).to.equal(4);
      expect(app.calls).to.include.members([
        "info",
        "initChain",
        "checkTx",
        "finalizeBlock",
        "commit",
        "query",
      ]);
      expect(app.maxConcurrentCalls).to.equal(1);
      expect(fatal).to.deep.equal([]);
    });
  });
}
