// CometBFT v0.38 ABCI framing: each protobuf message is preceded by its length as an unsigned varint.
// Hand-written because the decoder must resume across TCP reads, which the one-shot protobuf readers cannot.

/**
 * The largest request we read. CometBFT reads at most 100 MiB per response, but sends InitChain with the whole genesis
 * app state, which passes 100 MiB at about a million accounts.
 */
export const DEFAULT_MAX_FRAME_BYTES = 512 * 1024 * 1024;
const MAX_VARINT_BYTES = 10;

export class FrameError extends Error {
  override readonly name = "FrameError";
}

export function encodeFrame(message: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let length = message.length;
  while (length >= 0x80) {
    prefix.push((length & 0x7f) | 0x80);
    length = Math.floor(length / 0x80);
  }
  prefix.push(length);
  const frame = new Uint8Array(prefix.length + message.length);
  frame.set(prefix, 0);
  frame.set(message, prefix.length);
  return frame;
}

/** Accumulates bytes from a stream and hands out complete message bodies, in order. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const frames: Uint8Array[] = [];
    let offset = 0;
    for (;;) {
      const header = this.readLength(offset);
      if (header === undefined) break;
      const start = offset + header.prefixBytes;
      const end = start + header.length;
      if (end > this.buffer.length) break;
      frames.push(new Uint8Array(this.buffer.subarray(start, end)));
      offset = end;
    }
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
    return frames;
  }

  private readLength(offset: number): { length: number; prefixBytes: number } | undefined {
    let length = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.buffer[offset + i];
      if (byte === undefined) return undefined;
      length += (byte & 0x7f) * scale;
      if (length > this.maxFrameBytes) {
        throw new FrameError(
          `ABCI frame announces at least ${length} bytes, more than the limit of ${this.maxFrameBytes}`,
        );
      }
      if ((byte & 0x80) === 0) return { length, prefixBytes: i + 1 };
      scale *= 0x80;
    }
    throw new FrameError(`ABCI frame length prefix is longer than ${MAX_VARINT_BYTES} bytes`);
  }
}
