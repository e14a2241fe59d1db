import { expect } from "chai";
import { pino } from "pino";
import { SoloProducer } from "../../../chain-sidecar/solo/solo-producer.js";
import { SoloRpcServer } from "../../../chain-sidecar/solo/rpc-server.js";
import { ValidatorKey } from "../../../chain-sidecar/node/validator-key.js";
import { newGenesisDoc } from "../../../chain-sidecar/genesis/genesis-doc.js";
import { KvstoreApp } from "../../support/kvstore-app.js";
import { cometClientContract } from "./comet-client-contract.js";

describe("the solo producer's RPC answering the same Comet38Client checks as CometBFT", function () {
  this.timeout(30_000);
  let producer: SoloProducer;
  let rpc: SoloRpcServer;
  let rpcUrl = "";
  const fatal: Error[] = [];

  before(async () => {
    const key = ValidatorKey.generate();
    producer = new SoloProducer({
      app: new KvstoreApp(),
      genesis: newGenesisDoc({
        chainId: "solo-contract",
        validators: [{ publicKey: key.publicKey, power: 10n }],
      }),
      validatorKey: key,
      logger: pino({ level: "silent" }),
      onFatal: (e) => fatal.push(e),
      blockIntervalMs: 200,
    });
    await producer.start();
    rpc = new SoloRpcServer({ producer, logger: pino({ level: "silent" }) });
    await rpc.listen();
    rpcUrl = rpc.url;
  });

  after(async () => {
    await rpc.close();
    await producer.stop();
  });

  cometClientContract(() => ({ rpcUrl }));

  it("ran without a fault", () => {
    expect(fatal).to.deep.equal([]);
  });
});
