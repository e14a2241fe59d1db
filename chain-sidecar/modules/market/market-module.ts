// The market module: thin handlers over the keeper, expiry at block end, contract and lease queries.
import { decodeRecord, type JsonValue } from "../../state/canonical-json.js";
import { handles, recordQuery, type ChainModule } from "../chain-module.js";
import type { ExecContext } from "../exec-context.js";
import { parseAddress } from "../field-parsers.js";
import { checkContractId, checkPodUid } from "../identifiers.js";
import {
  readActiveLeases,
  readContract,
  readContractsOfPayer,
  type ClosedContract,
  type MarketKeeper,
} from "./market-keeper.js";
import { checkContractReference, checkOpenContract } from "./market-checks.js";
import {
  CloseContractMsg,
  EndLeaseMsg,
  OpenContractMsg,
  RateContributorMsg,
  RecordBreachMsg,
  RecordLeaseMsg,
  ResizeContractMsg,
  TopUpContractMsg,
} from "./market-messages.js";
import { marketParams } from "./market-params.js";
import {
  BREACH_PREFIX,
  CONTRACT_PREFIX,
  contractKey,
  decodeContract,
  leaseKey,
  LEASE_RECORD,
  type Contract,
  type ContractState,
  type Lease,
} from "./market-records.js";
import { TxError } from "../../tx/tx-error.js";
import { ResultCode } from "../../tx/result-codes.js";
import type { StateReader } from "../../state/state-access.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import type { SlaKeeper } from "./sla-keeper.js";

/** Contracts per page of the all-contracts listing. */
export const CONTRACT_PAGE_SIZE = 100;

export function contractView(c: Contract): JsonValue {
  return {
    id: c.id,
    payer: c.payer,
    clusterId: c.clusterId,
    clientRef: c.clientRef,
    operator: c.operator,
    state: c.state,
    closeReason: c.closeReason,
    scuPerReplica: c.scuPerReplica,
    replicas: c.replicas,
    maxPricePerScuHour: c.maxPricePerScuHour.toString(),
    durationSeconds: c.durationSeconds,
    openedAt: c.openedAt,
    endsAt: c.endsAt,
    closedAt: c.closedAt,
    sla: { recoverWithinSeconds: c.recoverWithinSeconds, maxMigrations: c.maxMigrations },
    placement: { regions: c.regions, minPoc: c.minPoc.toString(), spread: c.spread },
    billing: c.billing,
    escrow: {
      deposited: c.deposited.toString(),
      spent: c.spent.toString(),
      remaining: c.escrow.toString(),
      refunded: c.refunded.toString(),
      unpaid: c.unpaid.toString(),
    },
    activeLeases: c.activeLeases,
    leasesTotal: c.leasesTotal,
    migrations: c.migrations,
    breaches: c.breaches,
  };
}

/** A lease as queries show it: its record without the height it was written at. */
export function leaseView(l: Lease): JsonValue {
  const { recordedHeight: _recordedHeight, ...view } = LEASE_RECORD.toJson(l);
  return view;
}

/** Emits contract_paused or contract_resumed when a change moved the contract between open and paused. */
export function emitStateMove(ctx: ExecContext, contract: Contract, moved: ContractState | undefined): void {
  if (moved === undefined) return;
  ctx.emit(moved === "paused" ? "contract_paused" : "contract_resumed", {
    contract: contract.id,
    escrow: contract.escrow,
  });
}

/** One page of every contract in id order, after the id `after` (exclusive), each with its opening height. */
function contractPage(state: StateReader, after: string | undefined): JsonValue {
  const from = after === undefined ? undefined : `${CONTRACT_PREFIX}${checkContractId(after, "after")}\u0000`;
  const entries = state.entries(CONTRACT_PREFIX, {
    ...(from === undefined ? {} : { from }),
    limit: CONTRACT_PAGE_SIZE + 1,
  });
  const page = entries.slice(0, CONTRACT_PAGE_SIZE).map(([, bytes]) => decodeContract(bytes));
  const next = entries.length > CONTRACT_PAGE_SIZE ? page[page.length - 1]!.id : null;
  return {
    contracts: page.map((c) => ({
      ...(contractView(c) as Record<string, JsonValue>),
      openedHeight: c.openedHeight,
    })),
    next,
  };
}

/** The event of a contract opened, by OpenContract or by a federation order. */
export function openedEvent(ctx: ExecContext, c: Contract): void {
  ctx.emit("contract_opened", {
    contract: c.id,
    payer: c.payer,
    client_ref: c.clientRef,
    budget: c.deposited,
    replicas: c.replicas,
    scu_per_replica: c.scuPerReplica,
    billing: c.billing,
    ends_at: c.endsAt,
  });
}

export function leaseEndedEvent(ctx: ExecContext, lease: Lease): void {
  ctx.emit("lease_ended", {
    contract: lease.contractId,
    pod: lease.podUid,
    node: lease.nodeId,
    outcome: lease.outcome,
    ended_at: lease.endedAt,
  });
}

/** Closing ends the contract's leases: each is told as it would be by EndLease, so node followers see it. */
function closedEvents(ctx: ExecContext, { contract, ended }: ClosedContract): void {
  for (const lease of ended) leaseEndedEvent(ctx, lease);
  ctx.emit("contract_closed", {
    contract: contract.id,
    reason: contract.closeReason,
    refund: contract.refunded,
    spent: contract.spent,
  });
}

