// Edits a CometBFT home's config.toml: listen addresses (loopback unless told), peers, timeouts, metrics.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify, type TomlTable } from "smol-toml";

export interface CometConfigSettings {
  moniker?: string;
  /** Where the sidecar's ABCI server listens: tcp://127.0.0.1:PORT or unix:///path. */
  proxyApp?: string;
  /** How CometBFT talks to the sidecar (DEFAULT_ABCI_TRANSPORT). */
  abciTransport?: AbciTransport;
  rpcPort?: number;
  p2pPort?: number;
  /** Where p2p and Prometheus listen (RPC stays on loopback); 127.0.0.1 when absent. */
  listenHost?: string;
  /** host:port that peers are told to dial, when the listen address is not reachable as is; "" clears it. */
  externalAddress?: string;
  /** node-id@host:port, comma-separated in the file. */
  persistentPeers?: string[];
  /** CometBFT's timeout_commit: the pause after a commit, i.e. roughly the block time. */
  timeoutCommitMs?: number;
  /** Propose/prevote/precommit timeouts; short on loopback so a missing validator costs little. */
  roundTimeoutMs?: number;
  /**
   * Blocks without txs. Off by default: the app changes no state in them, so CometBFT makes a block only for txs and
   * the proof block after a changed app hash, and an idle chain is quiet. Testnets turn it on, as state sync needs
   * the two blocks after a snapshot's height.
   */
  createEmptyBlocks?: boolean;
  createEmptyBlocksIntervalMs?: number;
  logLevel?: string;
  /** Txs the mempool holds before CometBFT refuses more as "mempool is full" (DEFAULT_MEMPOOL_SIZE). */
  mempoolSize?: number;
  /** Bytes of txs the mempool holds (DEFAULT_MEMPOOL_MAX_TXS_BYTES). */
  mempoolMaxTxsBytes?: number;
  /** Most JSON-RPC requests one HTTP batch may carry (CometBFT's default is 10). */
  rpcMaxBatchSize?: number;
  /** Where CometBFT serves Prometheus metrics (on listenHost); metrics stay off without it. */
  prometheusPort?: number;
  /** Join through state sync: restore a peer's snapshot instead of replaying every block since genesis. */
  stateSync?: StateSyncSettings;
}

/** CometBFT's [statesync]: the light client checks the snapshot's app hash against headers from these servers. */
export interface StateSyncSettings {
  /** At least two RPC URLs (the first is the light client's primary, the others its witnesses). */
  rpcServers: string[];
  /** A height and its block hash trusted out of band, from which the light client verifies later headers. */
  trustHeight: number;
  trustHash: string;
  /** How long a trusted header stays usable; CometBFT's default is a week. */
  trustPeriodHours?: number;
  /** How long to gather peers' snapshots before restoring one (CometBFT wants at least 5 s). */
  discoveryTimeMs?: number;
  /** How long to wait for a chunk before asking another peer (at least 5 s). */
  chunkRequestTimeoutMs?: number;
}

export function configPath(home: string): string {
  return join(home, "config", "config.toml");
}

export function readCometConfig(home: string): TomlTable {
  try {
    return parse(readFileSync(configPath(home), "utf8"));
  } catch (error) {
    throw new Error(`cannot read CometBFT config ${configPath(home)}: ${(error as Error).message}`);
  }
}

function section(config: TomlTable, name: string): TomlTable {
  const value = config[name];
  if (value === undefined || typeof value !== "object" || Array.isArray(value) || value instanceof Date) {
    throw new Error(`CometBFT config has no [${name}] section`);
  }
  return value;
}

const ms = (value: number): string => `${value}ms`;

/** How long CometBFT batches a peer's outgoing messages before writing them (its default is 100 ms). */
export const P2P_FLUSH_THROTTLE_MS = 10;

/** CometBFT's `abci` setting: its socket protocol, or gRPC. */
export type AbciTransport = "socket" | "grpc";

/**
 * gRPC: CometBFT v0.38's socket client re-arms a 20 ns flush timer while CheckTx requests stream in, which under load
 * costs each node most of a core; its gRPC client makes one call per request and has no timer.
 */
export const DEFAULT_ABCI_TRANSPORT: AbciTransport = "grpc";

/**
 * Two blocks of the default consensus params (block.max_gas 1000 txs): an admitted tx waits about two blocks at most,
 * and the recheck after each commit stays bounded; past it, senders are told to back off (CometBFT's 5000 would queue).
 */
export const DEFAULT_MEMPOOL_SIZE = 2000;
/** Room for the same count of 32 KiB txs; CometBFT's 1 GiB would let large txs queue far past a block's worth. */
export const DEFAULT_MEMPOOL_MAX_TXS_BYTES = 64 * 1024 * 1024;

