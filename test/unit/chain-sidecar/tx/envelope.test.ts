import { expect } from "chai";
import { concat, decodeRlp, encodeRlp, getBytes, hexlify, TypedDataEncoder } from "ethers";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import * as staking from "../../../../chain-sidecar/modules/staking/staking-messages.js";
import { uranusCatalog } from "../../../../chain-sidecar/modules/uranus-modules.js";
import { eip712ChainId, eip712Domain } from "../../../../chain-sidecar/tx/eip712-domain.js";
import { decodeTx, encodeTx, TX_FORMAT_VERSION } from "../../../../chain-sidecar/tx/envelope.js";
import type { MessageSpec } from "../../../../chain-sidecar/tx/message-spec.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { nativeSecp256k1 } from "../../../../chain-sidecar/tx/public-key-recovery.js";
import {
  recoverSender,
  signTx,
  signingDigest,
  type TypedDataSigner,
} from "../../../../chain-sidecar/tx/signing.js";
import { TxError } from "../../../../chain-sidecar/tx/tx-error.js";
import { testWallet } from "../app-harness.js";

const chainId = "uranus-test-1";
const wallet = testWallet("signer");
const other = testWallet("other");

function expectTxError(run: () => unknown, code: number, fieldText: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a TxError").to.be.instanceOf(TxError);
  expect((caught as TxError).code).to.equal(code);
  expect((caught as TxError).message).to.contain(fieldText);
}

/** Re-encodes a decoded RLP payload after `edit`, keeping the version byte. */
function editPayload(tx: Uint8Array, edit: (items: unknown[]) => unknown[]): Uint8Array {
  const items = decodeRlp(tx.subarray(1)) as unknown[];
  const payload = getBytes(encodeRlp(edit(items) as Parameters<typeof encodeRlp>[0]));
  return new Uint8Array([TX_FORMAT_VERSION, ...payload]);
}

