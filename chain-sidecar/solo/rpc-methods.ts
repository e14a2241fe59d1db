// The CometBFT RPC methods the solo producer serves, with CometBFT v0.38's result shapes.
import type { ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import type { StoredBlock } from "./block-store.js";
import {
  base64,
  blockIdJson,
  blockJson,
  blockResultsJson,
  execTxResultJson,
  headerJson,
  hex,
  queryJson,
  rfc3339,
  type Json,
} from "./cometbft-json.js";
import { MempoolError } from "./mempool.js";
import { RpcError, type ParamSpec, type ParamValue } from "./rpc-params.js";
import { cometbftVersion } from "./cometbft-version.js";
import type { SoloProducer } from "./solo-producer.js";

export interface RpcMethod {
  params: ParamSpec;
  call(args: Record<string, ParamValue>): Promise<Json>;
}

export interface RpcMethodsOptions {
  producer: SoloProducer;
  /** The address clients reach this RPC on, shown in status. */
  rpcAddress: () => string;
  moniker: string;
  broadcastCommitTimeoutMs?: number;
}

const EMPTY_EXEC_RESULT: Json = {
  code: 0,
  data: null,
  log: "",
  info: "",
  gas_wanted: "0",
  gas_used: "0",
  events: [],
  codespace: "",
};

export function createRpcMethods(options: RpcMethodsOptions): Record<string, RpcMethod> {
  const { producer } = options;
  const store = producer.store;

  const heightOrLatest = (value: ParamValue): bigint => {
    const latest = store.height;
    if (value === undefined) return latest;
    const height = value as bigint;
    if (height <= 0n) throw RpcError.internal(`height must be greater than 0, but got ${height}`);
    if (height > latest) {
      throw RpcError.internal(
        `height ${height} must be less than or equal to the current blockchain height ${latest}`,
      );
    }
    if (height < store.base) {
      throw RpcError.internal(`height ${height} is not available, lowest height is ${store.base}`);
    }
    return height;
  };
  const blockAt = (height: bigint): StoredBlock => {
    const block = store.get(height);
    if (block === undefined) throw RpcError.internal(`block at height ${height} is not available`);
    return block;
  };
  const admit = (tx: Uint8Array): string => {
    try {
      return producer.admitTx(tx);
    } catch (error) {
      if (error instanceof MempoolError) throw RpcError.internal(error.message);
      throw error;
    }
  };
  const checkTxJson = (response: ResponseCheckTx): Json => execTxResultJson(response);

  return {
    health: { params: [], call: () => Promise.resolve({}) },

    status: {
      params: [],
      async call() {
        const info = await producer.info();
        const latest = store.latest();
        const earliest = store.get(store.base);
        const key = producer.validatorKey;
        const power =
          producer.currentValidators.members.find((m) => m.address === key.addressHex)?.power ?? 0n;
        return {
          node_info: {
            protocol_version: { p2p: "8", block: "11", app: String(info.appVersion) },
            id: key.addressHex.toLowerCase(),
            listen_addr: options.rpcAddress(),
            network: producer.genesis.chain_id,
            version: cometbftVersion(),
            channels: "",
            moniker: options.moniker,
            other: { tx_index: "on", rpc_address: options.rpcAddress() },
          },
          sync_info: {
            latest_block_hash: latest === undefined ? "" : hex(latest.blockId.hash),
            latest_app_hash: latest === undefined ? "" : hex(latest.header.appHash),
            latest_block_height: String(store.height),
            latest_block_time:
              latest === undefined ? producer.genesis.genesis_time : rfc3339(latest.header.time),
            earliest_block_hash: earliest === undefined ? "" : hex(earliest.blockId.hash),
            earliest_app_hash: earliest === undefined ? "" : hex(earliest.header.appHash),
            earliest_block_height: String(store.base),
            earliest_block_time:
              earliest === undefined ? producer.genesis.genesis_time : rfc3339(earliest.header.time),
            catching_up: false,
          },
          validator_info: {
            address: key.addressHex,
            pub_key: { type: "tendermint/PubKeyEd25519", value: base64(key.publicKey) },
            voting_power: String(power),
          },
        };
      },
    },

    abci_info: {
      params: [],
      async call() {
        const info = await producer.info();
        return {
          response: {
            data: info.data,
            version: info.version,
            app_version: String(info.appVersion),
            last_block_height: String(info.lastBlockHeight),
            last_block_app_hash: base64(info.lastBlockAppHash),
          },
        };
      },
    },

    abci_query: {
      params: [
        ["path", "string"],
        ["data", "hex"],
        ["height", "int"],
        ["prove", "bool"],
      ],
      async call(args) {
        const response = await producer.query({
          path: (args.path as string | undefined) ?? "",
          data: (args.data as Uint8Array | undefined) ?? new Uint8Array(),
          height: (args.height as bigint | undefined) ?? 0n,
          prove: (args.prove as boolean | undefined) ?? false,
        });
        return { response: queryJson(response) };
      },
    },

    broadcast_tx_async: {
      params: [["tx", "bytes"]],
      call(args) {
        const tx = requiredTx(args);
        const hash = admit(tx);
        // CheckTx runs after the answer, as CometBFT's async broadcast does; a fault there stops the producer.
        producer.checkAdmittedTx(tx, hash).catch(() => undefined);
        return Promise.resolve({ code: 0, data: "", log: "", codespace: "", hash });
      },
    },

    broadcast_tx_sync: {
      params: [["tx", "bytes"]],
      async call(args) {
        const tx = requiredTx(args);
        const hash = admit(tx);
        const response = await producer.checkAdmittedTx(tx, hash);
        return {
          code: response.code,
          data: hex(response.data),
          log: response.log,
          codespace: response.codespace,
          hash,
        };
      },
    },

    broadcast_tx_commit: {
      params: [["tx", "bytes"]],
      async call(args) {
        const tx = requiredTx(args);
        const hash = admit(tx);
        // Listen before CheckTx so a block produced right after it cannot be missed.
        let unsubscribe: () => void = () => undefined;
        const included = new Promise<StoredBlock>((resolve) => {
          unsubscribe = producer.onBlock((block) => {
            if (block.txHashes.includes(hash)) resolve(block);
          });
        });
        try {
          const check = await producer.checkAdmittedTx(tx, hash);
          if (check.code !== 0) {
            return { check_tx: checkTxJson(check), tx_result: EMPTY_EXEC_RESULT, hash, height: "0" };
          }
          const timeoutMs = options.broadcastCommitTimeoutMs ?? 10_000;
          let timer: ReturnType<typeof setTimeout> | undefined;
          const timeout = new Promise<undefined>((resolve) => {
            timer = setTimeout(() => {
              resolve(undefined);
            }, timeoutMs);
          });
          const block = await Promise.race([included, timeout]);
          clearTimeout(timer);
          if (block === undefined)
            throw RpcError.internal("timed out waiting for tx to be included in a block");
          const index = block.txHashes.indexOf(hash);
          return {
            check_tx: checkTxJson(check),
            tx_result: execTxResultJson(block.results.txResults[index]!),
            hash,
            height: String(block.header.height),
          };
        } finally {
          unsubscribe();
        }
      },
    },

    num_unconfirmed_txs: {
      params: [],
      call: () =>
        Promise.resolve({
          n_txs: String(producer.mempool.size),
          total: String(producer.mempool.size),
          total_bytes: String(producer.mempool.bytes),
          txs: null,
        }),
    },

    block: {
      params: [["height", "int"]],
      call(args) {
        const height = heightOrLatest(args.height);
        if (height === 0n)
          return Promise.resolve({ block_id: { hash: "", parts: { total: 0, hash: "" } }, block: null });
        const block = blockAt(height);
        return Promise.resolve({
          block_id: blockIdJson(block.blockId),
          block: blockJson(block.header, block.txs, block.lastCommit),
        });
      },
    },

    block_results: {
      params: [["height", "int"]],
      call(args) {
        const height = heightOrLatest(args.height);
        return Promise.resolve(blockResultsJson(height, blockAt(height).results));
      },
    },

    blockchain: {
      params: [
        ["minHeight", "int"],
        ["maxHeight", "int"],
      ],
      call(args) {
        const latest = store.height;
        const limit = 20n;
        let max = (args.maxHeight as bigint | undefined) ?? latest;
        let min = (args.minHeight as bigint | undefined) ?? 1n;
        if (min < 0n || max < 0n) throw RpcError.internal("heights must be non-negative");
        if (max === 0n || max > latest) max = latest;
        if (min < store.base) min = store.base;
        if (min < max - limit + 1n) min = max - limit + 1n;
        if (min > max) throw RpcError.internal(`min height ${min} can't be greater than max height ${max}`);
        const metas: Json[] = [];
        for (let h = max; h >= min && h > 0n; h--) {
          const block = blockAt(h);
          metas.push({
            block_id: blockIdJson(block.blockId),
            block_size: String(block.sizeBytes),
            header: headerJson(block.header),
            num_txs: String(block.txs.length),
          });
        }
        return Promise.resolve({ last_height: String(latest), block_metas: metas });
      },
    },

    validators: {
      params: [
        ["height", "int"],
        ["page", "int"],
        ["per_page", "int"],
      ],
      call(args) {
        const height = heightOrLatest(args.height);
        const set = height === 0n ? producer.currentValidators : blockAt(height).validators;
        const perPage = clamp((args.per_page as bigint | undefined) ?? 30n, 1n, 100n);
        const pages = BigInt(Math.max(1, Math.ceil(set.members.length / Number(perPage))));
        const page = (args.page as bigint | undefined) ?? 1n;
        if (page < 1n || page > pages)
          throw RpcError.internal(`page should be within [1, ${pages}] range, given ${page}`);
        const start = Number((page - 1n) * perPage);
        const members = set.members.slice(start, start + Number(perPage));
        return Promise.resolve({
          block_height: String(height),
          validators: members.map((m) => ({
            address: m.address,
            pub_key: { type: "tendermint/PubKeyEd25519", value: base64(m.pubKey) },
            voting_power: String(m.power),
            proposer_priority: "0",
          })),
          count: String(members.length),
          total: String(set.members.length),
        });
      },
    },

    tx: {
      params: [
        ["hash", "bytes"],
        ["prove", "bool"],
      ],
      call(args) {
        const hash = args.hash as Uint8Array | undefined;
        if (hash === undefined) throw RpcError.invalidParams("param hash is required");
        const hashHex = hex(hash);
        const location = store.findTx(hashHex);
        if (location === undefined) throw RpcError.internal(`tx (${hashHex}) not found`);
        const block = blockAt(location.height);
        return Promise.resolve({
          hash: hashHex,
          height: String(location.height),
          index: location.index,
          tx_result: execTxResultJson(block.results.txResults[location.index]!),
          tx: base64(block.txs[location.index]!),
        });
      },
    },

    genesis: { params: [], call: () => Promise.resolve({ genesis: producer.genesis as unknown as Json }) },
  };
}

function requiredTx(args: Record<string, ParamValue>): Uint8Array {
  const tx = args.tx as Uint8Array | undefined;
  if (tx === undefined || tx.length === 0)
    throw RpcError.invalidParams("param tx is required and must not be empty");
  return tx;
}

function clamp(value: bigint, min: bigint, max: bigint): bigint {
  return value < min ? min : value > max ? max : value;
}