/** host:port, with an IPv6 host in brackets as Go's net package wants it. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function configureStateSync(config: TomlTable, settings: StateSyncSettings): void {
  if (settings.rpcServers.length < 2) {
    throw new Error(`state sync needs at least two RPC servers, got ${settings.rpcServers.length}`);
  }
  if (!Number.isInteger(settings.trustHeight) || settings.trustHeight < 1) {
    throw new Error(`state sync trust height must be a positive height, got ${settings.trustHeight}`);
  }
  if (!/^[0-9A-Fa-f]{64}$/.test(settings.trustHash)) {
    throw new Error(
      `state sync trust hash ${JSON.stringify(settings.trustHash)} is not a 32-byte hex block hash`,
    );
  }
  const stateSync = section(config, "statesync");
  stateSync.enable = true;
  stateSync.rpc_servers = settings.rpcServers.join(",");
  stateSync.trust_height = settings.trustHeight;
  stateSync.trust_hash = settings.trustHash.toUpperCase();
  stateSync.trust_period = `${settings.trustPeriodHours ?? 168}h0m0s`;
  stateSync.discovery_time = ms(Math.max(5000, settings.discoveryTimeMs ?? 15_000));
  stateSync.chunk_request_timeout = ms(Math.max(5000, settings.chunkRequestTimeoutMs ?? 10_000));
}

export function configureCometHome(home: string, settings: CometConfigSettings): void {
  const config = readCometConfig(home);
  const p2p = section(config, "p2p");
  const rpc = section(config, "rpc");
  const consensus = section(config, "consensus");
  const mempool = section(config, "mempool");
  const instrumentation = section(config, "instrumentation");
  if (settings.moniker !== undefined) config.moniker = settings.moniker;
  if (settings.proxyApp !== undefined) config.proxy_app = settings.proxyApp;
  config.abci = settings.abciTransport ?? DEFAULT_ABCI_TRANSPORT;
  if (settings.logLevel !== undefined) config.log_level = settings.logLevel;
  if (settings.rpcPort !== undefined) rpc.laddr = `tcp://127.0.0.1:${settings.rpcPort}`;
  const host = settings.listenHost ?? "127.0.0.1";
  if (settings.p2pPort !== undefined) p2p.laddr = `tcp://${hostPort(host, settings.p2pPort)}`;
  if (settings.externalAddress !== undefined) p2p.external_address = settings.externalAddress;
  if (settings.persistentPeers !== undefined) p2p.persistent_peers = settings.persistentPeers.join(",");
  // Testnet nodes share 127.0.0.1, and members may share a NAT or use private addresses: CometBFT would refuse both.
  p2p.allow_duplicate_ip = true;
  p2p.addr_book_strict = false;
  p2p.pex = false;
  p2p.persistent_peers_max_dial_period = "2s";
  // CometBFT holds each peer's outgoing messages until this timer fires: its 100 ms default delays every vote, so each
  // of a height's propose, prevote and precommit steps waited about 100 ms more than the network needs.
  p2p.flush_throttle_timeout = ms(P2P_FLUSH_THROTTLE_MS);
  if (settings.roundTimeoutMs !== undefined) {
    const t = settings.roundTimeoutMs;
    consensus.timeout_propose = ms(t);
    consensus.timeout_propose_delta = ms(Math.ceil(t / 4));
    consensus.timeout_prevote = ms(Math.ceil(t / 2));
    consensus.timeout_prevote_delta = ms(Math.ceil(t / 4));
    consensus.timeout_precommit = ms(Math.ceil(t / 2));
    consensus.timeout_precommit_delta = ms(Math.ceil(t / 4));
  }
  if (settings.timeoutCommitMs !== undefined) consensus.timeout_commit = ms(settings.timeoutCommitMs);
  consensus.create_empty_blocks = settings.createEmptyBlocks ?? false;
  if (settings.createEmptyBlocksIntervalMs !== undefined) {
    consensus.create_empty_blocks_interval = ms(settings.createEmptyBlocksIntervalMs);
  }
  mempool.size = settings.mempoolSize ?? DEFAULT_MEMPOOL_SIZE;
  mempool.max_txs_bytes = settings.mempoolMaxTxsBytes ?? DEFAULT_MEMPOOL_MAX_TXS_BYTES;
  if (settings.rpcMaxBatchSize !== undefined) rpc.max_request_batch_size = settings.rpcMaxBatchSize;
  // Off unless a port is given: CometBFT's default address listens on every interface.
  instrumentation.prometheus = settings.prometheusPort !== undefined;
  if (settings.prometheusPort !== undefined)
    instrumentation.prometheus_listen_addr = hostPort(host, settings.prometheusPort);
  if (settings.stateSync !== undefined) configureStateSync(config, settings.stateSync);
  writeFileSync(configPath(home), stringify(config) + "\n");
}

/** The ABCI address CometBFT will dial, so the sidecar listens exactly there. */
export function proxyAppAddress(home: string): string {
  const value = readCometConfig(home).proxy_app;
  if (typeof value !== "string" || value === "") throw new Error(`${configPath(home)} has no proxy_app`);
  return value;
}

/** The transport CometBFT dials the sidecar with (config.toml `abci`). */
export function abciTransport(home: string): AbciTransport {
  const value = readCometConfig(home).abci;
  if (value !== "socket" && value !== "grpc")
    throw new Error(
      `${configPath(home)} has abci = ${JSON.stringify(value)}; the sidecar serves "socket" or "grpc"`,
    );
  return value;
}

/** How many txs the node's mempool holds ([mempool] size). */
export function mempoolSize(home: string): number {
  const value = section(readCometConfig(home), "mempool").size;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw new Error(`${configPath(home)} has no positive [mempool] size`);
  return value;
}

/** The RPC listen address, as tcp://host:port. */
export function rpcListenAddress(home: string): string {
  const value = section(readCometConfig(home), "rpc").laddr;
  if (typeof value !== "string" || value === "") throw new Error(`${configPath(home)} has no [rpc] laddr`);
  return value;
}
