// Signed bank transfers sent to a node's RPC as fast as CheckTx takes them, from several funded senders in parallel.
import { getBytes, Wallet } from "ethers";
import { TransferMsg } from "../../chain-sidecar/modules/bank/bank-messages.js";
import { encodeTx } from "../../chain-sidecar/tx/envelope.js";
import type { MessageSpec } from "../../chain-sidecar/tx/message-spec.js";
import { signedValue, signingDigest } from "../../chain-sidecar/tx/signing.js";

const transferSpec = TransferMsg as MessageSpec<unknown>;

/**
 * The bytes signTx would produce, signed straight from the EIP-712 digest: the same signature (RFC 6979 is
 * deterministic) at a fifteenth of the cost of ethers' signTypedData, so the load generator is not the bottleneck.
 */
export function signTransfer(
  wallet: Wallet,
  chainId: string,
  to: string,
  amount: bigint,
  nonce: number,
): Uint8Array {
  const message = { to, amount };
  const signature = wallet.signingKey.sign(signingDigest(chainId, transferSpec, message, nonce));
  const { nonce: _nonce, ...normalised } = signedValue(transferSpec, message, nonce);
  return encodeTx({
    chainId,
    spec: transferSpec,
    nonce,
    message: normalised,
    signature: getBytes(signature.serialized),
  });
}

/** One fixed recipient: creating a random wallet per tx would cost more than signing. */
const RECIPIENT = "0x000000000000000000000000000000000000dEaD";

export interface LoadStats {
  accepted: number;
  rejected: number;
  failed: number;
  /** Hashes of accepted txs with the time they were sent (ms, performance.now()). */
  submittedAt: Map<string, number>;
}

export class TransferLoad {
  readonly stats: LoadStats = { accepted: 0, rejected: 0, failed: 0, submittedAt: new Map() };
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly nonces = new Map<string, number>();

  constructor(
    private readonly chainId: string,
    readonly senders: Wallet[],
    private readonly rpcUrls: () => string[],
    /** Total target rate over all senders; 0 means as fast as possible. */
    private readonly txPerSecond = 0,
  ) {}

  static fundedSenders(count: number): Wallet[] {
    return Array.from({ length: count }, () => new Wallet(Wallet.createRandom().privateKey));
  }

  start(): void {
    this.running = true;
    this.loops = this.senders.map((wallet, i) => this.loop(wallet, i));
  }

  async stop(): Promise<LoadStats> {
    this.running = false;
    await Promise.all(this.loops);
    return this.stats;
  }

  private async loop(wallet: Wallet, index: number): Promise<void> {
    const address = wallet.address.toLowerCase();
    const pause = this.txPerSecond > 0 ? (1000 * this.senders.length) / this.txPerSecond : 0;
    let next = performance.now();
    if (!this.nonces.has(address)) this.nonces.set(address, await chainNonce(this.rpcUrls()[0]!, address));
    while (this.running) {
      const urls = this.rpcUrls();
      const url = urls[index % urls.length]!;
      const nonce = this.nonces.get(address) ?? 0;
      const tx = signTransfer(wallet, this.chainId, RECIPIENT, 1n, nonce);
      const sentAt = performance.now();
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: nonce,
            method: "broadcast_tx_sync",
            params: { tx: Buffer.from(tx).toString("base64") },
          }),
          signal: AbortSignal.timeout(5000),
        });
        const body = (await response.json()) as {
          result?: { code: number; hash: string };
          error?: { data?: string };
        };
        if (body.result?.code === 0) {
          this.stats.accepted++;
          this.stats.submittedAt.set(body.result.hash, sentAt);
          this.nonces.set(address, nonce + 1);
        } else if (body.error?.data?.includes("already exists in cache") === true) {
          // The very same bytes were sent before (same nonce, same transfer): that nonce is taken.
          this.nonces.set(address, nonce + 1);
        } else {
          this.stats.rejected++;
          // Stale or future nonce: ask the chain where this sender stands.
          this.nonces.set(address, await chainNonce(url, address));
        }
      } catch {
        this.stats.failed++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (pause > 0) {
        next += pause;
        const wait = next - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        else next = performance.now();
      }
    }
  }
}

/** The sender's next nonce as the chain sees it, so a new load can follow an earlier one from the same senders. */
async function chainNonce(rpcUrl: string, address: string): Promise<number> {
  const response = await fetch(`${rpcUrl}/abci_query?path="/account/${address}"`, {
    signal: AbortSignal.timeout(5000),
  });
  const body = (await response.json()) as { result: { response: { value: string | null } } };
  const value = body.result.response.value;
  if (value === null) return 0;
  return (JSON.parse(Buffer.from(value, "base64").toString("utf8")) as { nonce: number }).nonce;
}
