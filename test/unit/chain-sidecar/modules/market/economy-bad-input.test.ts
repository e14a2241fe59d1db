import { ZeroAddress } from "ethers";
import {
  CloseContractMsg,
  OpenContractMsg,
  TopUpContractMsg,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import {
  DeregisterNodeMsg,
  HeartbeatMsg,
  RegisterNodeMsg,
  UpdateNodeMsg,
} from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { contractTerms, nodeOffer } from "./economy-fixtures.js";

import { economyWorld, operator, owner, payer, stranger } from "./economy-world.js";

describe("economy transactions: bad input gets its specific code and names the field (through the real app): nodes and contracts", function () {
  this.timeout(120_000);
  const world = economyWorld();
  const { expectRejected, expectUndecodable } = world;
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
});
