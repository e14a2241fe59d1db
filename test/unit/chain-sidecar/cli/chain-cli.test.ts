import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { runCli } from "../cli-runner.js";
import { testWallets } from "../app-harness.js";
import { cliAgainstSoloChain } from "./cli-against-solo-chain.js";

describe("chain-sidecar cli: uranus keys, tx and query", function () {
  this.timeout(120_000);
  const { funded, operator, recipient } = testWallets("cli", "funded", "operator", "recipient");
  const cli = cliAgainstSoloChain({
    tempPrefix: "uranus-cli-",
    password: "correct horse battery staple",
    genesis: { accounts: [{ address: funded.address, balance: 5_000_000n }] },
    validatorOperator: operator.address,
  });
  const { tx, query, queryJson } = cli;

  before(() => {
    writeFileSync(join(cli.dir, "wrong-password"), "nope\n");
    writeFileSync(join(cli.dir, "funded.key"), `${funded.privateKey}\n`);
  });

  describe("keys", () => {
    it("creates, lists and shows keys, printing addresses only", async () => {
      const created = await runCli([
        "--output",
        "json",
        "keys",
        ...cli.keyring,
        "create",
        "alice",
        "--scrypt-n",
        "1024",
      ]);
      expect(created.code, created.stderr).to.equal(0);
      const key = JSON.parse(created.stdout) as { name: string; address: string };
      expect(key.name).to.equal("alice");
      expect(key.address).to.match(/^0x[0-9a-fA-F]{40}$/);
      const file = readFileSync(join(cli.dir, "keyring", "alice.json"), "utf8");
      expect(JSON.parse(file)).to.have.property("Crypto");
      expect(file).to.not.match(/"privateKey"/);
      const listed = await runCli(["keys", ...cli.keyring, "list"]);
      expect(listed.code).to.equal(0);
      expect(listed.stdout).to.contain("alice").and.contain(key.address);
      const shown = await runCli(["--output", "json", "keys", ...cli.keyring, "show", "alice"]);
      expect(JSON.parse(shown.stdout)).to.deep.equal(key);
    });

    it("imports a private key from a file without ever printing it", async () => {
      const run = await runCli([
        "keys",
        ...cli.keyring,
        "import",
        "funded",
        "--private-key-file",
        join(cli.dir, "funded.key"),
        "--scrypt-n",
        "1024",
      ]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(funded.address);
      expect(run.stdout + run.stderr).to.not.contain(funded.privateKey.slice(2));
    });

    it("refuses a duplicate name, a bad name and a missing password with clear errors", async () => {
      const duplicate = await runCli(["keys", ...cli.keyring, "create", "alice", "--scrypt-n", "1024"]);
      expect(duplicate.code).to.equal(1);
      expect(duplicate.stderr).to.contain("key alice already exists");
      const badName = await runCli(["keys", ...cli.keyring, "create", "../evil", "--scrypt-n", "1024"]);
      expect(badName.code).to.equal(1);
      expect(badName.stderr).to.contain("key name");
      const saved = process.env.URANUS_KEYRING_PASSWORD;
      delete process.env.URANUS_KEYRING_PASSWORD;
      const noPassword = await runCli([
        "keys",
        "--keyring-dir",
        join(cli.dir, "keyring"),
        "create",
        "bob",
        "--scrypt-n",
        "1024",
      ]);
      if (saved !== undefined) process.env.URANUS_KEYRING_PASSWORD = saved;
      expect(noPassword.code).to.equal(1);
      expect(noPassword.stderr).to.contain("--password-file").and.contain("URANUS_KEYRING_PASSWORD");
    });
  });

  describe("tx and query against a node", () => {
    it("sends tokens and shows the new balance", async () => {
      const sent = await tx(["send", recipient.address, "1_000"], "funded");
      expect(sent.code, sent.stderr).to.equal(0);
      expect(sent.stdout).to.match(/committed in block \d+/);
      const account = await queryJson(["account", recipient.address]);
      expect(account.code, account.stderr).to.equal(0);
      expect(JSON.parse(account.stdout)).to.deep.include({ balance: "1000", nonce: 0 });
    });

    it("queries an account by key name with a verified proof", async () => {
      const run = await query(["--keyring-dir", join(cli.dir, "keyring"), "account", "funded", "--prove"]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout)
        .to.contain(funded.address)
        .and.match(/proof\s+verified at height \d+/);
    });

    it("lends, votes and unbonds through the CLI and shows the position", async () => {
      for (const args of [
        ["lend", operator.address, "500"],
        ["vote", operator.address],
        ["unbond", operator.address, "200"],
      ]) {
        const run = await tx(args, "funded");
        expect(run.code, `${args[0]}: ${run.stderr}`).to.equal(0);
      }
      const position = await queryJson(["account", funded.address]);
      const parsed = JSON.parse(position.stdout) as {
        staking: { loans: { amount: string }[]; votes: string[] };
      };
      expect(parsed.staking.loans.map((l) => l.amount)).to.deep.equal(["300"]);
      expect(parsed.staking.votes).to.deep.equal([operator.address.toLowerCase()]);
    });

    it("lists validators as a table and as JSON, and shows one with a proof", async () => {
      const table = await query(["validators"]);
      expect(table.code, table.stderr).to.equal(0);
      expect(table.stdout)
        .to.contain("operator")
        .and.contain(operator.address.toLowerCase())
        .and.contain("active");
      const json = await queryJson(["validators"]);
      expect((JSON.parse(json.stdout) as { lent: string }[])[0]!.lent).to.equal("300");
      const one = await query(["validator", operator.address, "--prove"]);
      expect(one.code, one.stderr).to.equal(0);
      expect(one.stdout)
        .to.contain("solo")
        .and.match(/proof\s+verified/);
    });

    it("shows params and supply", async () => {
      const params = await query(["params"]);
      expect(params.code, params.stderr).to.equal(0);
      expect(params.stdout).to.contain("maxValidators").and.contain("txFee");
      const supply = await queryJson(["supply"]);
      expect(BigInt((JSON.parse(supply.stdout) as { supply: string }).supply) > 0n).to.equal(true);
    });

    it("explains refusals and bad arguments", async () => {
      const broke = await tx(["send", recipient.address, "999999999999"], "funded");
      expect(broke.code).to.equal(1);
      expect(broke.stderr).to.contain("INSUFFICIENT_FUNDS").and.contain("Transfer.amount");
      const badAddress = await tx(["send", "0x12", "5"], "funded");
      expect(badAddress.code).to.equal(1);
      expect(badAddress.stderr).to.contain("is not a 0x address");
      const badAmount = await tx(["send", recipient.address, "1.5"], "funded");
      expect(badAmount.stderr).to.contain("not a whole amount");
      const wrongPassword = await runCli([
        ...cli.node(),
        "tx",
        "--keyring-dir",
        join(cli.dir, "keyring"),
        "--password-file",
        join(cli.dir, "wrong-password"),
        "send",
        recipient.address,
        "1",
        "--from",
        "funded",
      ]);
      expect(wrongPassword.stderr).to.contain("cannot decrypt key funded");
      const unknown = await query(["validator", recipient.address]);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.contain("not a registered validator");
      const noNode = await runCli(["--node", "http://127.0.0.1:1", "query", "params"]);
      expect(noNode.code).to.equal(1);
      expect(noNode.stderr).to.contain("cannot reach a chain node");
    });

    it("registers a validator from CometBFT's priv_validator_key.json and lists it", async () => {
      const pubKey = Buffer.alloc(32, 7).toString("base64");
      const keyFile = join(cli.dir, "priv_validator_key.json");
      writeFileSync(
        keyFile,
        JSON.stringify({ pub_key: { type: "tendermint/PubKeyEd25519", value: pubKey } }),
      );
      const params = await queryJson(["params"]);
      const minDeposit = (JSON.parse(params.stdout) as { staking: { minDeposit: string } }).staking
        .minDeposit;
      const register = (deposit: string, ...extra: string[]) =>
        tx(["register-validator", "--deposit", deposit, "--priv-validator-key", keyFile, ...extra], "funded");
      const below = await register((BigInt(minDeposit) - 1n).toString());
      expect(below.code).to.equal(1);
      expect(below.stderr).to.contain("RegisterValidator.deposit");
      const registered = await register(minDeposit, "--moniker", "cli-validator");
      expect(registered.code, registered.stderr).to.equal(0);
      const listed = await queryJson(["validator", funded.address]);
      expect(listed.code, listed.stderr).to.equal(0);
      expect(JSON.parse(listed.stdout)).to.deep.include({
        operator: funded.address.toLowerCase(),
        moniker: "cli-validator",
        deposit: minDeposit,
      });
    });
  });
});
