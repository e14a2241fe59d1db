// One chain for the economy bad-input tests: a payer, a node owner, the operator the payer names, a stranger and a
// validator; three registered nodes, an open contract with one lease and one settled metering batch.
import { expect } from "chai";
import { type Wallet } from "ethers";
import {
  OpenContractMsg,
  RecordLeaseMsg,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { RegisterNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { encodeTx } from "../../../../../chain-sidecar/tx/envelope.js";
import { contractIdFor } from "../../../../../chain-sidecar/modules/market/market-records.js";
import {
  defineMessage,
  type MessageSpec,
  type TypedField,
} from "../../../../../chain-sidecar/tx/message-spec.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { signTx } from "../../../../../chain-sidecar/tx/signing.js";
import { AppHarness, CHAIN_ID, testConsensusKey, testWallet } from "../../app-harness.js";
import { batchOf, contractTerms, meterRecord, nodeOffer } from "./economy-fixtures.js";

/** A spec with the same wire id but other fields, to put on the wire what no honest client would encode. */
function reshaped(spec: MessageSpec<unknown>, fields: TypedField[]): MessageSpec<unknown> {
  return defineMessage({ typeId: spec.typeId, primaryType: spec.primaryType, fields, structs: {} });
}

export const payer = testWallet("econ-payer");
export const owner = testWallet("econ-owner");
export const operator = testWallet("econ-operator");
export const stranger = testWallet("econ-stranger");
export const validator = testWallet("econ-validator");

export interface EconomyWorld {
  harness: AppHarness;
  contractId: string;
  openedRef: string;
  t0: number;
}

/** Registers the hooks that build the chain (call inside a describe) and returns what they built, once built. */
export function economyWorld(): {
  state: () => EconomyWorld;
  expectRejected: <T>(
    wallet: Wallet,
    spec: MessageSpec<T>,
    message: T,
    code: number,
    field: string,
  ) => Promise<void>;
  expectUndecodable: (
    spec: MessageSpec<unknown>,
    fields: TypedField[],
    message: unknown,
    field: string,
  ) => Promise<void>;
} {
  let harness: AppHarness;
  let contractId: string;
  let openedRef: string;
  let t0: number;

  before(async () => {
    harness = (
      await AppHarness.start({
        accounts: [payer, owner, operator, stranger, validator].map((w) => ({
          address: w.address,
          balance: 10_000_000n,
        })),
        validators: [
          {
            operator: validator.address,
            consensusPubKey: Buffer.from(testConsensusKey("econ-validator")).toString("base64"),
            deposit: 5_000_000n,
          },
        ],
      })
    ).harness;
    const terms = contractTerms({
      regions: ["eu-west"],
      operator: operator.address.toLowerCase(),
      replicas: 2n,
    });
    openedRef = terms.clientRef;
    const open = await harness.sign(payer, OpenContractMsg, terms);
    contractId = contractIdFor(payer.address, terms.clusterId, terms.clientRef);
    const setup = await harness.block([
      await harness.sign(owner, RegisterNodeMsg, nodeOffer("node-a")),
      await harness.sign(owner, RegisterNodeMsg, nodeOffer("node-dear", { pricePerScuHour: 9_000n })),
      await harness.sign(owner, RegisterNodeMsg, nodeOffer("node-us", { region: "us-east" })),
      open,
    ]);
    expect(setup.txResults.map((r) => r.log)).to.deep.equal(["", "", "", ""]);
    t0 = 1_700_000_001;
    const lease = await harness.sign(operator, RecordLeaseMsg, {
      contractId,
      replica: 0n,
      nodeId: "node-a",
      podUid: "pod-1",
      startedAt: BigInt(t0),
    });
    expect((await harness.block([lease])).txResults[0]!.log).to.equal("");
    const batch = await harness.sign(
      owner,
      MeteringBatchMsg,
      batchOf(owner.address.toLowerCase(), [meterRecord("pod-1", contractId, "node-a", t0, t0 + 1)]),
    );
    expect((await harness.block([batch])).txResults[0]!.log).to.equal("");
  });

  after(async () => {
    await harness.close();
  });

  async function expectRejected<T>(
    wallet: Wallet,
    spec: MessageSpec<T>,
    message: T,
    code: number,
    field: string,
  ): Promise<void> {
    const { nonce } = await harness.query<{ nonce: number }>(`/account/${wallet.address}`);
    const result = await harness.check(await signTx(wallet, CHAIN_ID, spec, message, nonce));
    expect(result.code, result.log).to.equal(code);
    expect(result.log).to.contain(field);
  }

  /** Sends `fields` encoded under another shape; the chain must refuse it before looking at the signature. */
  async function expectUndecodable(
    spec: MessageSpec<unknown>,
    fields: TypedField[],
    message: unknown,
    field: string,
  ): Promise<void> {
    const bytes = encodeTx({
      chainId: CHAIN_ID,
      spec: reshaped(spec, fields),
      nonce: 0,
      message,
      signature: new Uint8Array(65).fill(1),
    });
    const result = await harness.check(bytes);
    expect(result.code, result.log).to.equal(ResultCode.INVALID_FIELD);
    expect(result.log).to.contain(field);
  }

  return {
    state: () => ({ harness, contractId, openedRef, t0 }),
    expectRejected,
    expectUndecodable,
  };
}
