// The latest blocks and their transactions, decoded: type, sender, result code.
import { amount, blockTime, shortHex } from "./display-format.js";
import { codeCell, el, fillRows } from "./html-builder.js";
import { messageJson, messageSummary } from "./tx-decoder.js";

const KEPT_BLOCKS = 20;

export class BlocksView {
  /** decode: base64 tx → decoded tx; codeName: result code → its name. */
  constructor({ blocksBody, txsBody, decode, codeName }) {
    this.blocksBody = blocksBody;
    this.txsBody = txsBody;
    this.decode = decode;
    this.codeName = codeName;
    this.blocks = [];
    this.proposers = new Map();
  }

  /** Consensus address (upper-case hex) → validator moniker, for the proposer column. */
  setProposerNames(names) {
    this.proposers = names;
    this.render();
  }

  add({ height, block, txResults }) {
    if (this.blocks.some((b) => b.height === height)) return;
    const txs = (block.data?.txs ?? []).map((tx, index) => ({
      decoded: this.decode(tx),
      result: txResults[index] ?? {},
    }));
    this.blocks.push({ height, header: block.header, txs });
    this.blocks.sort((a, b) => b.height - a.height);
    this.blocks.length = Math.min(this.blocks.length, KEPT_BLOCKS);
    this.render();
  }

  render() {
    fillRows(
      this.blocksBody,
      this.blocks.map((b) =>
        el(
          "tr",
          { "data-height": b.height },
          el("th", { scope: "row", class: "num" }, amount(b.height)),
          el("td", {}, el("time", { datetime: b.header.time }, blockTime(b.header.time))),
          el("td", { class: "num" }, b.txs.length),
          el("td", {}, this.proposerLabel(b.header.proposer_address)),
          codeCell(b.header.app_hash, shortHex(b.header.app_hash)),
        ),
      ),
      "No blocks yet.",
    );
    const rows = [];
    for (const b of this.blocks) {
      for (const { decoded, result } of b.txs) rows.push(this.txRow(b.height, decoded, result));
    }
    fillRows(this.txsBody, rows, `No transactions in the latest ${KEPT_BLOCKS} blocks.`);
  }

  proposerLabel(address) {
    const name = this.proposers.get(String(address).toUpperCase());
    return name ? el("span", { title: address }, name) : el("code", { title: address }, shortHex(address));
  }

  txRow(height, decoded, result) {
    const code = Number(result.code ?? 0);
    const ok = code === 0;
    const sender = decoded.sender ?? eventSender(result);
    const details = el(
      "details",
      {},
      el("summary", {}, messageSummary(decoded.message) || decoded.problem || "—"),
      el("pre", {}, decoded.message === undefined ? (decoded.problem ?? "") : messageJson(decoded.message)),
    );
    return el(
      "tr",
      { class: ok ? "tx-ok" : "tx-failed", "data-hash": decoded.hash },
      el("td", { class: "num" }, amount(height)),
      codeCell(decoded.hash, shortHex(decoded.hash)),
      el("td", {}, decoded.type),
      sender ? codeCell(sender, shortHex(sender, 8, 4)) : el("td", {}, "—"),
      el(
        "td",
        { class: "result", title: result.log || undefined },
        el("span", { class: ok ? "badge ok" : "badge failed" }, `${code} ${this.codeName(code)}`),
      ),
      el("td", {}, details),
    );
  }
}

/** The sender the chain names in a successful tx's `tx` event. */
function eventSender(result) {
  for (const event of result.events ?? []) {
    if (event.type !== "tx") continue;
    const attribute = (event.attributes ?? []).find((a) => a.key === "sender");
    if (attribute) return attribute.value;
  }
  return undefined;
}
