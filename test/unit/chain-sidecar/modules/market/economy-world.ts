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
import { AppHarness, CHAIN_ID, testConsensusKey, testWallets } from "../../app-harness.js";
import { genesisAccount, genesisValidator } from "../../genesis-entries.js";
import {
  built,
  expectCheckTxRefusal,
  itRefuses,
  type MessageOrBuilder,
  type RefusalRow,
} from "../../checktx-refusals.js";
import { batchOf, contractTerms, meterRecord, nodeOffer } from "./economy-fixtures.js";

/** A spec with the same wire id but other fields, to put on the wire what no honest client would encode. */
function reshaped(spec: MessageSpec<unknown>, fields: TypedField[]): MessageSpec<unknown> {
  return defineMessage({ typeId: spec.typeId, primaryType: spec.primaryType, fields, structs: {} });
}

const actors = testWallets("econ", "payer", "owner", "operator", "stranger", "validator");
export const { payer, owner, operator, stranger, validator } = actors;

export interface EconomyWorld {
  harness: AppHarness;
  contractId: string;
  openedRef: string;
  t0: number;
}

/** A message sent under another shape: test name, the fields to encode it with, message, text the log must contain. */
export type UndecodableRow = readonly [
  name: string,
  fields: TypedField[],
  message: MessageOrBuilder<unknown>,
  field: string,
];

/** The fields of `spec` with `name` declared as `type`, to encode a value the real field cannot hold. */
export function retyped(spec: MessageSpec<unknown>, name: string, type: string): TypedField[] {
  return spec.fields.map((f) => (f.name === name ? { ...f, type } : f));
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
  itRefuses: <T>(spec: MessageSpec<T>, rows: readonly RefusalRow<NoInfer<T>>[]) => void;
  expectUndecodable: (
    spec: MessageSpec<unknown>,
    fields: TypedField[],
    message: unknown,
    field: string,
  ) => Promise<void>;
  itRefusesUndecodable: (spec: MessageSpec<unknown>, rows: readonly UndecodableRow[]) => void;
} {
  let harness: AppHarness;
  let contractId: string;
  let openedRef: string;
  let t0: number;

  before(async () => {
    harness = (
      await AppHarness.start({
        accounts: [payer, owner, operator, stranger, validator].map((w) => genesisAccount(w, 10_000_000n)),
        validators: [genesisValidator(validator, testConsensusKey("econ-validator"), 5_000_000n)],
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

  const current = () => harness;
  return {
    state: () => ({ harness, contractId, openedRef, t0 }),
    expectRejected: (wallet, spec, message, code, field) =>
      expectCheckTxRefusal(harness, wallet, spec, message, code, field),
    itRefuses: (spec, rows) => {
      itRefuses(current, spec, rows);
    },
    expectUndecodable,
    itRefusesUndecodable: (spec, rows) => {
      for (const [name, fields, message, field] of rows) {
        it(name, () => expectUndecodable(spec, fields, built(message), field));
      }
    },
  };
}
