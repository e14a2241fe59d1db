// CometBFT's gRPC ABCI client takes answers of at most 4 MiB, and a FinalizeBlock answer past that would stop every
// validator alike. Events and logs are not in CometBFT's results hash, so past a budget they are dropped, the same way
// on every node, from the block's last transactions back: no block is ever too big to answer.
import { ExecTxResult, ResponseFinalizeBlock, type Event } from "cosmjs-types/tendermint/abci/types";

/** grpc-go's default receive limit, less room for the rest of the answer. */
export const RESULTS_BUDGET_BYTES = 4 * 1024 * 1024 - 256 * 1024;

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

/** `response` itself when it fits `budget` bytes; otherwise a copy without the events and logs that did not fit. */
export function fitResultsBudget(
  response: ResponseFinalizeBlock,
  budget = RESULTS_BUDGET_BYTES,
): ResponseFinalizeBlock {
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
