import { expect } from "chai";
import { readFileSync } from "node:fs";
import { createPublicKey, verify } from "node:crypto";
import type { Header } from "cosmjs-types/tendermint/types/types";
import { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { blockIDFlagFromJSON } from "cosmjs-types/tendermint/types/validator";
import {
  commitHash,
  consensusHash,
  dataHash,
  headerHash,
  resultsHash,
} from "../../../../chain-sidecar/solo/block-hashing.js";
import { ConsensusValidators, ed25519Address } from "../../../../chain-sidecar/solo/consensus-validators.js";
import { precommitSignBytes } from "../../../../chain-sidecar/solo/vote-sign-bytes.js";
import { merkleRoot } from "../../../../chain-sidecar/solo/simple-merkle.js";
import {
  ED25519_SPKI_PREFIX,
  blockIdFromJson,
  fromTimestampText,
  headerFromJson,
  type BlockIdJson,
  type HeaderJson,
} from "../../../support/cometbft-block-json.js";

interface Fixture {
  block19: { block_id: BlockIdJson; header: HeaderJson; txs: string[] };
  block20: { block_id: BlockIdJson; header: HeaderJson; last_commit: CommitJson };
  validators: { address: string; pub_key: string; voting_power: string }[];
  results19: { code: number; data: string | null; gas_wanted: string; gas_used: string }[];
  consensus_params: { block: { max_bytes: string; max_gas: string } };
}
interface CommitJson {
  height: string;
  round: number;
  block_id: BlockIdJson;
  signatures: { block_id_flag: number; validator_address: string; timestamp: string; signature: string }[];
}

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/cometbft-0.38-blocks.json", import.meta.url), "utf8"),
) as Fixture;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex").toUpperCase();

describe("CometBFT v0.38 hashing, checked against blocks a real node made", () => {
  const header19: Header = headerFromJson(fixture.block19.header);
  const header20: Header = headerFromJson(fixture.block20.header);
  const commit = fixture.block20.last_commit;

  it("hashes a header to the node's block id", () => {
    expect(hex(headerHash(header19))).to.equal(fixture.block19.block_id.hash);
    expect(hex(headerHash(header20))).to.equal(fixture.block20.block_id.hash);
  });

  it("hashes the txs, the results, the commit, the validator set and the consensus params as the header says", () => {
    const txs = fixture.block19.txs.map((tx) => new Uint8Array(Buffer.from(tx, "base64")));
    expect(hex(dataHash(txs))).to.equal(fixture.block19.header.data_hash);
    expect(hex(dataHash([]))).to.equal(fixture.block20.header.data_hash);
    const results = fixture.results19.map((r) => ({
      code: r.code,
      data: new Uint8Array(Buffer.from(r.data ?? "", "base64")),
      log: "",
      info: "",
      gasWanted: BigInt(r.gas_wanted),
      gasUsed: BigInt(r.gas_used),
      events: [],
      codespace: "",
    }));
    expect(hex(resultsHash({ txResults: results } as never))).to.equal(
      fixture.block20.header.last_results_hash,
    );
    const signatures = commit.signatures.map((s) => ({
      blockIdFlag: blockIDFlagFromJSON(s.block_id_flag),
      validatorAddress: new Uint8Array(Buffer.from(s.validator_address, "hex")),
      timestamp: fromTimestampText(s.timestamp),
      signature: new Uint8Array(Buffer.from(s.signature, "base64")),
    }));
    const lastCommit = {
      height: BigInt(commit.height),
      round: commit.round,
      blockId: blockIdFromJson(commit.block_id),
      signatures,
    };
    expect(hex(commitHash(lastCommit))).to.equal(fixture.block20.header.last_commit_hash);
    const set = new ConsensusValidators(
      fixture.validators.map((v) => {
        const pubKey = new Uint8Array(Buffer.from(v.pub_key, "base64"));
        return { address: ed25519Address(pubKey), pubKey, power: BigInt(v.voting_power) };
      }),
    );
    expect(set.members[0]!.address).to.equal(fixture.validators[0]!.address);
    expect(hex(set.hash())).to.equal(fixture.block20.header.validators_hash);
    const { max_bytes, max_gas } = fixture.consensus_params.block;
    expect(
      hex(
        consensusHash(
          ConsensusParams.fromPartial({ block: { maxBytes: BigInt(max_bytes), maxGas: BigInt(max_gas) } }),
        ),
      ),
    ).to.equal(fixture.block20.header.consensus_hash);
  });

  it("reproduces the precommit sign bytes the node's validator signed", () => {
    const sig = commit.signatures[0]!;
    const signBytes = precommitSignBytes({
      chainId: header20.chainId,
      height: BigInt(commit.height),
      round: commit.round,
      blockId: blockIdFromJson(commit.block_id),
      time: fromTimestampText(sig.timestamp),
    });
    const publicKey = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(fixture.validators[0]!.pub_key, "base64")]),
      format: "der",
      type: "spki",
    });
    expect(verify(null, signBytes, publicKey, Buffer.from(sig.signature, "base64"))).to.equal(true);
    const tampered = Buffer.from(signBytes);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    expect(verify(null, tampered, publicKey, Buffer.from(sig.signature, "base64"))).to.equal(false);
  });

  it("splits Merkle trees as RFC 6962 does", () => {
    const leaves = [1, 2, 3].map((n) => Uint8Array.of(n));
    expect(hex(merkleRoot(leaves))).to.not.equal(hex(merkleRoot(leaves.slice(0, 2))));
    expect(hex(merkleRoot([]))).to.equal("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
  });
});
