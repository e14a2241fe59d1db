// The metering module: the batch handler and per-pod settlement queries, paged by pod UID.
import type { JsonValue } from "../../state/canonical-json.js";
import { decodeRecord } from "../../state/canonical-json.js";
import type { StateReader } from "../../state/state-access.js";
import { invalidField } from "../../tx/tx-error.js";
import { handles, type ChainModule, type QueryAnswer } from "../chain-module.js";
import { parseAddress } from "../field-parsers.js";
import { emitStateMove } from "../market/market-module.js";
import { checkContractId, checkPodUid } from "../identifiers.js";
import { MeteringBatchMsg } from "./metering-messages.js";
import type { MeteringKeeper } from "./metering-keeper.js";
import { meteringParams } from "./metering-params.js";
import { retireAndPruneSettlements } from "./settlement-retention.js";
import {
  BATCH_PREFIX,
  BY_CONTRACT_PREFIX,
  BY_CONTRIBUTOR_PREFIX,
  decodeBatch,
  closedPodKey,
  podKey,
  readPodSettlement,
  type BatchRecord,
  type PodSettlement,
} from "./metering-records.js";

/** Entries per page of a listing. */
export const PAGE_SIZE = 100;

export function podSettlementView(p: PodSettlement): JsonValue {
  return {
    podUid: p.podUid,
    contractId: p.contractId,
    replica: p.replica,
    nodeId: p.nodeId,
    contributor: p.contributor,
    scu: p.scu,
    pricePerScuHour: p.pricePerScuHour.toString(),
    billing: p.billing,
    firstFrom: p.firstFrom,
    billedTo: p.billedTo,
    seconds: p.seconds,
    measuredSeconds: p.measuredSeconds,
    cpuMilliSeconds: p.cpuMilliSeconds.toString(),
    memoryByteSeconds: p.memoryByteSeconds.toString(),
    billedMilliScuSeconds: p.billedMilliScuSeconds.toString(),
    charged: p.charged.toString(),
    fee: p.fee.toString(),
    unpaid: p.unpaid.toString(),
    intervals: p.intervals,
    lastBatch: p.lastBatch,
    lastHeight: p.lastHeight,
  };
}

function batchView(b: BatchRecord): JsonValue {
  return {
    id: b.id,
    contributor: b.contributor,
    sequence: b.sequence,
    sender: b.sender,
    root: b.root,
    records: b.records,
    seconds: b.seconds,
    charged: b.charged.toString(),
    fee: b.fee.toString(),
    unpaid: b.unpaid.toString(),
    height: b.height,
    txHash: b.txHash,
  };
}

/** One page of pod settlements under an index prefix, after the pod UID `after` (exclusive). */
function settlementPage(state: StateReader, prefix: string, after: string | undefined): QueryAnswer {
  const from = after === undefined ? undefined : `${prefix}${checkPodUid(after, "after")}\u0000`;
  const keys = state.entries(prefix, { ...(from === undefined ? {} : { from }), limit: PAGE_SIZE + 1 });
  const page = keys.slice(0, PAGE_SIZE).flatMap(([, bytes]) => {
    const pod = readPodSettlement(state, (decodeRecord(bytes) as { podUid: string }).podUid);
    return pod ? [podSettlementView(pod)] : [];
  });
  const next = keys.length > PAGE_SIZE ? (page[page.length - 1] as { podUid: string }).podUid : null;
  return { kind: "view", value: { settlements: page, next } };
}

/** The kept batches of a contributor, oldest first, after sequence `after`. */
function batchPage(state: StateReader, contributor: string, after: number | undefined): QueryAnswer {
  const all = state
    .entries(`${BATCH_PREFIX}${contributor}/`)
    .map(([key, bytes]) => decodeBatch(key, bytes))
    .filter((b) => after === undefined || b.sequence > after)
    .sort((a, b) => a.sequence - b.sequence);
  const page = all.slice(0, PAGE_SIZE);
  const next = all.length > PAGE_SIZE ? page[page.length - 1]!.sequence : null;
  return { kind: "view", value: { batches: page.map(batchView), next } };
}

