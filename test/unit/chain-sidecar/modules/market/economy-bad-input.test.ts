import { expect } from "chai";
import { ZeroAddress, type Wallet } from "ethers";
import {
  ApproveParamChangeMsg,
  ProposeParamChangeMsg,
} from "../../../../../chain-sidecar/modules/governance/governance-messages.js";
import {
  CloseContractMsg,
  EndLeaseMsg,
  OpenContractMsg,
  RateContributorMsg,
  RecordBreachMsg,
  RecordLeaseMsg,
  TopUpContractMsg,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import {
  DeregisterNodeMsg,
  HeartbeatMsg,
  RegisterNodeMsg,
  UpdateNodeMsg,
} from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { uranusCatalog } from "../../../../../chain-sidecar/modules/uranus-modules.js";
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

describe("economy transactions: bad input gets its specific code and names the field (through the real app)", function () {
  this.timeout(120_000);
  const payer = testWallet("econ-payer");
  const owner = testWallet("econ-owner");
  const operator = testWallet("econ-operator");
  const stranger = testWallet("econ-stranger");
  const validator = testWallet("econ-validator");
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

  const ownerAddress = () => owner.address.toLowerCase();
  const beat = (nodeId: string) => ({
    nodeId,
    cpuMillicores: 0n,
    memoryBytes: 0n,
    storageBytes: 0n,
    bandwidthMbps: 0n,
  });

  describe("RegisterNode", () => {
    it("malformed node id", () =>
      expectRejected(
        owner,
        RegisterNodeMsg,
        nodeOffer("Node_A"),
        ResultCode.INVALID_FIELD,
        "RegisterNode.nodeId",
      ));
    it("malformed region", () =>
      expectRejected(
        owner,
        RegisterNodeMsg,
        nodeOffer("node-b", { region: "EU West" }),
        ResultCode.INVALID_FIELD,
        "RegisterNode.region",
      ));
    it("unknown isolation", () =>
      expectRejected(
        owner,
        RegisterNodeMsg,
        nodeOffer("node-b", { isolation: "docker" }),
        ResultCode.INVALID_FIELD,
        "RegisterNode.isolation",
      ));
    it("no cpu", () =>
      expectRejected(
        owner,
        RegisterNodeMsg,
        nodeOffer("node-b", { cpuMillicores: 0n }),
        ResultCode.INVALID_FIELD,
        "RegisterNode.cpuMillicores",
      ));
    it("node already registered", () =>
      expectRejected(
        stranger,
        RegisterNodeMsg,
        nodeOffer("node-a"),
        ResultCode.ALREADY_EXISTS,
        "RegisterNode.nodeId",
      ));
    it("missing field", () =>
      expectUndecodable(
        RegisterNodeMsg,
        RegisterNodeMsg.fields.slice(0, -1),
        nodeOffer("node-b"),
        "RegisterNode: expected 9 fields",
      ));
    it("out-of-range cpu", () =>
      expectUndecodable(
        RegisterNodeMsg,
        RegisterNodeMsg.fields.map((f) => (f.name === "cpuMillicores" ? { ...f, type: "uint128" } : f)),
        nodeOffer("node-b", { cpuMillicores: 1n << 70n }),
        "RegisterNode.cpuMillicores: out of range for uint64",
      ));
  });

  describe("Heartbeat, UpdateNode, DeregisterNode", () => {
    it("unknown node", () =>
      expectRejected(owner, HeartbeatMsg, beat("node-zz"), ResultCode.NOT_FOUND, "Heartbeat.nodeId"));
    it("heartbeat by a stranger", () =>
      expectRejected(stranger, HeartbeatMsg, beat("node-a"), ResultCode.UNAUTHORISED, "Heartbeat"));
    it("missing field", () =>
      expectUndecodable(
        HeartbeatMsg,
        HeartbeatMsg.fields.slice(0, 2),
        beat("node-a"),
        "Heartbeat: expected 5 fields",
      ));
    it("update by a stranger", () =>
      expectRejected(
        stranger,
        UpdateNodeMsg,
        { nodeId: "node-a", pricePerScuHour: 1n, operator: ZeroAddress },
        ResultCode.UNAUTHORISED,
        "UpdateNode",
      ));
    it("deregister by a stranger", () =>
      expectRejected(
        stranger,
        DeregisterNodeMsg,
        { nodeId: "node-us" },
        ResultCode.UNAUTHORISED,
        "DeregisterNode",
      ));
    it("deregister while a lease is active", () =>
      expectRejected(
        owner,
        DeregisterNodeMsg,
        { nodeId: "node-a" },
        ResultCode.WRONG_STATE,
        "DeregisterNode.nodeId",
      ));
  });

  describe("OpenContract", () => {
    it("zero SCU", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ scuPerReplica: 0n }),
        ResultCode.INVALID_FIELD,
        "OpenContract.scuPerReplica",
      ));
    it("too many replicas", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ replicas: 5_000n }),
        ResultCode.INVALID_FIELD,
        "OpenContract.replicas",
      ));
    it("zero max price", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ maxPricePerScuHour: 0n }),
        ResultCode.INVALID_FIELD,
        "OpenContract.maxPricePerScuHour",
      ));
    it("zero duration", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ durationSeconds: 0n }),
        ResultCode.INVALID_FIELD,
        "OpenContract.durationSeconds",
      ));
    it("zero recovery time", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ recoverWithinSeconds: 0n }),
        ResultCode.INVALID_FIELD,
        "OpenContract.recoverWithinSeconds",
      ));
    it("malformed region", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ regions: ["eu-west", "Mars!"] }),
        ResultCode.INVALID_FIELD,
        "OpenContract.regions[1]",
      ));
    it("duplicate region", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ regions: ["eu-west", "eu-west"] }),
        ResultCode.INVALID_FIELD,
        "OpenContract.regions[1]",
      ));
    it("client reference missing", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ clientRef: "" }),
        ResultCode.INVALID_FIELD,
        "OpenContract.clientRef",
      ));
    it("client reference with a space", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ clientRef: "my contract" }),
        ResultCode.INVALID_FIELD,
        "OpenContract.clientRef",
      ));
    it("cluster id that is not a DNS label", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ clusterId: "Home_Cluster" }),
        ResultCode.INVALID_FIELD,
        "OpenContract.clusterId",
      ));
    it("opening again for the same client reference", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ clientRef: openedRef, regions: ["eu-west"], replicas: 2n }),
        ResultCode.DUPLICATE,
        `contract ${contractId}`,
      ));
    it("budget below one interval", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ budget: 10n }),
        ResultCode.INVALID_FIELD,
        "OpenContract.budget",
      ));
    it("budget above the balance", () =>
      expectRejected(
        payer,
        OpenContractMsg,
        contractTerms({ budget: 10n ** 12n }),
        ResultCode.INSUFFICIENT_FUNDS,
        "OpenContract.budget",
      ));
    it("missing field", () =>
      expectUndecodable(
        OpenContractMsg,
        OpenContractMsg.fields.slice(0, 12),
        contractTerms(),
        "OpenContract: expected 13 fields",
      ));
    it("replicas wider than uint16", () =>
      expectUndecodable(
        OpenContractMsg,
        OpenContractMsg.fields.map((f) => (f.name === "replicas" ? { ...f, type: "uint32" } : f)),
        contractTerms({ replicas: 70_000n }),
        "OpenContract.replicas: out of range for uint16",
      ));
  });

  describe("TopUpContract, CloseContract", () => {
    it("malformed contract id", () =>
      expectRejected(
        payer,
        TopUpContractMsg,
        { contractId: "c-1", amount: 5n },
        ResultCode.INVALID_FIELD,
        "TopUpContract.contractId",
      ));
    it("unknown contract", () =>
      expectRejected(
        payer,
        TopUpContractMsg,
        { contractId: "0".repeat(20), amount: 5n },
        ResultCode.NOT_FOUND,
        "TopUpContract.contractId",
      ));
    it("top-up by someone else", () =>
      expectRejected(
        stranger,
        TopUpContractMsg,
        { contractId, amount: 5n },
        ResultCode.UNAUTHORISED,
        "TopUpContract",
      ));
    it("zero top-up", () =>
      expectRejected(
        payer,
        TopUpContractMsg,
        { contractId, amount: 0n },
        ResultCode.INVALID_FIELD,
        "TopUpContract.amount",
      ));
    it("top-up above the balance", () =>
      expectRejected(
        payer,
        TopUpContractMsg,
        { contractId, amount: 10n ** 12n },
        ResultCode.INSUFFICIENT_FUNDS,
        "TopUpContract.amount",
      ));
    it("close by the operator", () =>
      expectRejected(operator, CloseContractMsg, { contractId }, ResultCode.UNAUTHORISED, "CloseContract"));
    it("close of an unknown contract", () =>
      expectRejected(
        payer,
        CloseContractMsg,
        { contractId: "f".repeat(20) },
        ResultCode.NOT_FOUND,
        "CloseContract.contractId",
      ));
  });

  describe("RecordLease, EndLease", () => {
    const lease = (overrides: Record<string, unknown> = {}) => ({
      contractId,
      replica: 1n,
      nodeId: "node-a",
      podUid: "pod-2",
      startedAt: BigInt(t0 + 2),
      ...overrides,
    });
    it("by someone neither payer nor operator", () =>
      expectRejected(stranger, RecordLeaseMsg, lease(), ResultCode.UNAUTHORISED, "RecordLease"));
    it("replica out of range", () =>
      expectRejected(
        operator,
        RecordLeaseMsg,
        lease({ replica: 2n }),
        ResultCode.INVALID_FIELD,
        "RecordLease.replica",
      ));
    it("replica already held", () =>
      expectRejected(
        operator,
        RecordLeaseMsg,
        lease({ replica: 0n }),
        ResultCode.ALREADY_EXISTS,
        "RecordLease.replica",
      ));
    it("pod already leased", () =>
      expectRejected(
        operator,
        RecordLeaseMsg,
        lease({ podUid: "pod-1" }),
        ResultCode.DUPLICATE,
        "RecordLease.podUid",
      ));
    it("malformed pod UID", () =>
      expectRejected(
        operator,
        RecordLeaseMsg,
        lease({ podUid: "Pod 2" }),
        ResultCode.INVALID_FIELD,
        "RecordLease.podUid",
      ));
    it("start far in the past", () =>
      expectRejected(
        operator,
        RecordLeaseMsg,
        lease({ startedAt: BigInt(t0 - 10_000) }),
        ResultCode.INVALID_FIELD,
        "RecordLease.startedAt",
      ));
    it("unknown node", () =>
      expectRejected(
        operator,
        RecordLeaseMsg,
        lease({ nodeId: "node-zz" }),
        ResultCode.NOT_FOUND,
        "RecordLease.nodeId",
      ));
    it("node asks more than the max price", () =>
      expectRejected(
        operator,
        RecordLeaseMsg,
        lease({ nodeId: "node-dear" }),
        ResultCode.PLACEMENT_REJECTED,
        "RecordLease.nodeId",
      ));
    it("node outside the contract's regions", () =>
      expectRejected(
        operator,
        RecordLeaseMsg,
        lease({ nodeId: "node-us" }),
        ResultCode.PLACEMENT_REJECTED,
        "region us-east",
      ));
    it("end with an unknown outcome", () =>
      expectRejected(
        operator,
        EndLeaseMsg,
        { contractId, podUid: "pod-1", endedAt: BigInt(t0 + 2), outcome: "vanished" },
        ResultCode.INVALID_FIELD,
        "EndLease.outcome",
      ));
    it("end of a pod without lease", () =>
      expectRejected(
        operator,
        EndLeaseMsg,
        { contractId, podUid: "pod-9", endedAt: BigInt(t0 + 2), outcome: "failed" },
        ResultCode.NO_LEASE,
        "EndLease.podUid",
      ));
    it("end before the billed seconds", () =>
      expectRejected(
        operator,
        EndLeaseMsg,
        { contractId, podUid: "pod-1", endedAt: BigInt(t0), outcome: "failed" },
        ResultCode.INVALID_FIELD,
        "EndLease.endedAt",
      ));
  });

  describe("RecordBreach, RateContributor", () => {
    it("unknown breach kind", () =>
      expectRejected(
        operator,
        RecordBreachMsg,
        { contractId, replica: 0n, nodeId: "node-a", podUid: "pod-1", kind: "rude", seconds: 1n },
        ResultCode.INVALID_FIELD,
        "RecordBreach.kind",
      ));
    it("breach by a node that never served the contract", () =>
      expectRejected(
        operator,
        RecordBreachMsg,
        { contractId, replica: 0n, nodeId: "node-us", podUid: "pod-1", kind: "recovery", seconds: 1n },
        ResultCode.NO_LEASE,
        "RecordBreach.nodeId",
      ));
    it("rating above 5", () =>
      expectRejected(
        payer,
        RateContributorMsg,
        { contractId, nodeId: "node-a", rating: 6n },
        ResultCode.INVALID_FIELD,
        "RateContributor.rating",
      ));
    it("rating by the operator", () =>
      expectRejected(
        operator,
        RateContributorMsg,
        { contractId, nodeId: "node-a", rating: 4n },
        ResultCode.UNAUTHORISED,
        "RateContributor",
      ));
  });

  describe("MeteringBatch", () => {
    const record = (overrides: Record<string, unknown> = {}) =>
      meterRecord("pod-1", contractId, "node-a", t0 + 1, t0 + 2, overrides);
    it("no records", () =>
      expectRejected(
        owner,
        MeteringBatchMsg,
        { contributor: ownerAddress(), root: `0x${"00".repeat(32)}`, records: [] },
        ResultCode.INVALID_FIELD,
        "MeteringBatch.records",
      ));
    it("root that does not match the records", () =>
      expectRejected(
        owner,
        MeteringBatchMsg,
        { ...batchOf(ownerAddress(), [record()]), root: `0x${"ab".repeat(32)}` },
        ResultCode.ROOT_MISMATCH,
        "MeteringBatch.root",
      ));
    it("pod without a lease", () =>
      expectRejected(
        owner,
        MeteringBatchMsg,
        batchOf(ownerAddress(), [record({ podUid: "pod-9" })]),
        ResultCode.NO_LEASE,
        "records[0].podUid",
      ));
    it("pod on a node that holds no lease for it", () =>
      expectRejected(
        owner,
        MeteringBatchMsg,
        batchOf(ownerAddress(), [record({ nodeId: "node-us" })]),
        ResultCode.NO_LEASE,
        "records[0].podUid",
      ));
    it("empty interval", () =>
      expectRejected(
        owner,
        MeteringBatchMsg,
        batchOf(ownerAddress(), [record({ toTime: BigInt(t0 + 1) })]),
        ResultCode.INVALID_FIELD,
        "records[0].toTime",
      ));
    it("interval in the future", () =>
      expectRejected(
        owner,
        MeteringBatchMsg,
        batchOf(ownerAddress(), [record({ toTime: BigInt(t0 + 5_000) })]),
        ResultCode.INVALID_FIELD,
        "records[0].toTime",
      ));
    it("SCU different from the lease", () =>
      expectRejected(
        owner,
        MeteringBatchMsg,
        batchOf(ownerAddress(), [record({ scu: 3n })]),
        ResultCode.INVALID_FIELD,
        "records[0].scu",
      ));
    it("malformed contract id", () =>
      expectRejected(
        owner,
        MeteringBatchMsg,
        batchOf(ownerAddress(), [record({ contractId: "nope" })]),
        ResultCode.INVALID_FIELD,
        "records[0].contractId",
      ));
    it("a second already billed", () =>
      expectRejected(
        owner,
        MeteringBatchMsg,
        batchOf(ownerAddress(), [record({ fromTime: BigInt(t0) })]),
        ResultCode.DOUBLE_BILLED,
        "records[0].fromTime",
      ));
    it("batch for another contributor", () =>
      expectRejected(
        stranger,
        MeteringBatchMsg,
        batchOf(stranger.address.toLowerCase(), [record()]),
        ResultCode.UNAUTHORISED,
        "records[0].nodeId",
      ));
    it("signed by someone neither contributor nor operator", () =>
      expectRejected(
        stranger,
        MeteringBatchMsg,
        batchOf(ownerAddress(), [record()]),
        ResultCode.UNAUTHORISED,
        "records[0].nodeId",
      ));
    it("missing records field", () =>
      expectUndecodable(
        MeteringBatchMsg,
        MeteringBatchMsg.fields.slice(0, 2),
        { contributor: ownerAddress(), root: `0x${"00".repeat(32)}` },
        "MeteringBatch: expected 3 fields",
      ));
  });

  describe("every economy message with its last field missing", () => {
    /** A value of each wire type, so the shortened message still encodes. */
    const sample = (type: string): unknown =>
      type.endsWith("[]")
        ? []
        : type === "address"
          ? ZeroAddress
          : type === "bool"
            ? false
            : type.startsWith("bytes")
              ? `0x${"00".repeat(type === "bytes" ? 1 : Number(type.slice(5)))}`
              : type === "string"
                ? "x"
                : 1n;
    for (const spec of uranusCatalog.all().filter((s) => s.typeId >= 32 && s.fields.length > 0)) {
      it(spec.primaryType, () => {
        const fields = spec.fields.slice(0, -1);
        const message = Object.fromEntries(fields.map((f) => [f.name, sample(f.type)]));
        return expectUndecodable(
          spec,
          [...fields],
          message,
          `${spec.primaryType}: expected ${spec.fields.length} fields`,
        );
      });
    }
  });

  describe("ProposeParamChange, ApproveParamChange", () => {
    const change = (module: string, name: string, value: string) => ({ changes: [{ module, name, value }] });
    it("proposed by a non-validator", () =>
      expectRejected(
        stranger,
        ProposeParamChangeMsg,
        change("metering", "feeBps", "100"),
        ResultCode.UNAUTHORISED,
        "ProposeParamChange",
      ));
    it("no changes", () =>
      expectRejected(
        validator,
        ProposeParamChangeMsg,
        { changes: [] },
        ResultCode.INVALID_FIELD,
        "ProposeParamChange.changes",
      ));
    it("unknown module", () =>
      expectRejected(
        validator,
        ProposeParamChangeMsg,
        change("weather", "feeBps", "1"),
        ResultCode.INVALID_FIELD,
        "changes[0].module",
      ));
    it("unknown parameter", () =>
      expectRejected(
        validator,
        ProposeParamChangeMsg,
        change("metering", "tip", "1"),
        ResultCode.INVALID_FIELD,
        "changes[0].name",
      ));
    it("malformed value", () =>
      expectRejected(
        validator,
        ProposeParamChangeMsg,
        change("metering", "feeBps", "-1"),
        ResultCode.INVALID_FIELD,
        "changes[0].value",
      ));
    it("value out of range", () =>
      expectRejected(
        validator,
        ProposeParamChangeMsg,
        change("metering", "feeBps", "20000"),
        ResultCode.INVALID_FIELD,
        "changes[0].value",
      ));
    it("approval of an unknown proposal", () =>
      expectRejected(
        validator,
        ApproveParamChangeMsg,
        { proposalId: 77n },
        ResultCode.NOT_FOUND,
        "ApproveParamChange.proposalId",
      ));
    it("approval by a non-validator", () =>
      expectRejected(
        stranger,
        ApproveParamChangeMsg,
        { proposalId: 1n },
        ResultCode.UNAUTHORISED,
        "ApproveParamChange",
      ));
  });
});
