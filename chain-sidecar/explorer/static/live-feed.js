// New blocks as they land: a NewBlock subscription over the websocket, falling back to polling `status`
// (and fetching the missed blocks) while the websocket is down, and trying it again now and then.

const NEW_BLOCK_QUERY = "tm.event='NewBlock'";
const MAX_CATCH_UP_BLOCKS = 20;

/** The txs results of a block, whether from block_results (txs_results) or a NewBlock event (tx_results). */
export function txResultsOf(results) {
  return results?.txs_results ?? results?.tx_results ?? [];
}

export class LiveFeed {
  /**
   * onBlock({ height, block, txResults }) is called once per height, in order.
   * onMode("websocket" | "polling" | "connecting") reports how updates arrive.
   */
  constructor({ base, rpc, onBlock, onMode, onError = () => {}, pollMs = 2000, reconnectMs = 10_000 }) {
    const url = new URL("websocket", base);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    this.wsUrl = url.href;
    this.rpc = rpc;
    this.onBlock = onBlock;
    this.onMode = onMode;
    this.onError = onError;
    this.pollMs = pollMs;
    this.reconnectMs = reconnectMs;
    this.known = 0;
    this.mode = "connecting";
    this.socket = undefined;
    this.pollTimer = undefined;
    this.reconnectTimer = undefined;
    this.catchingUp = Promise.resolve();
    this.stopped = false;
  }

  start(knownHeight) {
    this.known = knownHeight;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    this.socket?.close();
  }

  setMode(mode) {
    if (this.mode === mode) return;
    this.mode = mode;
    this.onMode(mode);
  }

  connect() {
    if (this.stopped) return;
    let socket;
    try {
      socket = new WebSocket(this.wsUrl);
    } catch {
      this.fallBack();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      socket.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: "new-blocks",
          method: "subscribe",
          params: { query: NEW_BLOCK_QUERY },
        }),
      );
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.error) {
        this.onError(new Error(`subscription refused: ${message.error.data ?? message.error.message}`));
        socket.close();
        return;
      }
      const data = message.result?.data;
      if (data === undefined) {
        // The answer to `subscribe`: live from here on; fetch what landed while we were not.
        if (message.id === "new-blocks") {
          clearInterval(this.pollTimer);
          this.pollTimer = undefined;
          this.setMode("websocket");
          this.queueCatchUp();
        }
        return;
      }
      if (data.type !== "tendermint/event/NewBlock") return;
      const block = data.value.block;
      const height = Number(block.header.height);
      const txResults = txResultsOf(data.value.result_finalize_block);
      this.catchingUp = this.catchingUp
        .then(() => this.catchUpTo(height - 1))
        .then(() => this.deliver({ height, block, txResults }))
        .catch((error) => this.onError(error));
    });
    socket.addEventListener("close", () => {
      if (this.socket === socket) this.fallBack();
    });
  }

  fallBack() {
    this.socket = undefined;
    if (this.stopped) return;
    this.setMode("polling");
    if (this.pollTimer === undefined) {
      this.pollTimer = setInterval(() => this.queueCatchUp(), this.pollMs);
      this.queueCatchUp();
    }
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), this.reconnectMs);
  }

  queueCatchUp() {
    this.catchingUp = this.catchingUp
      .then(async () => {
        const status = await this.rpc.call("status");
        await this.catchUpTo(Number(status.sync_info.latest_block_height));
      })
      .catch((error) => this.onError(error));
  }

  /** Fetches and delivers the blocks after the last known one up to `height` (the latest few at most). */
  async catchUpTo(height) {
    const from = Math.max(this.known + 1, height - MAX_CATCH_UP_BLOCKS + 1);
    for (let h = from; h <= height; h++) {
      const [{ block }, results] = await Promise.all([
        this.rpc.call("block", { height: String(h) }),
        this.rpc.call("block_results", { height: String(h) }),
      ]);
      this.deliver({ height: h, block, txResults: txResultsOf(results) });
    }
  }

  deliver(update) {
    if (update.height <= this.known) return;
    this.known = update.height;
    this.onBlock(update);
  }
}
