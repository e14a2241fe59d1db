// The JSON shapes CometBFT v0.38's RPC prints, built from the protobuf types the app and the solo producer use.
// Two encodings coexist there: jsonpb (every field, int64 as string) for ABCI results, and amino-style
// JSON (zero fields left out) where a result is embedded by value, as in Tx events.
import type {
  Event,
  ExecTxResult,
  ResponseCheckTx,
  ResponseFinalizeBlock,
  ResponseQuery,
  ValidatorUpdate,
} from "cosmjs-types/tendermint/abci/types";
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import type { BlockID, Commit, Header } from "cosmjs-types/tendermint/types/types";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex").toUpperCase();
export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
const base64OrNull = (bytes: Uint8Array): string | null => (bytes.length === 0 ? null : base64(bytes));

/** RFC 3339 with up to nanosecond precision and trailing zeros trimmed, as Go's time.RFC3339Nano. */
export function rfc3339(time: Timestamp): string {
  const whole = new Date(Number(time.seconds) * 1000).toISOString().slice(0, 19);
  const fraction = time.nanos === 0 ? "" : "." + String(time.nanos).padStart(9, "0").replace(/0+$/, "");
  return `${whole}${fraction}Z`;
}

export function blockIdJson(id: BlockID): JsonObject {
  return { hash: hex(id.hash), parts: { total: id.partSetHeader.total, hash: hex(id.partSetHeader.hash) } };
}

export function headerJson(header: Header): JsonObject {
  return {
    version: { block: String(header.version.block), app: String(header.version.app) },
    chain_id: header.chainId,
    height: String(header.height),
    time: rfc3339(header.time),
    last_block_id: blockIdJson(header.lastBlockId),
    last_commit_hash: hex(header.lastCommitHash),
    data_hash: hex(header.dataHash),
    validators_hash: hex(header.validatorsHash),
    next_validators_hash: hex(header.nextValidatorsHash),
    consensus_hash: hex(header.consensusHash),
    app_hash: hex(header.appHash),
    last_results_hash: hex(header.lastResultsHash),
    evidence_hash: hex(header.evidenceHash),
    proposer_address: hex(header.proposerAddress),
  };
}

export function commitJson(commit: Commit): JsonObject {
  return {
    height: String(commit.height),
    round: commit.round,
    block_id: blockIdJson(commit.blockId),
    signatures: commit.signatures.map((sig) => ({
      block_id_flag: sig.blockIdFlag,
      validator_address: hex(sig.validatorAddress),
      timestamp: rfc3339(sig.timestamp),
      signature: base64OrNull(sig.signature),
    })),
  };
}

export function blockJson(header: Header, txs: Uint8Array[], lastCommit: Commit): JsonObject {
  return {
    header: headerJson(header),
    data: { txs: txs.map(base64) },
    evidence: { evidence: [] },
    last_commit: commitJson(lastCommit),
  };
}

function eventJson(event: Event): JsonObject {
  return {
    type: event.type,
    attributes: event.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
  };
}

/** jsonpb form: what block_results, broadcast_tx_commit and tx print. */
export function execTxResultJson(result: ExecTxResult | ResponseCheckTx): JsonObject {
  return {
    code: result.code,
    data: base64OrNull(result.data),
    log: result.log,
    info: result.info,
    gas_wanted: String(result.gasWanted),
    gas_used: String(result.gasUsed),
    events: result.events.map(eventJson),
    codespace: result.codespace,
  };
}

/** Amino form with zero fields left out: what a Tx event's TxResult.result prints. */
export function execTxResultCompactJson(result: ExecTxResult): JsonObject {
  const out: JsonObject = {};
  if (result.code !== 0) out.code = result.code;
  if (result.data.length > 0) out.data = base64(result.data);
  if (result.log !== "") out.log = result.log;
  if (result.info !== "") out.info = result.info;
  if (result.gasWanted !== 0n) out.gas_wanted = String(result.gasWanted);
  if (result.gasUsed !== 0n) out.gas_used = String(result.gasUsed);
  if (result.events.length > 0) out.events = result.events.map(compactEventJson);
  if (result.codespace !== "") out.codespace = result.codespace;
  return out;
}

