import { ZeroAddress } from "ethers";
import * as market from "../../../../../chain-sidecar/modules/market/market-messages.js";
import * as poc from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import type { RefusalRow } from "../../checktx-refusals.js";
import { contractTerms, nodeOffer } from "./economy-fixtures.js";
import { economyWorld, operator, owner, payer, retyped, stranger } from "./economy-world.js";

const { ALREADY_EXISTS, INSUFFICIENT_FUNDS, INVALID_FIELD, NOT_FOUND, UNAUTHORISED, WRONG_STATE } =
  ResultCode;

describe("economy transactions: bad input gets its specific code and names the field (through the real app): nodes and contracts", function () {
  this.timeout(120_000);
  const world = economyWorld();
  const { itRefuses, itRefusesUndecodable } = world;
  let contractId: string;
  let openedRef: string;
  before(() => {
    ({ contractId, openedRef } = world.state());
  });

  const beat = (nodeId: string) => ({
    nodeId,
    cpuMillicores: 0n,
    memoryBytes: 0n,
    storageBytes: 0n,
    bandwidthMbps: 0n,
  });

  describe("RegisterNode", () => {
    itRefuses(poc.RegisterNodeMsg, [
      ["malformed node id", owner, nodeOffer("Node_A"), INVALID_FIELD, ".nodeId"],
      ["malformed region", owner, nodeOffer("node-b", { region: "EU West" }), INVALID_FIELD, ".region"],
      ["unknown isolation", owner, nodeOffer("node-b", { isolation: "docker" }), INVALID_FIELD, ".isolation"],
      ["no cpu", owner, nodeOffer("node-b", { cpuMillicores: 0n }), INVALID_FIELD, ".cpuMillicores"],
      ["node already registered", stranger, nodeOffer("node-a"), ALREADY_EXISTS, ".nodeId"],
    ]);
    itRefusesUndecodable(poc.RegisterNodeMsg, [
      [
        "missing field",
        poc.RegisterNodeMsg.fields.slice(0, -1),
        nodeOffer("node-b"),
        "RegisterNode: expected 9 fields",
      ],
      [
        "out-of-range cpu",
        retyped(poc.RegisterNodeMsg, "cpuMillicores", "uint128"),
        nodeOffer("node-b", { cpuMillicores: 1n << 70n }),
        "RegisterNode.cpuMillicores: out of range for uint64",
      ],
    ]);
  });

  describe("Heartbeat, UpdateNode, DeregisterNode", () => {
    itRefuses(poc.HeartbeatMsg, [
      ["unknown node", owner, beat("node-zz"), NOT_FOUND, ".nodeId"],
      ["heartbeat by a stranger", stranger, beat("node-a"), UNAUTHORISED, "Heartbeat"],
    ]);
    itRefusesUndecodable(poc.HeartbeatMsg, [
      ["missing field", poc.HeartbeatMsg.fields.slice(0, 2), beat("node-a"), "Heartbeat: expected 5 fields"],
    ]);
    itRefuses(poc.UpdateNodeMsg, [
      [
        "update by a stranger",
        stranger,
        { nodeId: "node-a", pricePerScuHour: 1n, operator: ZeroAddress },
        UNAUTHORISED,
        "UpdateNode",
      ],
    ]);
    itRefuses(poc.DeregisterNodeMsg, [
      ["deregister by a stranger", stranger, { nodeId: "node-us" }, UNAUTHORISED, "DeregisterNode"],
      ["deregister while a lease is active", owner, { nodeId: "node-a" }, WRONG_STATE, ".nodeId"],
    ]);
  });

  describe("OpenContract", () => {
    // Built when the test runs: each call of contractTerms stands for another client reference.
    const terms = (overrides: Parameters<typeof contractTerms>[0]) => () => contractTerms(overrides);
    /** The payer's terms with `overrides`, refused as an invalid `field`. */
    const invalidTerms = (
      name: string,
      overrides: Partial<market.OpenContract>,
      field: string,
    ): RefusalRow<market.OpenContract> => [name, payer, terms(overrides), INVALID_FIELD, field];
    itRefuses(market.OpenContractMsg, [
      invalidTerms("zero SCU", { scuPerReplica: 0n }, ".scuPerReplica"),
      invalidTerms("too many replicas", { replicas: 5_000n }, ".replicas"),
      invalidTerms("zero max price", { maxPricePerScuHour: 0n }, ".maxPricePerScuHour"),
      invalidTerms("zero duration", { durationSeconds: 0n }, ".durationSeconds"),
      invalidTerms("zero recovery time", { recoverWithinSeconds: 0n }, ".recoverWithinSeconds"),
      invalidTerms("malformed region", { regions: ["eu-west", "Mars!"] }, ".regions[1]"),
      invalidTerms("duplicate region", { regions: ["eu-west", "eu-west"] }, ".regions[1]"),
      invalidTerms("unknown billing", { billing: "hourly" }, ".billing"),
      invalidTerms("billing in the CRD's spelling", { billing: "Used" }, ".billing"),
      invalidTerms("client reference missing", { clientRef: "" }, ".clientRef"),
      invalidTerms("client reference with a space", { clientRef: "my contract" }, ".clientRef"),
      invalidTerms("cluster id that is not a DNS label", { clusterId: "Home_Cluster" }, ".clusterId"),
    ]);
    it("opening again for the same client reference", () =>
      world.expectRejected(
        payer,
        market.OpenContractMsg,
        contractTerms({ clientRef: openedRef, regions: ["eu-west"], replicas: 2n }),
        ResultCode.DUPLICATE,
        `contract ${contractId}`,
      ));
    itRefuses(market.OpenContractMsg, [
      ["budget below one interval", payer, terms({ budget: 10n }), INVALID_FIELD, ".budget"],
      ["budget above the balance", payer, terms({ budget: 10n ** 12n }), INSUFFICIENT_FUNDS, ".budget"],
    ]);
    itRefusesUndecodable(market.OpenContractMsg, [
      [
        "missing field",
        market.OpenContractMsg.fields.slice(0, 13),
        terms({}),
        "OpenContract: expected 14 fields",
      ],
      [
        "replicas wider than uint16",
        retyped(market.OpenContractMsg, "replicas", "uint32"),
        terms({ replicas: 70_000n }),
        "OpenContract.replicas: out of range for uint16",
      ],
    ]);
  });

  describe("TopUpContract, CloseContract", () => {
    const topUp = (amount: bigint, id?: string) => () => ({ contractId: id ?? contractId, amount });
    itRefuses(market.TopUpContractMsg, [
      ["malformed contract id", payer, topUp(5n, "c-1"), INVALID_FIELD, ".contractId"],
      ["unknown contract", payer, topUp(5n, "0".repeat(20)), NOT_FOUND, ".contractId"],
      ["top-up by someone else", stranger, topUp(5n), UNAUTHORISED, "TopUpContract"],
      ["zero top-up", payer, topUp(0n), INVALID_FIELD, ".amount"],
      ["top-up above the balance", payer, topUp(10n ** 12n), INSUFFICIENT_FUNDS, ".amount"],
    ]);
    itRefuses(market.CloseContractMsg, [
      ["close by the operator", operator, () => ({ contractId }), UNAUTHORISED, "CloseContract"],
      ["close of an unknown contract", payer, { contractId: "f".repeat(20) }, NOT_FOUND, ".contractId"],
    ]);
  });
});