function parseSequence(raw: string | undefined): number {
  if (raw === undefined || !/^\d{1,12}$/.test(raw))
    throw invalidField("after", `${JSON.stringify(raw)} is not a batch number`);
  return Number(raw);
}

/** The metering module over the app's one metering keeper. */
export function meteringModule(metering: MeteringKeeper): ChainModule {
  return {
    name: "metering",
    params: meteringParams,
    messages: [
      handles(MeteringBatchMsg, (ctx, msg) => {
        const { batch, moved } = metering.settleBatch(ctx.state, ctx.sender, msg, ctx.block, ctx.txHash);
        ctx.emit("metering_batch", {
          batch: batch.id,
          contributor: batch.contributor,
          root: batch.root,
          records: batch.records,
          seconds: batch.seconds,
          charged: batch.charged,
          fee: batch.fee,
          unpaid: batch.unpaid,
        });
        for (const { contract, state } of moved) emitStateMove(ctx, contract, state);
      }),
    ],
    endBlock(ctx) {
      for (const pruned of retireAndPruneSettlements(ctx.state, ctx.block)) {
        ctx.emit("settlements_archived", {
          contract: pruned.contractId,
          pods: pruned.pods,
          done: pruned.done,
        });
      }
      return undefined;
    },
    queries: [
      {
        path: "/settlement/pod/:podUid",
        describe:
          "one pod's settlement: billed seconds, used CPU and memory, charged, fee and unpaid amounts (provable)",
        answer: (state, params) => {
          const podUid = checkPodUid(params.podUid!, "podUid");
          // Live, else closed; once pruned, the node's archive keeps it under its closed key.
          const stateKey = state.get(podKey(podUid)) === undefined ? closedPodKey(podUid) : podKey(podUid);
          return { kind: "record", stateKey, missing: `pod ${podUid} has no settlement` };
        },
      },
      {
        path: "/settlements/contract/:id",
        describe: `pod settlements of a contract, ${PAGE_SIZE} per page in pod UID order`,
        answer: (state, params) =>
          settlementPage(state, `${BY_CONTRACT_PREFIX}${checkContractId(params.id!, "id")}/`, undefined),
      },
      {
        path: "/settlements/contract/:id/after/:podUid",
        describe: "the next page of a contract's pod settlements",
        answer: (state, params) =>
          settlementPage(state, `${BY_CONTRACT_PREFIX}${checkContractId(params.id!, "id")}/`, params.podUid),
      },
      {
        path: "/settlements/contributor/:address",
        describe: `pod settlements paid to a contributor, ${PAGE_SIZE} per page in pod UID order`,
        answer: (state, params) =>
          settlementPage(
            state,
            `${BY_CONTRIBUTOR_PREFIX}${parseAddress(params.address, "address")}/`,
            undefined,
          ),
      },
      {
        path: "/settlements/contributor/:address/after/:podUid",
        describe: "the next page of a contributor's pod settlements",
        answer: (state, params) =>
          settlementPage(
            state,
            `${BY_CONTRIBUTOR_PREFIX}${parseAddress(params.address, "address")}/`,
            params.podUid,
          ),
      },
      {
        path: "/batches/contributor/:address",
        describe: `a contributor's most recent batches (batchesKept) with their Merkle roots, ${PAGE_SIZE} per page, oldest first`,
        answer: (state, params) => batchPage(state, parseAddress(params.address, "address"), undefined),
      },
      {
        path: "/batches/contributor/:address/after/:sequence",
        describe: "the next page of a contributor's batches",
        answer: (state, params) =>
          batchPage(state, parseAddress(params.address, "address"), parseSequence(params.sequence)),
      },
    ],
  };
}
