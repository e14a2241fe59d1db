// The sidecar's Node flags live in one list: every way of starting a sidecar must pass exactly that list.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import { SIDECAR_NODE_FLAGS } from "../../../../chain-sidecar/node/sidecar-node-flags.js";
import { uranusSidecarLauncher } from "../../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
}

describe("chain-sidecar node: the sidecar's Node flags", () => {
  it("are given before the script by the testnet launcher", () => {
    const { args } = uranusSidecarLauncher("/tmp/home");
    expect(args.slice(0, SIDECAR_NODE_FLAGS.length)).to.deep.equal([...SIDECAR_NODE_FLAGS]);
    expect(args[SIDECAR_NODE_FLAGS.length]).to.equal("--import");
  });

  it("are the chain container's NODE_OPTIONS in config/manager", () => {
    type Doc = { spec?: { template?: { spec?: { containers?: Container[] } } } };
    const docs = parseAllDocuments(readFileSync("config/manager/deployment.yaml", "utf8")).map(
      (d) => d.toJS() as Doc,
    );
    const containers = docs.flatMap((doc) => doc.spec?.template?.spec?.containers ?? []);
    const chain = containers.find((c) => c.name === "chain");
    expect(chain?.env?.find((e) => e.name === "NODE_OPTIONS")?.value).to.equal(SIDECAR_NODE_FLAGS.join(" "));
  });

  it("are accepted by Node in NODE_OPTIONS", () => {
    const run = spawnSync(process.execPath, ["-e", "0"], {
      env: { ...process.env, NODE_OPTIONS: SIDECAR_NODE_FLAGS.join(" ") },
      encoding: "utf8",
    });
    expect(run.stderr).to.equal("");
    expect(run.status).to.equal(0);
  });
});
