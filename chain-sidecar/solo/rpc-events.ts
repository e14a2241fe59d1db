// The events a CometBFT node publishes per block, with the attribute maps subscriptions are matched against.
import type { Event } from "cosmjs-types/tendermint/abci/types";
import type { StoredBlock } from "./block-store.js";
import {
  base64,
  blockIdJson,
  blockJson,
  execTxResultCompactJson,
  finalizeBlockEventJson,
  headerJson,
  type Json,
} from "./cometbft-json.js";
import type { EventAttributes } from "./event-query.js";

export interface PublishedEvent {
  data: { type: string; value: Json };
  events: EventAttributes;
}

function addAttributes(target: EventAttributes, events: Event[]): void {
  for (const event of events) {
    for (const attribute of event.attributes) {
      const key = `${event.type}.${attribute.key}`;
      (target[key] ??= []).push(attribute.value);
    }
  }
}

export function blockEvents(block: StoredBlock): PublishedEvent[] {
  const blockAttributes: EventAttributes = { "tm.event": ["NewBlock"] };
  addAttributes(blockAttributes, block.results.events);
  const published: PublishedEvent[] = [
    {
      data: {
        type: "tendermint/event/NewBlock",
        value: {
          block: blockJson(block.header, block.txs, block.lastCommit),
          block_id: blockIdJson(block.blockId),
          result_finalize_block: finalizeBlockEventJson(block.results),
        },
      },
      events: blockAttributes,
    },
    {
      data: { type: "tendermint/event/NewBlockHeader", value: { header: headerJson(block.header) } },
      events: { ...blockAttributes, "tm.event": ["NewBlockHeader"] },
    },
  ];
  block.txs.forEach((tx, index) => {
    const result = block.results.txResults[index]!;
    const txResult: { [key: string]: Json } = { height: String(block.header.height) };
    if (index !== 0) txResult.index = index;
    txResult.tx = base64(tx);
    txResult.result = execTxResultCompactJson(result);
    const attributes: EventAttributes = {
      "tm.event": ["Tx"],
      "tx.hash": [block.txHashes[index]!],
      "tx.height": [String(block.header.height)],
    };
    addAttributes(attributes, result.events);
    published.push({
      data: { type: "tendermint/event/Tx", value: { TxResult: txResult } },
      events: attributes,
    });
  });
  return published;
}
