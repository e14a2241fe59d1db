// One client connection (CometBFT opens four: consensus, mempool, query, snapshot), answered strictly in order.
import type { Socket } from "node:net";
import type { Mutex } from "async-mutex";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import type { Logger } from "pino";
import type { AbciApplication } from "./application.js";
import { encodeFrame, FrameDecoder } from "./frame-codec.js";
import { dispatchRequest, requestKind } from "./request-dispatcher.js";

/** Requests read ahead of the one being answered before we stop reading from the socket. */
const PAUSE_AT_QUEUED = 1024;
const RESUME_AT_QUEUED = 256;

export class AbciProtocolError extends Error {
  override readonly name = "AbciProtocolError";
}

export class AbciApplicationError extends Error {
  override readonly name = "AbciApplicationError";
}

export interface AbciConnectionOptions {
  id: number;
  socket: Socket;
  app: AbciApplication;
  appLock: Mutex;
  logger: Logger;
  maxFrameBytes: number;
  /** The connection cannot go on: the server reports it and the process ends. */
  onFailure: (error: Error) => void;
}

export class AbciConnection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Uint8Array[] = [];
  private draining = false;
  private closed = false;
  private paused = false;
  private answered = 0;
  private corked = false;

  constructor(private readonly options: AbciConnectionOptions) {
    this.decoder = new FrameDecoder(options.maxFrameBytes);
    const { socket } = options;
    socket.on("data", (chunk: Buffer) => {
      this.receive(chunk);
    });
    socket.on("error", (error) => {
      options.logger.warn({ connection: options.id, err: error }, "ABCI connection error");
    });
    socket.on("close", () => {
      this.closed = true;
      options.logger.info(
        { connection: options.id, answered: this.answered, unanswered: this.queue.length },
        "ABCI connection closed by the client",
      );
    });
  }

  /** Number of requests answered on this connection so far. */
  get answeredCount(): number {
    return this.answered;
  }

  close(): void {
    this.closed = true;
    this.options.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.fail(new AbciProtocolError((error as Error).message));
      return;
    }
    this.queue.push(...frames);
    if (!this.paused && this.queue.length >= PAUSE_AT_QUEUED) {
      this.paused = true;
      this.options.socket.pause();
    }
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const frame = this.queue.shift()!;
        const response = await this.answer(frame);
        if (response === undefined) return;
        // The client may have gone while the application was working.
        if (this.options.socket.destroyed || this.options.socket.writableEnded) return;
        this.write(encodeFrame(Response.encode(response).finish()));
        this.answered++;
        if (this.paused && this.queue.length <= RESUME_AT_QUEUED) {
          this.paused = false;
          this.options.socket.resume();
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Responses answered in one synchronous burst (e.g. a run of CheckTx) leave in one write; the socket is uncorked
   * as soon as the burst ends, so a response never waits behind a request that awaits I/O.
   */
  private write(frame: Uint8Array): void {
    const { socket } = this.options;
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(frame);
  }

  private async answer(frame: Uint8Array): Promise<Response | undefined> {
    let request: Request;
    try {
      request = Request.decode(frame);
      requestKind(request);
    } catch (error) {
      this.fail(
        new AbciProtocolError(`invalid ABCI request (${frame.length} bytes): ${(error as Error).message}`),
      );
      return undefined;
    }
    try {
      return await dispatchRequest(this.options.app, this.options.appLock, request);
    } catch (error) {
      const method = requestKind(request);
      const cause = error instanceof Error ? error : new Error(String(error));
      this.fail(new AbciApplicationError(`application failed in ${method}: ${cause.message}`, { cause }));
      return undefined;
    }
  }

  private fail(error: Error): void {
    if (this.closed) return;
    const { logger, socket, id } = this.options;
    logger.error({ connection: id, err: error }, "ABCI connection cannot continue");
    // CometBFT logs the exception text, so both sides show the same reason.
    socket.end(
      encodeFrame(Response.encode(Response.fromPartial({ exception: { error: error.message } })).finish()),
    );
    this.closed = true;
    this.queue.length = 0;
    this.options.onFailure(error);
  }
}
