// `uranus chain init --genesis …`: what a member cluster's init container runs to join a network, without CometBFT.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parse } from "smol-toml";
import { configureCometHome } from "../../../../chain-sidecar/node/cometbft-config.js";
import { homePaths } from "../../../../chain-sidecar/node/cometbft-home.js";
import {
  checkJoin,
  joinNetwork,
  parseExternalAddress,
  parsePeers,
} from "../../../../chain-sidecar/node/network-join.js";
import { ValidatorKey } from "../../../../chain-sidecar/node/validator-key.js";
import { newGenesisDoc } from "../../../../chain-sidecar/genesis/genesis-doc.js";
import { scratchDirectory } from "../../../support/scratch-directory.js";
import { runCli } from "../cli-runner.js";

const ID = "0123456789abcdef0123456789abcdef01234567";
// The sections `cometbft init` writes that configureCometHome edits.
const CONFIG_TOML = `proxy_app = "tcp://127.0.0.1:26658"
moniker = "x"
[rpc]
laddr = "tcp://127.0.0.1:26657"
[p2p]
laddr = "tcp://0.0.0.0:26656"
external_address = ""
persistent_peers = ""
[consensus]
[mempool]
[instrumentation]
prometheus = false
prometheus_listen_addr = ":26660"
`;

describe("chain-sidecar node: joining a network (chain init --genesis)", () => {
  const scratch = scratchDirectory("uranus-join-", "each test");

  /** A home as `cometbft init` leaves it: config.toml and both keys. */
  function fakeHome(): string {
    const home = join(scratch.path, "home");
    mkdirSync(join(home, "config"), { recursive: true });
    mkdirSync(join(home, "data"), { recursive: true });
    writeFileSync(join(home, "config", "config.toml"), CONFIG_TOML);
    ValidatorKey.generate().save(homePaths(home).validatorKey);
    return home;
  }

  /** A genesis file formatted unlike ours, so a copy and a re-serialisation differ. */
  function networkGenesis(): string {
    const doc = newGenesisDoc({
      chainId: "uranus-net",
      validators: [{ publicKey: ValidatorKey.generate().publicKey, power: 10n }],
    });
    const path = join(scratch.path, "genesis.json");
    writeFileSync(path, JSON.stringify(doc));
    return path;
  }

  function keyFile(name: string): { path: string; key: ValidatorKey } {
    const key = ValidatorKey.generate();
    const path = join(scratch.path, name);
    key.save(path);
    return { path, key };
  }

  it("parses persistent peers (id@host:port, comma-separated; empty is none) and refuses malformed ones", () => {
    expect(parsePeers("")).to.deep.equal([]);
    expect(
      parsePeers(` ${ID}@10.0.0.1:26656 , ${ID}@peer.example.org:30001,${ID}@[fd00::1]:26656`),
    ).to.deep.equal([`${ID}@10.0.0.1:26656`, `${ID}@peer.example.org:30001`, `${ID}@[fd00::1]:26656`]);
    for (const bad of [
      "10.0.0.1:26656",
      `${ID.slice(1)}@h:1`,
      `${ID}@h`,
      `${ID}@h:0`,
      `${ID}@h:70000`,
      `${ID}@:1`,
    ])
      expect(() => parsePeers(bad), bad).to.throw("NODE_ID@HOST:PORT");
  });

  it("parses the external address (host:port; empty is none)", () => {
    expect(parseExternalAddress("")).to.equal("");
    expect(parseExternalAddress("203.0.113.7:26656")).to.equal("203.0.113.7:26656");
    for (const bad of ["203.0.113.7", "tcp://h:1", "h:99999"])
      expect(() => parseExternalAddress(bad), bad).to.throw("HOST:PORT");
  });

  it("refuses the shipped placeholder genesis, naming what is missing", () => {
    expect(() => checkJoin({ genesis: "config/manager/network/genesis.json", role: "full" })).to.throw(
      "chain_id is missing",
    );
  });

  it("copies the genesis byte for byte and the given keys (mode 0600) into the home, keeping the rest", () => {
    const home = fakeHome();
    const genesis = networkGenesis();
    const validator = keyFile("priv_validator_key.json");
    const nodeKey = join(scratch.path, "node_key.json");
    const raw = Buffer.alloc(64, 7).toString("base64");
    writeFileSync(nodeKey, JSON.stringify({ priv_key: { type: "tendermint/PrivKeyEd25519", value: raw } }));
    const checked = checkJoin({ genesis, role: "validator", privValidatorKey: validator.path, nodeKey });
    expect(checked.genesis.chain_id).to.equal("uranus-net");
    expect(joinNetwork(home, checked).validatorKeyFrom).to.equal(validator.path);
    const paths = homePaths(home);
    expect(readFileSync(paths.genesis, "utf8")).to.equal(readFileSync(genesis, "utf8"));
    expect(ValidatorKey.load(paths.validatorKey).addressHex).to.equal(validator.key.addressHex);
    expect(readFileSync(paths.nodeKey, "utf8")).to.equal(readFileSync(nodeKey, "utf8"));
    expect(statSync(paths.validatorKey).mode & 0o777).to.equal(0o600);
  });

  it("keeps the home's own key when the key files are absent (an optional Secret not created)", () => {
    const home = fakeHome();
    const own = ValidatorKey.load(homePaths(home).validatorKey).addressHex;
    const checked = checkJoin({
      genesis: networkGenesis(),
      role: "validator",
      privValidatorKey: join(scratch.path, "missing", "priv_validator_key.json"),
      nodeKey: join(scratch.path, "missing", "node_key.json"),
    });
    expect(joinNetwork(home, checked).validatorKeyFrom).to.equal("generated in the home");
    expect(ValidatorKey.load(homePaths(home).validatorKey).addressHex).to.equal(own);
  });

  it("refuses a validator key on a full node, and key files that are not keys without printing them", () => {
    const genesis = networkGenesis();
    const validator = keyFile("priv_validator_key.json");
    expect(() => checkJoin({ genesis, role: "full", privValidatorKey: validator.path })).to.throw(
      "double-sign",
    );
    const secret = "c2VjcmV0LWtleS1tYXRlcmlhbA";
    const garbage = join(scratch.path, "garbage.json");
    writeFileSync(garbage, `{"priv_key": ${secret}}`);
    for (const request of [
      { genesis, role: "validator" as const, privValidatorKey: garbage },
      { genesis, role: "full" as const, nodeKey: garbage },
    ]) {
      expect(() => checkJoin(request))
        .to.throw(garbage)
        .with.property("message")
        .that.does.not.contain(secret);
    }
  });

  it("writes the listen host to p2p and Prometheus (RPC stays on loopback), the external address and the peers", () => {
    const home = fakeHome();
    configureCometHome(home, {
      rpcPort: 26657,
      p2pPort: 26656,
      prometheusPort: 26660,
      listenHost: "0.0.0.0",
      externalAddress: "203.0.113.7:26656",
      persistentPeers: [`${ID}@10.0.0.1:26656`, `${ID}@10.0.0.2:26656`],
    });
    const config = parse(readFileSync(join(home, "config", "config.toml"), "utf8")) as Record<
      string,
      Record<string, unknown>
    >;
    expect(config.rpc!.laddr).to.equal("tcp://127.0.0.1:26657");
    expect(config.p2p).to.deep.include({
      laddr: "tcp://0.0.0.0:26656",
      external_address: "203.0.113.7:26656",
      persistent_peers: `${ID}@10.0.0.1:26656,${ID}@10.0.0.2:26656`,
    });
    expect(config.instrumentation).to.deep.equal({
      prometheus: true,
      prometheus_listen_addr: "0.0.0.0:26660",
    });
    configureCometHome(home, { p2pPort: 1, prometheusPort: 2, listenHost: "::", externalAddress: "" });
    const again = parse(readFileSync(join(home, "config", "config.toml"), "utf8")) as typeof config;
    expect(again.p2p).to.deep.include({ laddr: "tcp://[::]:1", external_address: "" });
    expect(again.instrumentation!.prometheus_listen_addr).to.equal("[::]:2");
  });

  it("the CLI refuses a new chain's options beside --genesis, and join-only options without it, before touching the home", async () => {
    const home = join(scratch.path, "untouched");
    const genesis = networkGenesis();
    for (const [args, message] of [
      [["--genesis", genesis, "--chain-id", "other"], "cannot be used with option '--chain-id"],
      [["--genesis", genesis, "--operator", "0x0000000000000000000000000000000000000001"], "--operator"],
      [["--role", "full"], "--role full joins a network"],
      [["--node-key", genesis], "go with --genesis"],
      [["--genesis", genesis, "--role", "observer"], "Allowed choices are validator, full"],
      [["--genesis", genesis, "--persistent-peers", "nobody@h:1"], "NODE_ID@HOST:PORT"],
      [["--state-sync", "http://a:1,http://b:1"], "--state-sync joins a network"],
      [["--genesis", genesis, "--state-sync", "http://a:1"], "two RPC servers"],
    ] as const) {
      const run = await runCli(["chain", "init", "--home", home, ...args]);
      expect(run.code, args.join(" ")).to.not.equal(0);
      expect(run.stderr, args.join(" ")).to.contain(message);
    }
    expect(existsSync(home)).to.equal(false);
  });
});
