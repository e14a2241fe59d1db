// The node's CometBFT JSON-RPC as the explorer's server passes it on (POST /rpc), and abci_query's JSON answers.

const TIMEOUT_MS = 15_000;

export class ChainQueryError extends Error {
  constructor(path, code, log) {
    super(`${path}: ${log || `code ${code}`}`);
    this.name = "ChainQueryError";
    this.path = path;
    this.code = code;
  }
}

function utf8FromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

export class ChainRpc {
  /** base: the page's URL; the RPC is at ./rpc on the same origin. */
  constructor(base) {
    this.endpoint = new URL("rpc", base);
    this.nextId = 1;
  }

  async call(method, params = {}) {
    const id = this.nextId++;
    const response = await fetch(this.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok)
      throw new Error(`${method}: HTTP ${response.status}: ${(await response.text()).trim()}`);
    const body = await response.json();
    if (body.error) {
      throw new Error(`${method}: ${body.error.message}${body.error.data ? ` (${body.error.data})` : ""}`);
    }
    return body.result;
  }

  /** An abci_query path's JSON answer at the latest height; throws ChainQueryError with the chain's code. */
  async query(path) {
    const { response } = await this.call("abci_query", { path, data: "", prove: false });
    const code = Number(response.code ?? 0);
    if (code !== 0) throw new ChainQueryError(path, code, response.log);
    return response.value ? JSON.parse(utf8FromBase64(response.value)) : null;
  }

  /** Every entry of a paged listing whose pages are { <field>: [...], next } and continue at `${path}/after/<next>`. */
  async queryPages(path, field, maxPages = 20) {
    const entries = [];
    let page = await this.query(path);
    for (let n = 1; ; n++) {
      entries.push(...page[field]);
      if (page.next === null || page.next === undefined || n >= maxPages) {
        return { entries, complete: page.next === null || page.next === undefined };
      }
      page = await this.query(`${path}/after/${encodeURIComponent(page.next)}`);
    }
  }
}
