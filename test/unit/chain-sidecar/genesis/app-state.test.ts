import { expect } from "chai";
import {
  buildGenesisAppState,
  consensusPubKeyFromPrivValidatorKey,
  type GenesisInput,
} from "../../../../chain-sidecar/genesis/app-state.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openUranusApp } from "../../../../chain-sidecar/app/uranus-app.js";
import { bareBlockRequest } from "../../../support/bare-block-request.js";
import { testConsensusKey, testWallet } from "../app-harness.js";

const operator = testWallet("genesis-operator");
const key = Buffer.from(testConsensusKey("genesis")).toString("base64");

function expectInvalid(input: GenesisInput, field: string): void {
  expect(() => buildGenesisAppState(input)).to.throw(field);
}

describe("chain-sidecar genesis: buildGenesisAppState", () => {
  it("produces JSON app_state with amounts as strings and defaults for params", () => {
    const state = buildGenesisAppState({
      accounts: [{ address: operator.address, balance: 10n }],
      validators: [{ operator: operator.address, consensusPubKey: key, deposit: 2_000_000n }],
      params: { staking: { maxValidators: 4 } },
    });
    expect(state.accounts).to.deep.equal([{ address: operator.address, balance: "10" }]);
    expect(state.validators[0]).to.deep.include({ deposit: "2000000", moniker: "" });
    expect(state.params).to.deep.equal({ staking: { maxValidators: 4 } });
    expect(JSON.parse(JSON.stringify(state))).to.deep.equal(state);
  });

  it("names the bad field", () => {
    expectInvalid({ accounts: [{ address: "0x12", balance: 1n }] }, "genesis.accounts[0].address");
    expectInvalid(
      {
        accounts: [
          { address: operator.address, balance: 1n },
          { address: operator.address.toLowerCase(), balance: 1n },
        ],
      },
      "genesis.accounts[1].address",
    );
    expectInvalid(
      { accounts: [{ address: operator.address, balance: "-5" }] },
      "genesis.accounts[0].balance",
    );
    expectInvalid(
      { validators: [{ operator: operator.address, consensusPubKey: "not base64!", deposit: 2_000_000n }] },
      "genesis.validators[0].consensusPubKey",
    );
    expectInvalid(
      { validators: [{ operator: operator.address, consensusPubKey: key, deposit: 5n }] },
      "genesis.validators[0].deposit",
    );
    expectInvalid({ params: { staking: { maxValidators: 0 } } }, "genesis.params.staking.maxValidators");
    expectInvalid({ params: { bank: { fee: 1n } } as GenesisInput["params"] }, "genesis.params.bank.fee");
    expectInvalid({ params: { nosuch: { x: 1 } } }, "genesis.params.nosuch");
  });

  it("reads the public key (only) from a priv_validator_key.json", () => {
    const file = JSON.stringify({
      address: "ABC",
      pub_key: { type: "tendermint/PubKeyEd25519", value: key },
      priv_key: { type: "tendermint/PrivKeyEd25519", value: "c2VjcmV0" },
    });
    expect(consensusPubKeyFromPrivValidatorKey(file)).to.equal(key);
    expect(() =>
      consensusPubKeyFromPrivValidatorKey(JSON.stringify({ pub_key: { type: "x", value: key } })),
    ).to.throw("tendermint/PubKeyEd25519");
  });

  it("makes InitChain fail with the bad field named, and then accepts a valid genesis", async () => {
    const dir = mkdtempSync(join(tmpdir(), "uranus-genesis-"));
    const app = await openUranusApp({ dataDir: dir });
    try {
      const request = (appState: string) => ({
        time: { seconds: 1n, nanos: 0 },
        chainId: "uranus-genesis-1",
        validators: [],
        appStateBytes: new TextEncoder().encode(appState),
        initialHeight: 1n,
      });
      let error: unknown;
      try {
        await app.initChain(
          request(JSON.stringify({ accounts: [{ address: operator.address, balance: "x" }] })),
        );
      } catch (e) {
        error = e;
      }
      expect((error as Error).message)
        .to.contain("genesis is invalid")
        .and.contain("genesis.accounts[0].balance");
      error = undefined;
      try {
        await app.initChain(request("{not json"));
      } catch (e) {
        error = e;
      }
      expect((error as Error).message).to.contain("not JSON");
      const init = await app.initChain(
        request(JSON.stringify({ accounts: [{ address: operator.address, balance: "7" }] })),
      );
      expect(init.appHash.length).to.equal(32);
      let again: unknown;
      try {
        await app.initChain(request("{}"));
      } catch (e) {
        again = e;
      }
      expect((again as Error).message).to.contain("already applied");
      await app.finalizeBlock(bareBlockRequest([], 1n, 2n));
      await app.commit({});
      const proven = await app.query({
        path: `/account/${operator.address}`,
        data: new Uint8Array(),
        height: 0n,
        prove: true,
      });
      expect(JSON.parse(new TextDecoder().decode(proven.value))).to.deep.include({ balance: "7" });
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