describe("chain-sidecar tx: envelope, EIP-712 signing and recovery", () => {
  const samples: [MessageSpec<unknown>, unknown][] = [
    [TransferMsg, { to: other.address, amount: 12345678901234567890n }],
    [
      staking.RegisterValidatorMsg,
      { consensusPubKey: hexlify(new Uint8Array(32).fill(7)), deposit: 1n, moniker: "node-ü" },
    ],
    [staking.LendMsg, { validator: other.address, amount: 5n }],
    [staking.VoteMsg, { validators: [other.address, wallet.address] }],
    [staking.VoteMsg, { validators: [] }],
    [staking.UnbondMsg, { validator: other.address, amount: 0n }],
    [staking.UnjailMsg, {}],
  ];

  it("decodes nonces of every length exactly, up to 2^53 - 1", async () => {
    for (const nonce of [0, 1, 255, 256, 2 ** 40 + 3, 2 ** 48 - 1, 2 ** 48, 2 ** 53 - 1]) {
      const tx = await signTx(wallet, chainId, TransferMsg, { to: other.address, amount: 1n }, nonce);
      expect(decodeTx(tx, uranusCatalog).nonce).to.equal(nonce);
    }
  });

  for (const [spec, message] of samples) {
    it(`round-trips and recovers the signer of ${spec.primaryType}`, async () => {
      const tx = await signTx(wallet, chainId, spec, message, 42);
      const decoded = decodeTx(tx, uranusCatalog);
      expect(decoded.spec.typeId).to.equal(spec.typeId);
      expect(decoded.nonce).to.equal(42);
      expect(decoded.chainId).to.equal(chainId);
      expect(recoverSender(decoded)).to.equal(wallet.address.toLowerCase());
      expect(encodeTx({ ...decoded })).to.deep.equal(tx);
    });

    it(`signs ${spec.primaryType} with the in-process key to the same bytes as the wallet's signTypedData`, async () => {
      // A signer that only offers signTypedData (a browser wallet, say) takes ethers' path.
      const walletOnly: TypedDataSigner = {
        getAddress: () => wallet.getAddress(),
        signTypedData: (domain, types, value) => wallet.signTypedData(domain, types, value),
      };
      expect(nativeSecp256k1, "the libsecp256k1 binding loads here").to.not.equal(undefined);
      expect(await signTx(wallet, chainId, spec, message, 9)).to.deep.equal(
        await signTx(walletOnly, chainId, spec, message, 9),
      );
    });
  }

  it("signs exactly the digest ethers' TypedDataEncoder computes, so any EIP-712 wallet can sign", async () => {
    const message = { to: other.address.toLowerCase(), amount: 7n };
    const ours = signingDigest(chainId, TransferMsg, message, 3);
    const theirs = TypedDataEncoder.hash(eip712Domain(chainId), TransferMsg.types, { ...message, nonce: 3n });
    expect(ours).to.equal(theirs);
    const walletSignature = await wallet.signTypedData(eip712Domain(chainId), TransferMsg.types, {
      ...message,
      nonce: 3n,
    });
    const tx = encodeTx({
      chainId,
      spec: TransferMsg,
      nonce: 3,
      message,
      signature: getBytes(walletSignature),
    });
    expect(recoverSender(decodeTx(tx, uranusCatalog))).to.equal(wallet.address.toLowerCase());
  });

  it("maps string chain ids to distinct, stable EIP-712 chain ids below 2^48", () => {
    expect(eip712ChainId("uranus-1")).to.equal(eip712ChainId("uranus-1"));
    expect(eip712ChainId("uranus-1")).to.not.equal(eip712ChainId("uranus-2"));
    expect(eip712ChainId("uranus-1") < 2n ** 48n).to.equal(true);
  });

  it("recovers a different sender when the chain id in the bytes is changed", async () => {
    const tx = await signTx(wallet, chainId, TransferMsg, { to: other.address, amount: 1n }, 0);
    const moved = editPayload(tx, (items) => [
      hexlify(new TextEncoder().encode("other-chain")),
      ...items.slice(1),
    ]);
    expect(recoverSender(decodeTx(moved, uranusCatalog))).to.not.equal(wallet.address.toLowerCase());
  });

  describe("malformed bytes get their specific code and name what is wrong", () => {
    let good: Uint8Array;
    before(async () => {
      good = await signTx(wallet, chainId, TransferMsg, { to: other.address, amount: 1n }, 0);
    });

    /** [test name, bad bytes made from the good transaction, expected code, text the error must contain] */
    type BadBytes = readonly [string, (good: Uint8Array) => Uint8Array, number, string];
    const itRejects = (rows: readonly BadBytes[]) => {
      for (const [name, bytes, code, text] of rows) {
        it(name, () => expectTxError(() => decodeTx(bytes(good), uranusCatalog), code, text));
      }
    };
    const { BAD_SIGNATURE, INVALID_FIELD, UNDECODABLE, UNKNOWN_TYPE } = ResultCode;

    itRejects([
      ["empty input", () => new Uint8Array(), UNDECODABLE, "empty"],
      ["unknown format version", (tx) => new Uint8Array([2, ...tx.subarray(1)]), UNDECODABLE, "version"],
      ["not RLP", () => new Uint8Array([1, 0xff]), UNDECODABLE, "RLP"],
      ["trailing bytes", (tx) => new Uint8Array([...tx, 0]), UNDECODABLE, "tx:"],
    ]);
    it("non-canonical RLP (a small integer in long form)", () => {
      const items = decodeRlp(good.subarray(1)) as Parameters<typeof encodeRlp>[0][];
      // 0x8105 decodes to the byte 0x05, whose canonical form is the bare byte 0x05.
      const parts = [
        encodeRlp(items[0]!),
        encodeRlp(items[1]!),
        "0x8105",
        encodeRlp(items[3]!),
        encodeRlp(items[4]!),
      ];
      const body = getBytes(concat(parts));
      const header = body.length < 56 ? [0xc0 + body.length] : [0xf8, body.length];
      expect(body.length).to.be.lessThan(256);
      const weird = new Uint8Array([TX_FORMAT_VERSION, ...header, ...body]);
      expectTxError(() => decodeTx(weird, uranusCatalog), UNDECODABLE, "canonical");
    });
    // The payload's items after the chain id, by position.
    const [TYPE, NONCE, FIELDS, SIGNATURE] = [1, 2, 3, 4];
    /** The transaction with payload item `index` replaced by what `value` makes of the decoded items. */
    const replacing = (index: number, value: (items: unknown[]) => unknown) => (tx: Uint8Array) =>
      editPayload(tx, (items) => items.map((item, at) => (at === index ? value(items) : item)));
    const transferTo = (items: unknown[]) => (items[FIELDS] as string[])[0];
    const wideAmount = "0x01" + "00".repeat(32);
    itRejects([
      ["wrong item count", (tx) => editPayload(tx, (i) => i.slice(0, 4)), UNDECODABLE, "5 items"],
      // The highest type id, which no module's block of ids reaches.
      ["unknown message type", replacing(TYPE, () => "0xffff"), UNKNOWN_TYPE, "tx.type"],
      ["nonce above 2^53", replacing(NONCE, () => "0xffffffffffffffff"), INVALID_FIELD, "tx.nonce"],
      ["integer with a leading zero", replacing(NONCE, () => "0x0001"), INVALID_FIELD, "tx.nonce"],
      [
        "address of the wrong length",
        replacing(FIELDS, () => ["0x1234", "0x01"]),
        INVALID_FIELD,
        "Transfer.to",
      ],
      ["missing message field", replacing(FIELDS, (i) => [transferTo(i)]), INVALID_FIELD, "Transfer"],
      [
        "amount wider than uint256",
        replacing(FIELDS, (i) => [transferTo(i), wideAmount]),
        INVALID_FIELD,
        "Transfer.amount",
      ],
      ["signature of the wrong length", replacing(SIGNATURE, () => "0x1234"), BAD_SIGNATURE, "tx.signature"],
    ]);
    it("signature with an invalid v", () => {
      const tx = new Uint8Array(good);
      tx[tx.length - 1] = 0;
      expectTxError(() => recoverSender(decodeTx(tx, uranusCatalog)), BAD_SIGNATURE, "v must be");
    });
    it("signature with s = 0, r = 0, or s one above half the order", () => {
      const decoded = decodeTx(good, uranusCatalog);
      const halfOrder = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
      const edits: [number, Uint8Array][] = [
        [32, new Uint8Array(32)],
        [0, new Uint8Array(32)],
        [32, getBytes("0x" + (halfOrder + 1n).toString(16).padStart(64, "0"))],
      ];
      for (const [at, bytes] of edits) {
        const sig = new Uint8Array(decoded.signature);
        sig.set(bytes, at);
        const edited = encodeTx({ ...decoded, signature: sig });
        expectTxError(() => recoverSender(decodeTx(edited, uranusCatalog)), BAD_SIGNATURE, "lower half");
      }
    });
    it("signature with a high s (malleated)", () => {
      const decoded = decodeTx(good, uranusCatalog);
      const sig = new Uint8Array(decoded.signature);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const s = BigInt(hexlify(sig.subarray(32, 64)));
      sig.set(getBytes("0x" + (n - s).toString(16).padStart(64, "0")), 32);
      sig[64] = sig[64] === 27 ? 28 : 27;
      const malleated = encodeTx({ ...decoded, signature: sig });
      expectTxError(() => recoverSender(decodeTx(malleated, uranusCatalog)), BAD_SIGNATURE, "lower half");
    });
  });
});
