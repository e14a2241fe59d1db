// The handshake at start, as CometBFT does it: InitChain on an empty application, otherwise resume after the
// application's last block with the validator sets and block id the position file kept.
import type { Mutex } from "async-mutex";
import type { Logger } from "pino";
import type { ResponseInfo } from "cosmjs-types/tendermint/abci/types";
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import type { AbciApplication } from "../abci/application.js";
import type { GenesisDoc } from "../genesis/genesis-doc.js";
import { initChainRequest, timestampFromRfc3339 } from "../genesis/init-chain-request.js";
import { EMPTY_BLOCK_ID, fromHex } from "./block-hashing.js";
import { sha256 } from "../state/sha256.js";
import type { ChainPosition, SavedPositionFields } from "./chain-position.js";
import { ConsensusValidators } from "./consensus-validators.js";

export interface Handshake {
  position: ChainPosition;
  /** The consensus parameters InitChain changed, if it did. */
  consensusParams?: ConsensusParams;
}

export async function handshake(
  app: AbciApplication,
  appLock: Mutex,
  info: ResponseInfo,
  genesis: GenesisDoc,
  saved: SavedPositionFields | undefined,
  logger: Logger,
): Promise<Handshake> {
  const initialHeight = BigInt(genesis.initial_height);
  if (info.lastBlockHeight === 0n) {
    const request = initChainRequest(genesis);
    const response = await appLock.runExclusive(() => app.initChain(request));
    const set = ConsensusValidators.fromUpdates(
      response.validators.length > 0 ? response.validators : request.validators,
    );
    const appHash = response.appHash.length > 0 ? response.appHash : fromHex(genesis.app_hash);
    const position: ChainPosition = {
      height: initialHeight - 1n,
      blockId: EMPTY_BLOCK_ID,
      appHash,
      resultsHash: sha256(new Uint8Array()),
      timeMillis: Number(timestampFromRfc3339(genesis.genesis_time).seconds) * 1000 - 1,
      lastValidators: new ConsensusValidators([]),
      validators: set,
      nextValidators: set,
    };
    logger.info({ chainId: genesis.chain_id, validators: set.members.length }, "solo chain initialized");
    return { position, consensusParams: response.consensusParams };
  }
  if (saved !== undefined && saved.height !== info.lastBlockHeight) {
    logger.warn(
      { app: String(info.lastBlockHeight), saved: String(saved.height) },
      "solo state and application heights differ; continuing from the application's height",
    );
  }
  const fallback = ConsensusValidators.fromUpdates(initChainRequest(genesis).validators);
  const position: ChainPosition = {
    height: info.lastBlockHeight,
    blockId: saved?.blockId ?? EMPTY_BLOCK_ID,
    appHash: info.lastBlockAppHash,
    resultsHash: saved?.resultsHash ?? sha256(new Uint8Array()),
    timeMillis: saved?.timeMillis ?? 0,
    lastValidators: saved?.lastValidators ?? fallback,
    validators: saved?.validators ?? fallback,
    nextValidators: saved?.nextValidators ?? fallback,
  };
  logger.info(
    { height: String(info.lastBlockHeight) },
    "solo chain resumes after the application's last block",
  );
  return { position };
}
