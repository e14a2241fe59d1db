import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status, type Client, type ServiceError } from "@grpc/grpc-js";
import * as abci from "cosmjs-types/tendermint/abci/types";
import { pino } from "pino";
import { AbciGrpcServer } from "../../../../chain-sidecar/abci/grpc-server.js";
import { abciGrpcCall, abciGrpcClient } from "../../../support/abci-grpc-client.js";
import { KvstoreApp, KV_INVALID_TX, type KvstoreOptions } from "../../../support/kvstore-app.js";

const silent = pino({ level: "silent" });

describe("ABCI gRPC server", () => {
  let server: AbciGrpcServer;
  let app: KvstoreApp;
  let fatal: Error[];
  let clients: Client[];
  let dir: string;

  async function start(options: KvstoreOptions = {}, address = "tcp://127.0.0.1:0"): Promise<Client> {
    app = new KvstoreApp(options);
    fatal = [];
    server = new AbciGrpcServer({ app, logger: silent, onFatal: (error) => fatal.push(error) });
    const bound = await server.listen(address);
    const client = abciGrpcClient(bound);
    clients.push(client);
    return client;
  }

  beforeEach(() => {
    clients = [];
    dir = mkdtempSync(join(tmpdir(), "uranus-abci-grpc-"));
  });

  afterEach(async () => {
    for (const client of clients) client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers echo, info and CheckTx over TCP on the port it bound", async () => {
    const client = await start();
    const echo = await abciGrpcCall<abci.ResponseEcho>(client, "Echo", { message: "hello" });
    const info = await abciGrpcCall<abci.ResponseInfo>(client, "Info", { version: "0.38.25" });
    const valid = await abciGrpcCall<abci.ResponseCheckTx>(client, "CheckTx", {
      tx: Buffer.from("a=1"),
      type: abci.CheckTxType.NEW,
    });
    const invalid = await abciGrpcCall<abci.ResponseCheckTx>(client, "CheckTx", {
      tx: Buffer.from("no equals sign"),
      type: abci.CheckTxType.NEW,
    });
    expect(echo.message).to.equal("hello");
    expect(info.data).to.equal("kvstore");
    expect(valid.code).to.equal(0);
    expect(invalid.code).to.equal(KV_INVALID_TX);
  });

  it("serves a unix socket, replacing a stale socket file", async () => {
    const path = join(dir, "app.sock");
    writeFileSync(path, "left by a killed sidecar");
    const client = await start({}, `unix://${path}`);
    const echo = await abciGrpcCall<abci.ResponseEcho>(client, "Echo", { message: "over unix" });
    expect(echo.message).to.equal("over unix");
  });

  it("runs a block and its commit, never two state-changing calls at once while CheckTx streams in", async () => {
    const client = await start({ callDelayMs: 5 });
    const checks = Array.from({ length: 10 }, (_, i) =>
      abciGrpcCall<abci.ResponseCheckTx>(client, "CheckTx", {
        tx: Buffer.from(`m${i}=1`),
        type: abci.CheckTxType.NEW,
      }),
    );
    const block = abciGrpcCall<abci.ResponseFinalizeBlock>(client, "FinalizeBlock", {
      txs: [Buffer.from("x=1")],
      height: 1n,
    }).then(async (finalized) => {
      await abciGrpcCall(client, "Commit", {});
      return finalized;
    });
    const [finalized, ...checked] = await Promise.all([block, ...checks]);
    expect(finalized.txResults[0]!.code).to.equal(0);
    expect(checked.map((r) => r.code)).to.deep.equal(Array(10).fill(0));
    expect(app.maxConcurrentCalls).to.equal(1);
    expect(app.store.get("x")).to.equal("1");
  });

  it("declines snapshots for an app without them", async () => {
    const client = await start();
    const list = await abciGrpcCall<abci.ResponseListSnapshots>(client, "ListSnapshots", {});
    const offer = await abciGrpcCall<abci.ResponseOfferSnapshot>(client, "OfferSnapshot", {});
    expect(list.snapshots).to.deep.equal([]);
    expect(offer.result).to.equal(abci.ResponseOfferSnapshot_Result.ABORT);
  });

  it("answers an application error with INTERNAL naming the method, and reports it as fatal", async () => {
    const client = await start({ failOn: "checkTx" });
    const error = await abciGrpcCall(client, "CheckTx", { tx: Buffer.from("a=1") }).then(
      () => undefined,
      (e: unknown) => e as ServiceError,
    );
    expect(error?.code).to.equal(status.INTERNAL);
    expect(error?.details).to.contain("application failed in checkTx").and.contain("kvstore refuses checkTx");
    expect(fatal).to.have.length(1);
    expect(server.fatalError?.message).to.contain("checkTx");
  });

  it("refuses an address it cannot bind, naming it", async () => {
    await start();
    const second = new AbciGrpcServer({ app, logger: silent, onFatal: () => undefined });
    const error = await second.listen(`unix://${join(dir, "missing", "app.sock")}`).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    await second.close();
    expect(error?.message).to.contain("cannot listen on unix://").and.contain("missing/app.sock");
  });
});
