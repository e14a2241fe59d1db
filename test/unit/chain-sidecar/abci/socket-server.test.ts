import { expect } from "chai";
import { connect, type Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { CheckTxType, Request, Response } from "cosmjs-types/tendermint/abci/types";
import type { DeepPartial } from "cosmjs-types/helpers";
import { AbciSocketServer } from "../../../../chain-sidecar/abci/socket-server.js";
import { encodeFrame, FrameDecoder } from "../../../../chain-sidecar/abci/frame-codec.js";
import { parseListenAddress } from "../../../../chain-sidecar/abci/listen-address.js";
import { KvstoreApp, KV_INVALID_TX, type KvstoreOptions } from "../../../support/kvstore-app.js";
import { waitFor } from "../../../../process/wait-for.js";

const silent = pino({ level: "silent" });

/** A bare ABCI client over a real socket: writes raw bytes, collects decoded responses. */
class RawClient {
  readonly responses: Response[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder();

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.responses.push(Response.decode(frame));
    });
    socket.on("close", () => {
      this.closed = true;
    });
    socket.on("error", () => undefined);
  }

  static async open(address: string): Promise<RawClient> {
    const target = parseListenAddress(address);
    const socket =
      target.kind === "unix" ? connect(target.path) : connect({ host: target.host, port: target.port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RawClient(socket);
  }

  static frame(request: DeepPartial<Request>): Uint8Array {
    return encodeFrame(Request.encode(Request.fromPartial(request)).finish());
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  async waitForResponses(count: number): Promise<Response[]> {
    await waitFor(() => this.responses.length >= count || undefined, {
      timeoutMs: 5000,
      intervalMs: 5,
      description: `${count} ABCI responses (have ${this.responses.length})`,
    });
    return this.responses;
  }

  async waitForClose(): Promise<void> {
    await waitFor(() => this.closed || undefined, {
      timeoutMs: 5000,
      intervalMs: 5,
      description: "socket close",
    });
  }
}

describe("ABCI socket server", () => {
  let server: AbciSocketServer;
  let app: KvstoreApp;
  let fatal: Error[];
  let clients: RawClient[];
  let dir: string;

  async function start(options: KvstoreOptions = {}, address = "tcp://127.0.0.1:0", maxFrameBytes?: number) {
    app = new KvstoreApp(options);
    fatal = [];
    server = new AbciSocketServer({
      app,
      logger: silent,
      maxFrameBytes,
      onFatal: (error) => {
        fatal.push(error);
      },
    });
    return server.listen(address);
  }

  async function client(address: string): Promise<RawClient> {
    const c = await RawClient.open(address);
    clients.push(c);
    return c;
  }

  beforeEach(() => {
    clients = [];
    dir = mkdtempSync(join(tmpdir(), "uranus-abci-"));
  });

  afterEach(async () => {
    for (const c of clients) c.socket.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers echo, info and flush over TCP in request order", async () => {
    const address = await start();
    expect(address).to.match(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(address).not.to.equal("tcp://127.0.0.1:0");
    const c = await client(address);
    c.write(RawClient.frame({ echo: { message: "hello" } }));
    c.write(
      RawClient.frame({
        info: { version: "0.38.25", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" },
      }),
    );
    c.write(RawClient.frame({ flush: {} }));
    const [echo, info, flush] = await c.waitForResponses(3);
    expect(echo!.echo!.message).to.equal("hello");
    expect(info!.info!.data).to.equal("kvstore");
    expect(info!.info!.lastBlockHeight).to.equal(0n);
    expect(flush!.flush).to.deep.equal({});
  });

  it("serves a unix socket, replacing a stale socket file", async () => {
    const path = join(dir, "app.sock");
    const first = await start({}, `unix://${path}`);
    await server.close();
    const address = await start({}, first);
    expect(address).to.equal(`unix://${path}`);
    const c = await client(address);
    c.write(RawClient.frame({ checkTx: { tx: Buffer.from("a=1"), type: CheckTxType.NEW } }));
    const [res] = await c.waitForResponses(1);
    expect(res!.checkTx!.code).to.equal(0);
  });

  it("reassembles a request that arrives one byte per read", async () => {
    const c = await client(await start());
    const bytes = RawClient.frame({ checkTx: { tx: Buffer.from("no-equals-sign"), type: CheckTxType.NEW } });
    c.socket.setNoDelay(true);
    for (const byte of bytes) {
      c.write(Uint8Array.of(byte));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const [res] = await c.waitForResponses(1);
    expect(res!.checkTx!.code).to.equal(KV_INVALID_TX);
    expect(res!.checkTx!.log).to.match(/key=value/);
  });

  it("answers many requests packed into one write, in order, with flush last", async () => {
    const c = await client(await start({ callDelayMs: 2 }));
    const frames = [];
    for (let i = 0; i < 50; i++)
      frames.push(RawClient.frame({ checkTx: { tx: Buffer.from(`k${i}=${i}`), type: CheckTxType.NEW } }));
    frames.push(RawClient.frame({ echo: { message: "after-checks" } }));
    frames.push(RawClient.frame({ flush: {} }));
    c.write(Buffer.concat(frames));
    const responses = await c.waitForResponses(52);
    expect(responses.slice(0, 50).every((r) => r.checkTx?.code === 0)).to.equal(true);
    expect(responses[50]!.echo!.message).to.equal("after-checks");
    expect(responses[51]!.flush).to.deep.equal({});
    expect(app.calls.filter((m) => m === "checkTx")).to.have.length(50);
  });

  it("never runs two state-changing application calls at once across connections", async () => {
    const address = await start({ callDelayMs: 5 });
    const consensus = await client(address);
    const mempool = await client(address);
    consensus.write(
      Buffer.concat([
        RawClient.frame({ finalizeBlock: { txs: [Buffer.from("x=1")], height: 1n } }),
        RawClient.frame({ commit: {} }),
        RawClient.frame({ flush: {} }),
      ]),
    );
    mempool.write(
      Buffer.concat([
        ...Array.from({ length: 10 }, (_, i) =>
          RawClient.frame({ checkTx: { tx: Buffer.from(`m${i}=1`), type: CheckTxType.NEW } }),
        ),
        RawClient.frame({ flush: {} }),
      ]),
    );
    await consensus.waitForResponses(3);
    await mempool.waitForResponses(11);
    expect(app.maxConcurrentCalls).to.equal(1);
    expect(app.calls).to.have.length(12);
    expect(consensus.responses[0]!.finalizeBlock!.txResults[0]!.code).to.equal(0);
    expect(app.store.get("x")).to.equal("1");
  });

  it("lets a proof query wait for Commit without holding up Commit", async () => {
    const address = await start();
    const consensus = await client(address);
    const query = await client(address);
    consensus.write(RawClient.frame({ finalizeBlock: { txs: [Buffer.from("y=2")], height: 1n } }));
    await consensus.waitForResponses(1);
    // The app answers proof queries only from a committed root; had the query taken the app lock, Commit would wait forever.
    query.write(RawClient.frame({ query: { data: Buffer.from("y"), path: "/store", prove: true } }));
    consensus.write(RawClient.frame({ commit: {} }));
    const [answer] = await query.waitForResponses(1);
    await consensus.waitForResponses(2);
    expect(Buffer.from(answer!.query!.value).toString()).to.equal("2");
  });

  it("answers snapshot and vote-extension requests itself", async () => {
    const c = await client(await start());
    c.write(
      Buffer.concat([
        RawClient.frame({ listSnapshots: {} }),
        RawClient.frame({ offerSnapshot: {} }),
        RawClient.frame({ loadSnapshotChunk: { height: 1n, format: 1, chunk: 0 } }),
        RawClient.frame({ applySnapshotChunk: { index: 0 } }),
        RawClient.frame({ extendVote: { height: 1n } }),
        RawClient.frame({ verifyVoteExtension: { height: 1n } }),
      ]),
    );
    const r = await c.waitForResponses(6);
    expect(r[0]!.listSnapshots!.snapshots).to.deep.equal([]);
    expect(r[1]!.offerSnapshot!.result).to.equal(2); // ABORT
    expect(r[2]!.loadSnapshotChunk!.chunk).to.have.length(0);
    expect(r[3]!.applySnapshotChunk!.result).to.equal(2); // ABORT
    expect(r[4]!.extendVote!.voteExtension).to.have.length(0);
    expect(r[5]!.verifyVoteExtension!.status).to.equal(1); // ACCEPT
    expect(app.calls).to.deep.equal([]);
  });

  it("reports an oversize frame as fatal and closes the connection", async () => {
    const c = await client(await start({}, "tcp://127.0.0.1:0", 1024));
    c.write(encodeFrame(new Uint8Array(4096)));
    await c.waitForClose();
    expect(fatal).to.have.length(1);
    expect(fatal[0]!.message).to.match(/more than the limit of 1024/);
    expect(c.responses.at(-1)?.exception?.error).to.match(/limit of 1024/);
    expect(server.fatalError).to.equal(fatal[0]);
  });

  it("reports a frame that is not an ABCI request as fatal", async () => {
    const c = await client(await start());
    c.write(encodeFrame(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x01)));
    await c.waitForClose();
    expect(fatal).to.have.length(1);
    expect(fatal[0]!.name).to.equal("AbciProtocolError");
    expect(fatal[0]!.message).to.match(/invalid ABCI request \(6 bytes\)/);
  });

  it("reports an empty request as fatal instead of guessing", async () => {
    const c = await client(await start());
    c.write(encodeFrame(new Uint8Array()));
    await c.waitForClose();
    expect(fatal[0]!.message).to.match(/carries no known method/);
  });

  it("turns an application error into an exception response and a fatal report", async () => {
    const c = await client(await start({ failOn: "commit" }));
    c.write(
      Buffer.concat([RawClient.frame({ echo: { message: "before" } }), RawClient.frame({ commit: {} })]),
    );
    await c.waitForClose();
    expect(c.responses[0]!.echo!.message).to.equal("before");
    expect(c.responses[1]!.exception!.error).to.equal(
      "application failed in commit: kvstore refuses commit on purpose",
    );
    expect(fatal).to.have.length(1);
    expect(fatal[0]!.name).to.equal("AbciApplicationError");
  });
});
