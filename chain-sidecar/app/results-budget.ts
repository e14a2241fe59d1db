// CometBFT's gRPC ABCI client takes answers of at most 4 MiB, and a FinalizeBlock answer past that would stop every
// validator alike. Events and logs are not in CometBFT's results hash, so past a budget they are dropped, the same way
// on every node, from the block's last transactions back: no block is ever too big to answer.
import { ExecTxResult, ResponseFinalizeBlock, type Event } from "cosmjs-types/tendermint/abci/types";
import { COMETBFT_MAX_ANSWER_BYTES } from "../abci/answer-limit.js";

/** What CometBFT takes, less room for the rest of the answer. */
export const RESULTS_BUDGET_BYTES = COMETBFT_MAX_ANSWER_BYTES - 256 * 1024;

export const RESULTS_TRIMMED_EVENT = "results_trimmed";

function trimmedMarker(txs: number, blockEvents: boolean): Event {
  return {
    type: RESULTS_TRIMMED_EVENT,
    attributes: [
      { key: "txs", value: String(txs), index: true },
      { key: "block_events", value: String(blockEvents), index: true },
      {
        key: "reason",
        value: `the block's results passed ${RESULTS_BUDGET_BYTES} bytes: events and logs dropped, codes kept`,
        index: false,
      },
    ],
  };
}

/** Bytes a length-delimited protobuf field can add beyond its content: tag and length (lengths below 2^28). */
const FIELD_OVERHEAD = 6;
/** Every scalar field of an ExecTxResult (code, gas wanted and used: varints of at most 10 bytes) and its own framing. */
const TX_RESULT_FIXED = 64;

/** A validator update's power (a varint of at most 10 bytes) and the framing of it, its key and itself. */
const VALIDATOR_UPDATE_FIXED = 32;

/** UTF-8 bytes of `text` and its framing, at most: a UTF-16 code unit never takes more than 3 bytes. */
const textBound = (text: string): number => 3 * text.length + FIELD_OVERHEAD;

function eventsBound(events: readonly Event[]): number {
  let bytes = 0;
  for (const event of events) {
    bytes += textBound(event.type) + FIELD_OVERHEAD;
    for (const { key, value } of event.attributes)
      bytes += textBound(key) + textBound(value) + 2 + FIELD_OVERHEAD;
  }
  return bytes;
}

/**
 * An upper bound of the encoded answer's size that costs far less than encoding it: nearly every block is far below
 * the budget, and encoding every answer twice (here and on the wire) cost a tenth of a transfer's CPU.
 */
function sizeBound(response: ResponseFinalizeBlock): number {
  let bytes = eventsBound(response.events) + 2 * 1024;
  for (const { pubKey } of response.validatorUpdates)
    bytes += VALIDATOR_UPDATE_FIXED + (pubKey.ed25519?.length ?? 0) + (pubKey.secp256k1?.length ?? 0);
  for (const r of response.txResults)
    bytes +=
      TX_RESULT_FIXED +
      r.data.length +
      textBound(r.log) +
      textBound(r.info) +
      textBound(r.codespace) +
      eventsBound(r.events);
  return bytes;
}

/** `response` itself when it fits `budget` bytes; otherwise a copy without the events and logs that did not fit. */
export function fitResultsBudget(
  response: ResponseFinalizeBlock,
  budget = RESULTS_BUDGET_BYTES,
): ResponseFinalizeBlock {
  if (sizeBound(response) <= budget) return response;
  let size = ResponseFinalizeBlock.encode(response).finish().length;
  if (size <= budget) return response;
  const txResults = [...response.txResults];
  let trimmed = 0;
  for (let i = txResults.length - 1; i >= 0 && size > budget; i--) {
    const full = txResults[i]!;
    if (full.events.length === 0 && full.log === "") continue;
    const bare = { ...full, events: [], log: "" };
    size -= ExecTxResult.encode(full).finish().length - ExecTxResult.encode(bare).finish().length;
    txResults[i] = bare;
    trimmed++;
  }
  const dropBlockEvents = size > budget;
  return {
    ...response,
    txResults,
    events: [...(dropBlockEvents ? [] : response.events), trimmedMarker(trimmed, dropBlockEvents)],
  };
}
