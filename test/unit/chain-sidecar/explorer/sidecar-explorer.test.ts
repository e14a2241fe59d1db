import { createServer, type Server } from "node:net";
import { expect } from "chai";
import { pino } from "pino";
import {
  DEFAULT_EXPLORER_ADDRESS,
  DEFAULT_EXPLORER_PORT,
  parseExplorerAddress,
  withExplorer,
} from "../../../../chain-sidecar/explorer/sidecar-explorer.js";
import type { RunningSidecar } from "../../../../chain-sidecar/node/sidecar.js";
import { freePort } from "../../../../process/free-port.js";
import { CHAIN_ID, testWallet } from "../app-harness.js";
import { startSoloChain, type SoloChain } from "../solo-chain.js";

const silent = pino({ level: "silent" });

/** Holds a port the way another process would; undefined when someone else already holds it. */
async function occupy(port: number): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve(undefined);
      else reject(error);
    });
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("explorer in the sidecar process (uranus chain start --explorer)", function () {
  this.timeout(30_000);
  let chain: SoloChain;
  let stops = 0;
  const sidecar = (): Promise<RunningSidecar> =>
    Promise.resolve({
      address: chain.rpcUrl,
      stop: () => {
        stops += 1;
        return Promise.resolve();
      },
    });

  /** Puts the explorer in front of the fake sidecar, keeping the lines it prints for people. */
  async function explorerPrinting(
    listen: string | false,
    rpcUrl: (running: RunningSidecar) => string = (r) => r.address,
  ): Promise<{ running: RunningSidecar; printed: string[] }> {
    const printed: string[] = [];
    const running = await withExplorer(sidecar(), {
      listen,
      rpcUrl,
      logger: silent,
      print: (line) => printed.push(line),
    });
    return { running, printed };
  }

  before(async () => {
    chain = await startSoloChain({}, testWallet("sidecar-explorer").address.toLowerCase());
  });

  beforeEach(() => {
    stops = 0;
  });

  after(async () => {
    await chain.stop();
  });

  it("reads HOST:PORT and names a bad --explorer value", () => {
    expect(parseExplorerAddress("127.0.0.1:0")).to.deep.equal({ host: "127.0.0.1", port: 0 });
    expect(parseExplorerAddress("[::1]:8080")).to.deep.equal({ host: "::1", port: 8080 });
    expect(parseExplorerAddress(DEFAULT_EXPLORER_ADDRESS)).to.deep.equal({
      host: "127.0.0.1",
      port: DEFAULT_EXPLORER_PORT,
    });
    for (const bad of ["8080", "localhost:99999", "http://127.0.0.1:80", "127.0.0.1:"]) {
      expect(() => parseExplorerAddress(bad), bad).to.throw(
        `--explorer ${JSON.stringify(bad)} is not HOST:PORT`,
      );
    }
  });

  it("serves the page in front of the node's RPC, prints its address, and stops with the sidecar", async () => {
    const port = await freePort();
    const { running, printed } = await explorerPrinting(`127.0.0.1:${port}`);
    expect(printed).to.deep.equal([`explorer: http://127.0.0.1:${port}/`]);
    const status = (await (await fetch(`http://127.0.0.1:${port}/rpc/status`)).json()) as {
      result: { node_info: { network: string } };
    };
    expect(status.result.node_info.network).to.equal(CHAIN_ID);
    await running.stop();
    expect(stops).to.equal(1);
    const refused = await fetch(`http://127.0.0.1:${port}/`).then(
      () => "answered",
      () => "refused",
    );
    expect(refused).to.equal("refused");
  });

  it("starts no explorer with --no-explorer", async () => {
    const { running, printed } = await explorerPrinting(false);
    expect(printed).to.deep.equal([]);
    expect(running.address).to.equal(chain.rpcUrl);
  });

  it("takes a free port when the default one is busy, and says where", async () => {
    const holder = await occupy(DEFAULT_EXPLORER_PORT);
    try {
      const { running, printed } = await explorerPrinting(DEFAULT_EXPLORER_ADDRESS);
      try {
        const url = /^explorer: (http:\/\/127\.0\.0\.1:(\d+)\/)$/.exec(printed[0] ?? "");
        expect(url, printed.join("\n")).to.not.equal(null);
        expect(Number(url![2])).to.not.equal(DEFAULT_EXPLORER_PORT);
        expect((await fetch(url![1]!)).status).to.equal(200);
      } finally {
        await running.stop();
      }
    } finally {
      holder?.close();
    }
  });

  it("fails clearly on a busy port that was asked for, and stops the sidecar it started", async () => {
    const port = await freePort();
    const holder = await occupy(port);
    try {
      let failure: Error | undefined;
      try {
        await withExplorer(sidecar(), {
          listen: `127.0.0.1:${port}`,
          rpcUrl: (r) => r.address,
          logger: silent,
        });
      } catch (error) {
        failure = error as Error;
      }
      expect(failure?.message).to.match(/^cannot start the explorer: listen EADDRINUSE/);
      expect(stops).to.equal(1);
    } finally {
      holder?.close();
    }
  });

  it("keeps the sidecar running without the default explorer when that cannot start", async () => {
    const { running, printed } = await explorerPrinting(
      DEFAULT_EXPLORER_ADDRESS,
      () => "unix:///run/cometbft-rpc.sock",
    );
    expect(printed).to.deep.equal([
      'cannot start the explorer: RPC address "unix:///run/cometbft-rpc.sock" must be http(s):// or tcp:// (the sidecar runs without it)',
    ]);
    expect(stops).to.equal(0);
    expect(running.address).to.equal(chain.rpcUrl);
  });
});
