// What a contract's payer and operator say of the nodes that served it: SLA breaches (recorded once per pod and
// kind) and ratings (once per node), both only for nodes that held one of its leases.
import { encodeRecord, decodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import { checkNodeId, checkPodUid } from "../identifiers.js";
import type { NodeLedger } from "./expected-keepers.js";
import { inRange } from "./market-checks.js";
import type { RateContributor, RecordBreach } from "./market-messages.js";
import { readLease, readServed, type MarketKeeper } from "./market-keeper.js";
import { BREACH_KINDS, breachKey, ratingKey, servedKey, type Contract } from "./market-records.js";

/** The one SLA keeper of the app, over its contract keeper and the contributor nodes' records. */
export class SlaKeeper {
  constructor(
    private readonly market: MarketKeeper,
    private readonly nodes: NodeLedger,
  ) {}

  recordBreach(state: StateWriter, sender: string, msg: RecordBreach): Contract {
    const contract = this.market.requireContract(state, msg.contractId, "RecordBreach.contractId");
    this.market.requireManager(contract, sender, "RecordBreach");
    if (!(BREACH_KINDS as readonly string[]).includes(msg.kind))
      throw invalidField(
        "RecordBreach.kind",
        `${JSON.stringify(msg.kind)} is not one of ${BREACH_KINDS.join(", ")}`,
      );
    const replica = inRange(msg.replica, 0, contract.replicas - 1, "RecordBreach.replica");
    const nodeId = checkNodeId(msg.nodeId, "RecordBreach.nodeId");
    const podUid = checkPodUid(msg.podUid, "RecordBreach.podUid");
    const served = readServed(state, contract.id, nodeId);
    if (!served)
      throw new TxError(
        ResultCode.NO_LEASE,
        `RecordBreach.nodeId: node ${nodeId} never held a lease of ${contract.id}`,
      );
    // A recovery breach names the pod elsewhere; this is what ties the failed node to the replica.
    if (!served.replicas.includes(replica))
      throw new TxError(
        ResultCode.NO_LEASE,
        `RecordBreach.nodeId: node ${nodeId} never held a lease of replica ${replica} of ${contract.id}`,
      );
    this.requireBreachPod(state, contract, replica, nodeId, podUid, msg.kind);
    const key = breachKey(contract.id, podUid, msg.kind);
    if (state.get(key))
      throw new TxError(
        ResultCode.DUPLICATE,
        `RecordBreach.podUid: the ${msg.kind} breach of pod ${podUid} is already recorded for contract ${contract.id}`,
      );
    contract.breaches += 1;
    state.set(key, encodeRecord({ replica, nodeId, kind: msg.kind, seconds: Number(msg.seconds) }));
    this.nodes.addBreach(state, nodeId);
    this.market.save(state, contract);
    return contract;
  }

  /**
   * The pod a breach names must hold or have held a lease of this replica: on the failed node (availability,
   * migrations), or elsewhere, the pod it recovered in (recovery). A made-up pod UID names no lease.
   */
  private requireBreachPod(
    state: StateReader,
    contract: Contract,
    replica: number,
    nodeId: string,
    podUid: string,
    kind: string,
  ): void {
    const lease = readLease(state, podUid);
    const ofReplica = lease !== undefined && lease.contractId === contract.id && lease.replica === replica;
    if (kind === "recovery") {
      if (ofReplica && lease.nodeId !== nodeId) return;
      throw new TxError(
        ResultCode.NO_LEASE,
        `RecordBreach.podUid: pod ${podUid} is not where replica ${replica} of ${contract.id} recovered from node ${nodeId}`,
      );
    }
    if (!ofReplica || lease.nodeId !== nodeId)
      throw new TxError(
        ResultCode.NO_LEASE,
        `RecordBreach.podUid: pod ${podUid} held no lease of replica ${replica} of ${contract.id} on node ${nodeId}`,
      );
  }

  rate(state: StateWriter, sender: string, msg: RateContributor): void {
    const contract = this.market.requireContract(state, msg.contractId, "RateContributor.contractId");
    if (sender !== contract.payer)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `RateContributor: only the payer ${contract.payer} may rate for ${contract.id}`,
      );
    const rating = inRange(msg.rating, 1, 5, "RateContributor.rating");
    const nodeId = checkNodeId(msg.nodeId, "RateContributor.nodeId");
    if (!state.get(servedKey(contract.id, nodeId)))
      throw new TxError(
        ResultCode.NO_LEASE,
        `RateContributor.nodeId: node ${nodeId} never held a lease of ${contract.id}`,
      );
    const rated = state.get(ratingKey(contract.id, nodeId));
    if (rated)
      throw new TxError(
        ResultCode.DUPLICATE,
        `RateContributor.nodeId: ${nodeId} is already rated ${(decodeRecord(rated) as { rating: number }).rating} for ${contract.id}`,
      );
    state.set(ratingKey(contract.id, nodeId), encodeRecord({ rating }));
    this.nodes.addRating(state, nodeId, rating);
  }
}
