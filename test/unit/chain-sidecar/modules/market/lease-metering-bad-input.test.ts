import { expect } from "chai";
import { ZeroAddress } from "ethers";
import * as governance from "../../../../../chain-sidecar/modules/governance/governance-messages.js";
import * as market from "../../../../../chain-sidecar/modules/market/market-messages.js";
import {
  MeteringBatchMsg,
  type MeterRecord,
} from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { uranusCatalog } from "../../../../../chain-sidecar/modules/uranus-modules.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { RegisterNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { batchOf, meterRecord, nodeOffer } from "./economy-fixtures.js";
import {
  economyWorld,
  operator,
  owner,
  payer,
  stranger,
  validator,
  type EconomyWorld,
} from "./economy-world.js";

const { DUPLICATE, INVALID_FIELD, NO_LEASE, NOT_FOUND, UNAUTHORISED } = ResultCode;

describe("economy transactions: bad input gets its specific code and names the field (through the real app): leases, SLA, metering and governance", function () {
  this.timeout(120_000);
  const world = economyWorld();
  const { itRefuses, itRefusesUndecodable } = world;
  let harness: EconomyWorld["harness"];
  let contractId: string;
  let t0: number;
  before(() => {
    ({ harness, contractId, t0 } = world.state());
  });

  const ownerAddress = () => owner.address.toLowerCase();

  describe("RecordLease, EndLease", () => {
    /** A lease of replica 1 starting `startsAfter` seconds after t0, built when the test runs (once t0 is known). */
    const lease =
      (overrides: Partial<market.RecordLease> = {}, startsAfter = 2) =>
      () => ({
        contractId,
        replica: 1n,
        nodeId: "node-a",
        podUid: "pod-2",
        startedAt: BigInt(t0 + startsAfter),
        ...overrides,
      });
    itRefuses(market.RecordLeaseMsg, [
      ["by someone neither payer nor operator", stranger, lease(), UNAUTHORISED, "RecordLease"],
      ["replica out of range", operator, lease({ replica: 2n }), INVALID_FIELD, ".replica"],
      ["replica already held", operator, lease({ replica: 0n }), ResultCode.ALREADY_EXISTS, ".replica"],
      ["pod already leased", operator, lease({ podUid: "pod-1" }), DUPLICATE, ".podUid"],
      ["malformed pod UID", operator, lease({ podUid: "Pod 2" }), INVALID_FIELD, ".podUid"],
      ["start far in the past", operator, lease({}, -10_000), INVALID_FIELD, ".startedAt"],
      ["unknown node", operator, lease({ nodeId: "node-zz" }), NOT_FOUND, ".nodeId"],
      [
        "node asks more than the max price",
        operator,
        lease({ nodeId: "node-dear" }),
        ResultCode.PLACEMENT_REJECTED,
        ".nodeId",
      ],
      [
        "node outside the contract's regions",
        operator,
        lease({ nodeId: "node-us" }),
        ResultCode.PLACEMENT_REJECTED,
        "region us-east",
      ],
    ]);
    const end = (podUid: string, after: number, outcome: string) => () => ({
      contractId,
      podUid,
      endedAt: BigInt(t0 + after),
      outcome,
    });
    itRefuses(market.EndLeaseMsg, [
      ["end with an unknown outcome", operator, end("pod-1", 2, "vanished"), INVALID_FIELD, ".outcome"],
      ["end of a pod without lease", operator, end("pod-9", 2, "failed"), NO_LEASE, ".podUid"],
      ["end before the billed seconds", operator, end("pod-1", 0, "failed"), INVALID_FIELD, ".endedAt"],
    ]);
  });

  describe("RecordBreach, RateContributor", () => {
    const breach =
      (nodeId: string, kind: string, seconds: bigint, podUid = "pod-1", replica = 0n) =>
      () => ({ contractId, replica, nodeId, podUid, kind, seconds });
    itRefuses(market.RecordBreachMsg, [
      ["unknown breach kind", operator, breach("node-a", "rude", 1n), INVALID_FIELD, ".kind"],
      [
        "breach by a node that never served the contract",
        operator,
        breach("node-us", "recovery", 1n),
        NO_LEASE,
        ".nodeId",
      ],
      [
        "availability breach naming a pod that never held a lease",
        operator,
        breach("node-a", "availability", 1n, "pod-77"),
        NO_LEASE,
        "pod pod-77 held no lease of replica 0",
      ],
      [
        "availability breach naming the pod of another replica",
        operator,
        breach("node-a", "availability", 1n, "pod-1", 1n),
        NO_LEASE,
        "node node-a never held a lease of replica 1",
      ],
      [
        "recovery breach naming a pod that holds no lease",
        operator,
        breach("node-a", "recovery", 1n, "pod-unleased"),
        NO_LEASE,
        "is not where replica 0",
      ],
      [
        "recovery breach naming the failed node's own pod",
        operator,
        breach("node-a", "recovery", 1n),
        NO_LEASE,
        "is not where replica 0",
      ],
    ]);
    it("a recovery breach needs the failed node to have held that replica: a node that served only another replica is refused", async () => {
      const at = (after: number) => BigInt(t0 + after);
      const lease = (replica: bigint, nodeId: string, podUid: string, after: number) =>
        harness.sign(operator, market.RecordLeaseMsg, {
          contractId,
          replica,
          nodeId,
          podUid,
          startedAt: at(after),
        });
      const setup = await harness.block([
        await harness.sign(owner, RegisterNodeMsg, nodeOffer("node-b")),
        await lease(1n, "node-b", "pod-b1", 2),
      ]);
      expect(setup.txResults.map((r) => r.log)).to.deep.equal(["", ""]);
      // node-b ran replica 1 only, so it cannot be blamed for replica 0 recovering in pod-1.
      await world.expectRejected(
        operator,
        market.RecordBreachMsg,
        breach("node-b", "recovery", 1n, "pod-1", 0n)(),
        NO_LEASE,
        "node node-b never held a lease of replica 0",
      );
      const moved = await harness.block([
        await harness.sign(operator, market.EndLeaseMsg, {
          contractId,
          podUid: "pod-b1",
          endedAt: at(3),
          outcome: "failed",
        }),
        await lease(1n, "node-a", "pod-a1", 3),
        await harness.sign(
          operator,
          market.RecordBreachMsg,
          breach("node-b", "recovery", 1n, "pod-a1", 1n)(),
        ),
      ]);
      expect(moved.txResults.map((r) => r.log)).to.deep.equal(["", "", ""]);
    });
    it("the same breach twice: refused as a duplicate naming the pod", async () => {
      const twice = breach("node-a", "availability", 0n)();
      const first = await harness.block([await harness.sign(operator, market.RecordBreachMsg, twice)]);
      expect(first.txResults[0]!.log).to.equal("");
      await world.expectRejected(operator, market.RecordBreachMsg, twice, DUPLICATE, "RecordBreach.podUid");
    });
    const rating = (value: bigint) => () => ({ contractId, nodeId: "node-a", rating: value });
    itRefuses(market.RateContributorMsg, [
      ["rating above 5", payer, rating(6n), INVALID_FIELD, ".rating"],
      ["rating by the operator", operator, rating(4n), UNAUTHORISED, "RateContributor"],
    ]);
  });

  describe("MeteringBatch", () => {
    /** The owner's batch of one record of pod-1 from t0+`from` to t0+`to`, built when the test runs. */
    const batch =
      (overrides: Partial<MeterRecord> = {}, from = 1, to = 2) =>
      () =>
        batchOf(ownerAddress(), [meterRecord("pod-1", contractId, "node-a", t0 + from, t0 + to, overrides)]);
    const noRecords = () => ({ contributor: ownerAddress(), root: `0x${"00".repeat(32)}`, records: [] });
    const wrongRoot = () => ({ ...batch()(), root: `0x${"ab".repeat(32)}` });
    const strangersBatch = () => ({ ...batch()(), contributor: stranger.address.toLowerCase() });
    itRefuses(MeteringBatchMsg, [
      ["no records", owner, noRecords, INVALID_FIELD, ".records"],
      ["root that does not match the records", owner, wrongRoot, ResultCode.ROOT_MISMATCH, ".root"],
      ["pod without a lease", owner, batch({ podUid: "pod-9" }), NO_LEASE, "records[0].podUid"],
      [
        "pod on a node that holds no lease for it",
        owner,
        batch({ nodeId: "node-us" }),
        NO_LEASE,
        "records[0].podUid",
      ],
      ["empty interval", owner, batch({}, 1, 1), INVALID_FIELD, "records[0].toTime"],
      ["interval in the future", owner, batch({}, 1, 5_000), INVALID_FIELD, "records[0].toTime"],
      ["SCU different from the lease", owner, batch({ scu: 3n }), INVALID_FIELD, "records[0].scu"],
      ["malformed contract id", owner, batch({ contractId: "nope" }), INVALID_FIELD, "records[0].contractId"],
      [
        "CPU above 1000 times the reservation",
        owner,
        batch({ cpuMillicores: 2_000_001n, memoryBytes: 1n << 30n }),
        INVALID_FIELD,
        "records[0].cpuMillicores",
      ],
      [
        "memory above 1000 times the reservation",
        owner,
        batch({ cpuMillicores: 500n, memoryBytes: 4_000n * (1n << 31n) + 1n }),
        INVALID_FIELD,
        "records[0].memoryBytes",
      ],
      [
        "CPU without memory (half a measurement)",
        owner,
        batch({ cpuMillicores: 500n }),
        INVALID_FIELD,
        "records[0].cpuMillicores",
      ],
      ["a second already billed", owner, batch({}, 0, 2), ResultCode.DOUBLE_BILLED, "records[0].fromTime"],
      ["batch for another contributor", stranger, strangersBatch, UNAUTHORISED, "records[0].nodeId"],
      [
        "signed by someone neither contributor nor operator",
        stranger,
        batch(),
        UNAUTHORISED,
        "records[0].nodeId",
      ],
    ]);
    itRefusesUndecodable(MeteringBatchMsg, [
      [
        "missing records field",
        MeteringBatchMsg.fields.slice(0, 2),
        () => ({ contributor: ownerAddress(), root: `0x${"00".repeat(32)}` }),
        "MeteringBatch: expected 3 fields",
      ],
    ]);
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
      const fields = spec.fields.slice(0, -1);
      const message = Object.fromEntries(fields.map((f) => [f.name, sample(f.type)]));
      itRefusesUndecodable(spec, [
        [
          spec.primaryType,
          [...fields],
          message,
          `${spec.primaryType}: expected ${spec.fields.length} fields`,
        ],
      ]);
    }
  });

  describe("ProposeParamChange, ApproveParamChange", () => {
    const change = (module: string, name: string, value: string) => ({ changes: [{ module, name, value }] });
    itRefuses(governance.ProposeParamChangeMsg, [
      [
        "proposed by a non-validator",
        stranger,
        change("metering", "feeBps", "100"),
        UNAUTHORISED,
        "ProposeParamChange",
      ],
      ["no changes", validator, { changes: [] }, INVALID_FIELD, ".changes"],
      ["unknown module", validator, change("weather", "feeBps", "1"), INVALID_FIELD, "changes[0].module"],
      ["unknown parameter", validator, change("metering", "tip", "1"), INVALID_FIELD, "changes[0].name"],
      ["malformed value", validator, change("metering", "feeBps", "-1"), INVALID_FIELD, "changes[0].value"],
      [
        "value out of range",
        validator,
        change("metering", "feeBps", "20000"),
        INVALID_FIELD,
        "changes[0].value",
      ],
    ]);
    itRefuses(governance.ApproveParamChangeMsg, [
      ["approval of an unknown proposal", validator, { proposalId: 77n }, NOT_FOUND, ".proposalId"],
      ["approval by a non-validator", stranger, { proposalId: 1n }, UNAUTHORISED, "ApproveParamChange"],
    ]);
  });
});
