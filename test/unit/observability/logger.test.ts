import { Writable } from "node:stream";
import { expect } from "chai";
import { controllerLogger, createLogger, reconcileLogger } from "../../../observability/logger.js";

function capture(): { lines: () => Record<string, unknown>[]; destination: Writable } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    destination,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("operator logger", () => {
  it("writes one JSON object per line with level name, ISO time and the controller and key", () => {
    const out = capture();
    const root = createLogger({ destination: out.destination, level: "debug" });
    reconcileLogger(controllerLogger(root, "computecontract"), "ns/c1", "r-1").info(
      { replicas: 2 },
      "scaled",
    );
    const [line] = out.lines();
    expect(line).to.include({
      level: "info",
      name: "uranus-operator",
      controller: "computecontract",
      key: "ns/c1",
      reconcileId: "r-1",
      replicas: 2,
      msg: "scaled",
    });
    expect(String(line!.time)).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("never prints a private key or token, even nested", () => {
    const out = capture();
    const logger = createLogger({ destination: out.destination });
    const key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    logger.info(
      { privateKey: key, payer: { privateKey: key, address: "0xabc" }, auth: { token: "t0k" } },
      "x",
    );
    const text = JSON.stringify(out.lines());
    expect(text).not.to.include(key);
    expect(text).not.to.include("t0k");
    expect(text).to.include("0xabc");
    expect(text).to.include("[redacted]");
  });

  it("serializes errors with message and stack", () => {
    const out = capture();
    createLogger({ destination: out.destination }).error({ err: new Error("escrow short") }, "failed");
    const err = out.lines()[0]!.err as Record<string, unknown>;
    expect(err.message).to.equal("escrow short");
    expect(err.stack).to.be.a("string");
  });
});
