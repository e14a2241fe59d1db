// The CometBFT RPC methods the explorer passes on: reading and event subscriptions, never broadcasting or node control.
const READ_METHODS: ReadonlySet<string> = new Set([
  "abci_info",
  "abci_query",
  "block",
  "block_by_hash",
  "block_results",
  "block_search",
  "blockchain",
  "commit",
  "consensus_params",
  "genesis",
  "genesis_chunked",
  "header",
  "header_by_hash",
  "health",
  "num_unconfirmed_txs",
  "status",
  "tx",
  "tx_search",
  "validators",
]);

const SUBSCRIPTION_METHODS: ReadonlySet<string> = new Set(["subscribe", "unsubscribe", "unsubscribe_all"]);

export function isReadMethod(method: string): boolean {
  return READ_METHODS.has(method);
}

/** Over the websocket, subscriptions are allowed too. */
export function isWebsocketMethod(method: string): boolean {
  return READ_METHODS.has(method) || SUBSCRIPTION_METHODS.has(method);
}

/**
 * The methods named by a JSON-RPC body (one request or a batch), or a reason it is not JSON-RPC.
 * The upstream node gives the detailed JSON-RPC errors; this only has to find what is being asked for.
 */
export function requestedMethods(body: string): { methods: string[] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return { error: `body is not JSON: ${(error as Error).message}` };
  }
  const requests = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  if (requests.length === 0) return { error: "empty batch" };
  const methods: string[] = [];
  for (const request of requests) {
    const method = (request as { method?: unknown } | null)?.method;
    if (typeof method !== "string") return { error: "each request needs a string method" };
    methods.push(method);
  }
  return { methods };
}