function compactEventJson(event: Event): JsonObject {
  const out: JsonObject = {};
  if (event.type !== "") out.type = event.type;
  if (event.attributes.length > 0) out.attributes = eventJson(event).attributes!;
  return out;
}

export function validatorUpdateJson(update: ValidatorUpdate): JsonObject {
  const key: JsonObject =
    update.pubKey.ed25519 !== undefined
      ? { type: "tendermint.crypto.PublicKey_Ed25519", value: { ed25519: base64(update.pubKey.ed25519) } }
      : {
          type: "tendermint.crypto.PublicKey_Secp256K1",
          value: { secp256k1: base64(update.pubKey.secp256k1!) },
        };
  return { pub_key: { Sum: key }, power: String(update.power) };
}

export function consensusParamsJson(params: ConsensusParams | undefined): JsonObject | null {
  if (params === undefined) return null;
  const out: JsonObject = {};
  if (params.block) {
    out.block = { max_bytes: String(params.block.maxBytes), max_gas: String(params.block.maxGas) };
  }
  if (params.evidence) {
    const duration = params.evidence.maxAgeDuration;
    const nanos = duration.seconds * 1_000_000_000n + BigInt(duration.nanos);
    out.evidence = {
      max_age_num_blocks: String(params.evidence.maxAgeNumBlocks),
      max_age_duration: String(nanos),
      max_bytes: String(params.evidence.maxBytes),
    };
  }
  if (params.validator) out.validator = { pub_key_types: params.validator.pubKeyTypes };
  if (params.version) out.version = { app: String(params.version.app) };
  if (params.abci) {
    out.abci = { vote_extensions_enable_height: String(params.abci.voteExtensionsEnableHeight) };
  }
  return out;
}

export function blockResultsJson(height: bigint, results: ResponseFinalizeBlock): JsonObject {
  return {
    height: String(height),
    txs_results: results.txResults.length === 0 ? null : results.txResults.map(execTxResultJson),
    finalize_block_events: results.events.length === 0 ? null : results.events.map(eventJson),
    validator_updates:
      results.validatorUpdates.length === 0 ? null : results.validatorUpdates.map(validatorUpdateJson),
    consensus_param_updates: consensusParamsJson(results.consensusParamUpdates),
    app_hash: base64(results.appHash),
  };
}

/** The result_finalize_block embedded in a NewBlock event. */
export function finalizeBlockEventJson(results: ResponseFinalizeBlock): JsonObject {
  const out: JsonObject = {};
  if (results.events.length > 0) out.events = results.events.map(eventJson);
  if (results.txResults.length > 0) out.tx_results = results.txResults.map(execTxResultJson);
  // No omitempty on this field in CometBFT: an empty list prints as Go's nil slice, null.
  out.validator_updates =
    results.validatorUpdates.length === 0 ? null : results.validatorUpdates.map(validatorUpdateJson);
  const params = consensusParamsJson(results.consensusParamUpdates);
  if (params !== null) out.consensus_param_updates = params;
  if (results.appHash.length > 0) out.app_hash = base64(results.appHash);
  return out;
}

export function queryJson(response: ResponseQuery): JsonObject {
  return {
    code: response.code,
    log: response.log,
    info: response.info,
    index: String(response.index),
    key: base64OrNull(response.key),
    value: base64OrNull(response.value),
    proofOps:
      response.proofOps === undefined
        ? null
        : {
            ops: response.proofOps.ops.map((op) => ({
              type: op.type,
              key: base64(op.key),
              data: base64(op.data),
            })),
          },
    height: String(response.height),
    codespace: response.codespace,
  };
}
