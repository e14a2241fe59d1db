import { expect } from "chai";
import { rememberingCodec } from "../../../../chain-sidecar/state/remembering-codec.js";
import type { ValueCodec } from "../../../../chain-sidecar/state/state-access.js";

interface Counter {
  n: number;
}

/** A JSON codec that counts its decodes. */
function countingCodec(): ValueCodec<Counter> & { decodes: number } {
  const codec = {
    decodes: 0,
    encode: (value: Counter): Uint8Array => new TextEncoder().encode(JSON.stringify(value)),
    decode: (bytes: Uint8Array): Counter => {
      codec.decodes++;
      return JSON.parse(new TextDecoder().decode(bytes)) as Counter;
    },
  };
  return codec;
}

describe("remembering codec: what stored bytes decode to, per bytes object", () => {
  it("decodes a bytes object once, and an equal but distinct bytes object again", () => {
    const inner = countingCodec();
    const codec = rememberingCodec(inner);
    const bytes = new TextEncoder().encode('{"n":1}');
    expect(codec.decode(bytes)).to.deep.equal({ n: 1 });
    expect(codec.decode(bytes)).to.deep.equal({ n: 1 });
    expect(inner.decodes).to.equal(1);
    expect(codec.decode(new TextEncoder().encode('{"n":1}'))).to.deep.equal({ n: 1 });
    expect(inner.decodes).to.equal(2);
  });

  it("reads back what it encoded without decoding", () => {
    const inner = countingCodec();
    const codec = rememberingCodec(inner);
    const bytes = codec.encode({ n: 7 });
    expect(codec.decode(bytes)).to.deep.equal({ n: 7 });
    expect(inner.decodes).to.equal(0);
  });

  it("with a copy, no reader can change what another reads, nor can the writer after encoding", () => {
    const codec = rememberingCodec(countingCodec(), { copy: (value) => ({ ...value }) });
    const written = { n: 1 };
    const bytes = codec.encode(written);
    written.n = 99;
    const first = codec.decode(bytes);
    first.n = 42;
    expect(codec.decode(bytes)).to.deep.equal({ n: 1 });
  });

  it("without a copy, readers share the remembered value", () => {
    const codec = rememberingCodec(countingCodec());
    const bytes = new TextEncoder().encode('{"n":3}');
    expect(codec.decode(bytes)).to.equal(codec.decode(bytes));
  });

  it("does not remember an encoded value that is not in decoded form, and decodes its bytes instead", () => {
    const inner = countingCodec();
    const codec = rememberingCodec(inner, { isDecodedForm: (value) => Number.isInteger(value.n) });
    const bytes = codec.encode({ n: 1.5 });
    expect(codec.decode(bytes)).to.deep.equal({ n: 1.5 });
    expect(inner.decodes).to.equal(1);
    codec.decode(codec.encode({ n: 2 }));
    expect(inner.decodes).to.equal(1);
  });
});
