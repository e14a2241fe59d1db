import { expect } from "chai";
import * as ethers from "ethers";
import fc from "fast-check";
import { explorerCatalog } from "../../../../chain-sidecar/explorer/explorer-catalog.js";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { OpenContractMsg } from "../../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../../chain-sidecar/modules/metering/metering-messages.js";
import { RegisterNodeMsg } from "../../../../chain-sidecar/modules/poc/poc-messages.js";
import { uranusCatalog } from "../../../../chain-sidecar/modules/uranus-modules.js";
import { decodeTx, txHash } from "../../../../chain-sidecar/tx/envelope.js";
import type { MessageSpec } from "../../../../chain-sidecar/tx/message-spec.js";
import { recoverSender, signTx } from "../../../../chain-sidecar/tx/signing.js";
import { CHAIN_ID, testWallet } from "../app-harness.js";
import { batchOf, contractTerms, meterRecord, nodeOffer } from "../modules/market/economy-fixtures.js";
import { loadPageModules, type DecodedPageTx, type TxDecoderModule } from "./page-modules.js";

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

/** A format-1 transaction envelope around RLP fields built by hand (tampered or malformed on purpose). */
const envelope = (fields: ethers.RlpStructuredData[]): Uint8Array =>
  new Uint8Array([1, ...ethers.getBytes(ethers.encodeRlp(fields))]);

describe("explorer page: reading transactions as the chain does", () => {
  let page: TxDecoderModule;
  let decode: (base64Tx: string) => DecodedPageTx;

  before(async () => {
    [page] = await loadPageModules("tx-decoder.js");
    decode = page.createTxDecoder(ethers, explorerCatalog());
  });

  async function signed<T>(label: string, spec: MessageSpec<T>, message: T, nonce: number) {
    const wallet = testWallet(label);
    const bytes = await signTx(wallet, CHAIN_ID, spec, message, nonce);
    return { wallet, bytes, chain: decodeTx(bytes, uranusCatalog) };
  }

  it("decodes type, nonce, fields and the signer of each kind of message, exactly as the chain reads them", async () => {
    const owner = testWallet("page-owner").address.toLowerCase();
    const cases = [
      await signed("page-a", TransferMsg, { to: owner, amount: 12_345_678_901_234_567_890n }, 0),
      await signed("page-b", RegisterNodeMsg, nodeOffer("node-page", { region: "ap-south" }), 3),
      await signed(
        "page-c",
        OpenContractMsg,
        contractTerms({ regions: ["eu-west", "us-east"], spread: true }),
        7,
      ),
      await signed(
        "page-d",
        MeteringBatchMsg,
        batchOf(owner, [
          meterRecord("pod-1", "0123456789abcdef0123", "node-page", 100, 160),
          meterRecord("pod-2", "0123456789abcdef0123", "node-page", 100, 130, { replica: 1n }),
        ]),
        42,
      ),
    ];
    for (const { wallet, bytes, chain } of cases) {
      const decoded = decode(base64(bytes));
      expect(decoded.problem, chain.spec.primaryType).to.equal(undefined);
      expect(decoded).to.deep.include({
        hash: txHash(bytes),
        typeId: chain.spec.typeId,
        type: chain.spec.primaryType,
        nonce: chain.nonce,
        chainId: CHAIN_ID,
        sender: wallet.address.toLowerCase(),
      });
      expect(decoded.message).to.deep.equal(chain.message);
    }
    const batch = decode(base64(cases[3]!.bytes));
    expect((batch.message!.records as { podUid: string }[]).map((r) => r.podUid)).to.deep.equal([
      "pod-1",
      "pod-2",
    ]);
    expect(page.messageSummary(batch.message)).to.match(
      /^contributor: 0x[0-9a-f]{20}…, root: .*records: 2 items$/,
    );
    expect(JSON.parse(page.messageJson(batch.message))).to.have.nested.property("records[1].replica", "1");
  });

  it("recovers the same sender as the chain for any transfer, and for tampered bytes too", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.bigInt({ min: 1n, max: 2n ** 255n }),
        fc.nat({ max: 2 ** 40 }),
        fc.nat(),
        async (label, to, amount, nonce, flip) => {
          const { wallet, bytes, chain } = await signed(
            label,
            TransferMsg,
            { to: ethers.hexlify(to), amount },
            nonce,
          );
          const decoded = decode(base64(bytes));
          expect(decoded.sender).to.equal(wallet.address.toLowerCase());
          expect(decoded.message).to.deep.equal(chain.message);

          // A changed amount under the same signature: the chain and the page must agree on who "signed" it.
          const items = ethers.decodeRlp(bytes.subarray(1)) as [string, string, string, string[], string];
          items[3][1] = ethers.toBeHex(amount + BigInt(flip % 1000) + 1n);
          const tampered = envelope(items);
          let chainSender: string | undefined;
          try {
            chainSender = recoverSender(decodeTx(tampered, uranusCatalog));
          } catch {
            chainSender = undefined;
          }
          const page = decode(base64(tampered));
          expect(page.sender).to.equal(chainSender);
          if (chainSender !== undefined) expect(chainSender).to.not.equal(wallet.address.toLowerCase());
        },
      ),
      { numRuns: 40 },
    );
  });

  it("names what it cannot read: format version, unknown type, broken RLP, short signature", async () => {
    const { bytes } = await signed("page-bad", TransferMsg, { to: ethers.ZeroAddress, amount: 1n }, 0);
    const wrongVersion = new Uint8Array(bytes);
    wrongVersion[0] = 2;
    expect(decode(base64(wrongVersion))).to.deep.include({
      type: "unknown",
      problem: "unknown format version 2",
    });

    const unknownType = envelope([
      ethers.hexlify(ethers.toUtf8Bytes(CHAIN_ID)),
      "0x03e7",
      "0x01",
      [],
      "0x" + "11".repeat(65),
    ]);
    const unknown = decode(base64(unknownType));
    expect(unknown).to.deep.include({
      typeId: 999,
      nonce: 1,
      chainId: CHAIN_ID,
      problem: "unknown message type 999",
    });

    const truncated = decode(base64(bytes.subarray(0, bytes.length - 10)));
    expect(truncated.type).to.equal("unknown");
    expect(truncated.problem).to.be.a("string").and.not.equal("");
    expect(truncated.hash).to.equal(txHash(bytes.subarray(0, bytes.length - 10)));

    const shortSignature = envelope([
      ethers.hexlify(ethers.toUtf8Bytes(CHAIN_ID)),
      "0x01",
      "0x",
      [ethers.ZeroAddress, "0x01"],
      "0x1234",
    ]);
    const short = decode(base64(shortSignature));
    expect(short).to.deep.include({
      type: "Transfer",
      nonce: 0,
      sender: undefined,
      problem: "signature is 2 bytes",
    });
  });
});
