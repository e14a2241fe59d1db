import { expect } from "chai";
import {
  canonicalWorkload,
  parseWorkload,
  type OrderWorkload,
} from "../../../../../chain-sidecar/modules/federation/federation-types.js";
import { TxError } from "../../../../../chain-sidecar/tx/tx-error.js";

describe("federation: an order's workload", () => {
  const full: OrderWorkload = {
    image: "ghcr.io/acme/api:1.2",
    command: ["/bin/api"],
    args: ["--port", "8080"],
    ports: [
      { name: "http", port: 8080 },
      { name: "dns", port: 53, protocol: "UDP" },
    ],
    env: [{ name: "LOG_LEVEL", value: "debug" }],
  };

  it("parses every field it knows and stores them as canonical JSON", () => {
    const spaced = JSON.stringify(full, null, 2);
    expect(parseWorkload(spaced, "w")).to.deep.equal(full);
    const canonical = canonicalWorkload(parseWorkload(spaced, "w"));
    expect(canonical).to.equal(
      '{"args":["--port","8080"],"command":["/bin/api"],"env":[{"name":"LOG_LEVEL","value":"debug"}],' +
        '"image":"ghcr.io/acme/api:1.2","ports":[{"name":"http","port":8080},{"name":"dns","port":53,"protocol":"UDP"}]}',
    );
    expect(parseWorkload(canonical, "w")).to.deep.equal(full);
  });

  it("names the path of what is wrong under the field it was given", () => {
    const error = (() => {
      try {
        parseWorkload('{"image":"a","env":[{"name":"1 A","value":""}]}', "Spec.workload");
      } catch (e) {
        return e as TxError;
      }
      throw new Error("accepted");
    })();
    expect(error).to.be.instanceOf(TxError);
    expect(error.message).to.match(/^Spec\.workload\.env\[0\]\.name: /);
  });
});
