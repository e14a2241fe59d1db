import { expect } from "chai";
import { ZeroAddress } from "ethers";
import {
  ApproveParamChangeMsg,
  ProposeParamChangeMsg,
} from "../../../../../chain-sidecar/modules/governance/governance-messages.js";
import {
  EndLeaseMsg,
  RateContributorMsg,
  RecordBreachMsg,
  RecordLeaseMsg,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { uranusCatalog } from "../../../../../chain-sidecar/modules/uranus-modules.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { batchOf, meterRecord } from "./economy-fixtures.js";

import {
  economyWorld,
  operator,
  owner,
  payer,
  stranger,
  validator,
  type EconomyWorld,
} from "./economy-world.js";

describe("economy transactions: bad input gets its specific code and names the field (through the real app): leases, SLA, metering and governance", function () {
  this.timeout(120_000);
  const world = economyWorld();
  const { expectRejected, expectUndecodable } = world;
  let harness: EconomyWorld["harness"];
  let contractId: string;
  let t0: number;
  before(() => {
    ({ harness, contractId, t0 } = world.state());
  });

  const ownerAddress = () => owner.address.toLowerCase();

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
    it("the same breach twice: refused as a duplicate naming the pod", async () => {
      const breach = {
        contractId,
        replica: 0n,
        nodeId: "node-a",
        podUid: "pod-1",
        kind: "availability",
        seconds: 0n,
      };
      const first = await harness.block([await harness.sign(operator, RecordBreachMsg, breach)]);
      expect(first.txResults[0]!.log).to.equal("");
      await expectRejected(operator, RecordBreachMsg, breach, ResultCode.DUPLICATE, "RecordBreach.podUid");
    });
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
