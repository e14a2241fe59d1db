// `uranus chain init --genesis`: a home that joins an existing network, with keys from files (a Secret) when given.
import { chmodSync, copyFileSync, existsSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { readGenesisDoc, type GenesisDoc } from "../genesis/genesis-doc.js";
import { readCometConfig, type StateSyncSettings } from "./cometbft-config.js";
import { homePaths, nodeIdOfKeyFile } from "./cometbft-home.js";
import { ValidatorKey } from "./validator-key.js";

export const NODE_ROLES = ["validator", "full"] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

const HOST = String.raw`(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)`;
const HOST_PORT = new RegExp(String.raw`^${HOST}:(\d{1,5})$`);
const PEER = new RegExp(String.raw`^[0-9a-f]{40}@${HOST}:(\d{1,5})$`);

function validPort(match: RegExpExecArray | null): boolean {
  const port = Number(match?.[1]);
  return port >= 1 && port <= 65535;
}

/** CometBFT's persistent_peers: id@host:port, comma-separated; empty means none. */
export function parsePeers(value: string): string[] {
  const peers = value
    .split(",")
    .map((peer) => peer.trim())
    .filter((peer) => peer !== "");
  for (const peer of peers) {
    if (!validPort(PEER.exec(peer)))
      throw new InvalidArgumentError(`${JSON.stringify(peer)} is not NODE_ID@HOST:PORT (a 40-hex node id)`);
  }
  return peers;
}

/** host:port peers dial to reach this node; empty means none. */
export function parseExternalAddress(value: string): string {
  const trimmed = value.trim();
  if (trimmed !== "" && !validPort(HOST_PORT.exec(trimmed)))
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not HOST:PORT`);
  return trimmed;
}

export interface JoinRequest {
  /** The network's genesis.json, copied byte for byte: CometBFT pins its hash on the first start. */
  genesis: string;
  role: NodeRole;
  /** priv_validator_key.json to sign with; used when the file exists, so it may name an optional Secret. */
  privValidatorKey?: string;
  /** node_key.json (the p2p identity); used when the file exists. */
  nodeKey?: string;
}

export interface CheckedJoin {
  genesisPath: string;
  genesis: GenesisDoc;
  privValidatorKey?: string;
  nodeKey?: string;
}

/** Checks the genesis and key files before the home is touched, so a bad one changes nothing. */
export function checkJoin(request: JoinRequest): CheckedJoin {
  const genesis = readGenesisDoc(request.genesis);
  const privValidatorKey = presentFile(request.privValidatorKey);
  const nodeKey = presentFile(request.nodeKey);
  if (privValidatorKey !== undefined) {
    if (request.role === "full")
      throw new Error(
        `a full node takes no validator key, yet ${privValidatorKey} exists: two nodes signing with one key double-sign; use --role validator or remove it`,
      );
    ValidatorKey.load(privValidatorKey);
  }
  if (nodeKey !== undefined) nodeIdOfKeyFile(nodeKey);
  return { genesisPath: request.genesis, genesis, privValidatorKey, nodeKey };
}

/** Copies the network's genesis and the given keys into a home that `cometbft init` made. */
export function joinNetwork(home: string, join: CheckedJoin): { validatorKeyFrom: string } {
  const paths = homePaths(home);
  copyFileSync(join.genesisPath, paths.genesis);
  for (const [from, to] of [
    [join.privValidatorKey, paths.validatorKey],
    [join.nodeKey, paths.nodeKey],
  ] as const) {
    if (from === undefined) continue;
    copyFileSync(from, to);
    chmodSync(to, 0o600);
  }
  return { validatorKeyFrom: join.privValidatorKey ?? "generated in the home" };
}

function presentFile(path: string | undefined): string | undefined {
  return path !== undefined && path !== "" && existsSync(path) ? path : undefined;
}

/** A trust height and block hash for state sync, read from a node of the network: its latest block. */
export async function stateSyncTrust(rpcUrl: string): Promise<{ trustHeight: number; trustHash: string }> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${rpcUrl.replace(/\/$/, "")}${path}`, {
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json()) as { result?: T; error?: { data?: string; message?: string } };
    if (body.result === undefined) {
      throw new Error(`${rpcUrl}${path}: ${body.error?.data ?? body.error?.message ?? "no result"}`);
    }
    return body.result;
  };
  const status = await get<{ sync_info: { latest_block_height: string } }>("/status");
  const trustHeight = Number(status.sync_info.latest_block_height);
  if (!(trustHeight >= 1)) throw new Error(`${rpcUrl} has no blocks yet to trust`);
  const block = await get<{ block_id: { hash: string } }>(`/block?height=${trustHeight}`);
  return { trustHeight, trustHash: block.block_id.hash };
}

/** CometBFT RPC URLs for state sync's light client, comma-separated: at least two (the same one twice will do). */
export function parseRpcServers(value: string): string[] {
  const servers = value
    .split(",")
    .map((server) => server.trim())
    .filter((server) => server !== "");
  for (const server of servers) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(server))
      throw new InvalidArgumentError(`${JSON.stringify(server)} is not an http(s)://HOST:PORT RPC URL`);
  }
  if (servers.length < 2)
    throw new InvalidArgumentError(
      "state sync needs two RPC servers (the light client's primary and a witness)",
    );
  return servers;
}

/**
 * [statesync] for a home that joins by restoring a snapshot: the trust an earlier run recorded in its config is
 * kept (so a restart needs no RPC), else the first server's latest block is trusted now.
 */
export async function stateSyncSettings(home: string, rpcServers: string[]): Promise<StateSyncSettings> {
  const recorded = readCometConfig(home).statesync as
    { trust_height?: number; trust_hash?: string } | undefined;
  const trust =
    recorded?.trust_height !== undefined && recorded.trust_height > 0 && recorded.trust_hash
      ? { trustHeight: recorded.trust_height, trustHash: recorded.trust_hash }
      : await stateSyncTrust(rpcServers[0]!);
  return { rpcServers, ...trust };
}