/** The market module over the app's contract, lease and SLA keepers (wired in uranus-modules.ts). */
export function marketModule(market: MarketKeeper, leases: LeaseKeeper, sla: SlaKeeper): ChainModule {
  return {
    name: "market",
    params: marketParams,
    messages: [
      handles(OpenContractMsg, (ctx, msg) => {
        checkOpenContract(msg);
        openedEvent(ctx, market.open(ctx.state, ctx.sender, msg, ctx.block));
      }),
      handles(TopUpContractMsg, (ctx, msg) => {
        checkContractReference(msg, "TopUpContract");
        const { contract, moved } = market.topUp(ctx.state, ctx.sender, msg.contractId, msg.amount);
        ctx.emit("contract_topped_up", {
          contract: contract.id,
          amount: msg.amount,
          escrow: contract.escrow,
        });
        emitStateMove(ctx, contract, moved);
      }),
      handles(ResizeContractMsg, (ctx, msg) => {
        checkContractReference(msg, "ResizeContract");
        const { contract, from, moved } = market.resize(ctx.state, ctx.sender, msg, ctx.block);
        ctx.emit("contract_resized", { contract: contract.id, from, replicas: contract.replicas });
        emitStateMove(ctx, contract, moved);
      }),
      handles(CloseContractMsg, (ctx, msg) => {
        checkContractReference(msg, "CloseContract");
        closedEvents(ctx, market.close(ctx.state, ctx.sender, msg.contractId, ctx.block));
      }),
      handles(RecordLeaseMsg, (ctx, msg) => {
        checkContractReference(msg, "RecordLease");
        const { lease, contract, moved } = leases.recordLease(ctx.state, ctx.sender, msg, ctx.block);
        ctx.emit("lease_recorded", {
          contract: lease.contractId,
          replica: lease.replica,
          pod: lease.podUid,
          node: lease.nodeId,
          price_per_scu_hour: lease.pricePerScuHour,
        });
        emitStateMove(ctx, contract, moved);
      }),
      handles(EndLeaseMsg, (ctx, msg) => {
        checkContractReference(msg, "EndLease");
        const { lease, contract, moved } = leases.endLease(ctx.state, ctx.sender, msg, ctx.block);
        leaseEndedEvent(ctx, lease);
        emitStateMove(ctx, contract, moved);
      }),
      handles(RecordBreachMsg, (ctx, msg) => {
        checkContractReference(msg, "RecordBreach");
        const contract = sla.recordBreach(ctx.state, ctx.sender, msg);
        ctx.emit("sla_breach", {
          contract: contract.id,
          node: msg.nodeId,
          pod: msg.podUid,
          kind: msg.kind,
          seconds: msg.seconds,
        });
      }),
      handles(RateContributorMsg, (ctx, msg) => {
        checkContractReference(msg, "RateContributor");
        sla.rate(ctx.state, ctx.sender, msg);
        ctx.emit("contributor_rated", { contract: msg.contractId, node: msg.nodeId, rating: msg.rating });
      }),
    ],
    endBlock(ctx) {
      for (const closed of market.closeExpired(ctx.state, ctx.block)) closedEvents(ctx, closed);
      return undefined;
    },
    queries: [
      recordQuery("/contract/:id", "one contract as stored, with its escrow (provable)", (params) => {
        const id = checkContractId(params.id!, "id");
        return { stateKey: contractKey(id), missing: `contract ${id} does not exist` };
      }),
      {
        path: "/contract/:id/view",
        describe: "one contract with its active leases",
        answer(state, params) {
          const id = checkContractId(params.id!, "id");
          const contract = readContract(state, id);
          if (!contract) throw new TxError(ResultCode.NOT_FOUND, `id: contract ${id} does not exist`);
          return {
            kind: "view",
            value: { contract: contractView(contract), leases: readActiveLeases(state, id).map(leaseView) },
          };
        },
      },
      {
        path: "/contracts",
        describe: `every contract with its escrow, ${CONTRACT_PAGE_SIZE} per page in id order`,
        answer: (state) => ({ kind: "view", value: contractPage(state, undefined) }),
      },
      {
        path: "/contracts/after/:id",
        describe: "the next page of every contract",
        answer: (state, params) => ({ kind: "view", value: contractPage(state, params.id) }),
      },
      {
        path: "/contracts/payer/:address",
        describe: "the contracts one payer opened",
        answer(state, params) {
          const payer = parseAddress(params.address, "address");
          return { kind: "view", value: readContractsOfPayer(state, payer).map(contractView) };
        },
      },
      {
        path: "/breaches/contract/:id",
        describe: "the SLA breaches recorded for one contract: pod, kind, node, replica and seconds",
        answer(state, params) {
          const id = checkContractId(params.id!, "id");
          const prefix = `${BREACH_PREFIX}${id}/`;
          return {
            kind: "view",
            value: state.entries(prefix).map(([key, bytes]) => {
              const [podUid, kind] = key.slice(prefix.length).split("/");
              return {
                podUid: podUid!,
                kind: kind!,
                ...(decodeRecord(bytes) as { nodeId: string }),
              };
            }),
          };
        },
      },
      recordQuery("/lease/:podUid", "the lease of one pod (provable)", (params) => {
        const podUid = checkPodUid(params.podUid!, "podUid");
        return { stateKey: leaseKey(podUid), missing: `pod ${podUid} has no lease` };
      }),
    ],
  };
}
