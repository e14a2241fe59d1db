// The operator's one way to the chain: a ChainClient on the sidecar's RPC, the block watcher, the transaction
// submitter, typed reads and the keys.
import type { Registry } from "prom-client";
import { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import type { Logger } from "../../observability/logger.js";
import { BlockWatcher } from "./block-watcher.js";
import { ChainMetrics } from "./chain-metrics.js";
import { ChainReader } from "./chain-reader.js";
import type { KeyVault } from "./key-vault.js";
import { TxSubmitter } from "./tx-submitter.js";

export interface ChainGatewayOptions {
  /** CometBFT RPC of the sidecar, e.g. http://127.0.0.1:26657. */
  endpoint: string;
  keys: KeyVault;
  registry: Registry;
  logger: Logger;
  /** How often new blocks are looked for. */
  pollMs?: number;
  inclusionTimeoutMs?: number;
}

export class ChainGateway {
  private constructor(
    readonly client: ChainClient,
    readonly watcher: BlockWatcher,
    readonly submitter: TxSubmitter,
    readonly reader: ChainReader,
    readonly keys: KeyVault,
    readonly metrics: ChainMetrics,
  ) {}

  static async connect(options: ChainGatewayOptions): Promise<ChainGateway> {
    const client = await ChainClient.connect(options.endpoint);
    const watcher = new BlockWatcher({ comet: client.comet, pollMs: options.pollMs, logger: options.logger });
    watcher.start();
    const metrics = new ChainMetrics(options.registry);
    const submitter = new TxSubmitter({
      client,
      watcher,
      metrics,
      logger: options.logger,
      inclusionTimeoutMs: options.inclusionTimeoutMs,
    });
    return new ChainGateway(client, watcher, submitter, new ChainReader(client), options.keys, metrics);
  }

  async stop(): Promise<void> {
    await this.watcher.stop();
    this.client.disconnect();
  }
}
