// ABCI 2.0 over gRPC for CometBFT v0.38 (its `abci = "grpc"`). CometBFT's socket client re-arms a 20 ns flush timer
// while requests stream in, which costs a node most of a core under load; its gRPC client has no such timer.
import { existsSync, unlinkSync } from "node:fs";
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { Mutex } from "async-mutex";
import * as abci from "cosmjs-types/tendermint/abci/types";
import type { Logger } from "pino";
import type { AbciApplication } from "./application.js";
import { DEFAULT_MAX_FRAME_BYTES } from "./frame-codec.js";
import { formatListenAddress, parseListenAddress, type ListenAddress } from "./listen-address.js";
import { dispatchRequest, type RequestKind } from "./request-dispatcher.js";

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/** One method of the `tendermint.abci.ABCI` service: its request and response oneof field, and their codecs. */
interface Method {
  name: string;
  field: RequestKind;
  request: Codec<unknown>;
  response: Codec<unknown>;
}

const method = <Req, Res>(
  name: string,
  field: RequestKind,
  request: Codec<Req>,
  response: Codec<Res>,
): Method => ({
  name,
  field,
  request,
  response,
});

const METHODS: readonly Method[] = [
  method("Echo", "echo", abci.RequestEcho, abci.ResponseEcho),
  method("Flush", "flush", abci.RequestFlush, abci.ResponseFlush),
  method("Info", "info", abci.RequestInfo, abci.ResponseInfo),
  method("CheckTx", "checkTx", abci.RequestCheckTx, abci.ResponseCheckTx),
  method("Query", "query", abci.RequestQuery, abci.ResponseQuery),
  method("Commit", "commit", abci.RequestCommit, abci.ResponseCommit),
  method("InitChain", "initChain", abci.RequestInitChain, abci.ResponseInitChain),
  method("ListSnapshots", "listSnapshots", abci.RequestListSnapshots, abci.ResponseListSnapshots),
  method("OfferSnapshot", "offerSnapshot", abci.RequestOfferSnapshot, abci.ResponseOfferSnapshot),
  method(
    "LoadSnapshotChunk",
    "loadSnapshotChunk",
    abci.RequestLoadSnapshotChunk,
    abci.ResponseLoadSnapshotChunk,
  ),
  method(
    "ApplySnapshotChunk",
    "applySnapshotChunk",
    abci.RequestApplySnapshotChunk,
    abci.ResponseApplySnapshotChunk,
  ),
  method("PrepareProposal", "prepareProposal", abci.RequestPrepareProposal, abci.ResponsePrepareProposal),
  method("ProcessProposal", "processProposal", abci.RequestProcessProposal, abci.ResponseProcessProposal),
  method("ExtendVote", "extendVote", abci.RequestExtendVote, abci.ResponseExtendVote),
  method(
    "VerifyVoteExtension",
    "verifyVoteExtension",
    abci.RequestVerifyVoteExtension,
    abci.ResponseVerifyVoteExtension,
  ),
  method("FinalizeBlock", "finalizeBlock", abci.RequestFinalizeBlock, abci.ResponseFinalizeBlock),
];

export const ABCI_SERVICE = "tendermint.abci.ABCI";

/** The service as grpc-js describes it, with cosmjs-types' protobuf codecs: the server's, and a client's in tests. */
export const ABCI_SERVICE_DEFINITION: ServiceDefinition = Object.fromEntries(
  METHODS.map((m) => [
    m.name,
    {
      path: `/${ABCI_SERVICE}/${m.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: unknown) => Buffer.from(m.request.encode(value).finish()),
      requestDeserialize: (bytes: Buffer) => m.request.decode(bytes),
      responseSerialize: (value: unknown) => Buffer.from(m.response.encode(value).finish()),
      responseDeserialize: (bytes: Buffer) => m.response.decode(bytes),
    },
  ]),
);

export interface AbciGrpcServerOptions {
  app: AbciApplication;
  logger: Logger;
  /** Called once when the application throws: the caller ends the process with a non-zero code. */
  onFatal: (error: Error) => void;
  maxMessageBytes?: number;
  appLock?: Mutex;
}

/** grpc-js's spelling of a listen address: host:port, or unix:// with an absolute path, as CometBFT writes it. */
export function grpcTarget(address: string): string {
  return formatListenAddress(parseListenAddress(address)).replace(/^tcp:\/\//, "");
}

export class AbciGrpcServer {
  private readonly server: Server;
  private readonly appLock: Mutex;
  private fatal: Error | undefined;
  private bound: ListenAddress | undefined;

  constructor(private readonly options: AbciGrpcServerOptions) {
    this.appLock = options.appLock ?? new Mutex();
    const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.server = new Server({
      "grpc.max_receive_message_length": maxBytes,
      "grpc.max_send_message_length": maxBytes,
    });
    const implementation: UntypedServiceImplementation = {};
    for (const m of METHODS) {
      implementation[m.name] = (
        call: ServerUnaryCall<unknown, unknown>,
        callback: sendUnaryData<unknown>,
      ) => {
        this.answer(m, call.request, callback);
      };
    }
    this.server.addService(ABCI_SERVICE_DEFINITION, implementation);
  }

  get fatalError(): Error | undefined {
    return this.fatal;
  }

  /** Starts listening; returns the bound address (a tcp port of 0 is replaced by the real one). */
  async listen(address: string): Promise<string> {
    const target = parseListenAddress(address);
    // A socket file left by a killed sidecar would make the bind fail.
    if (target.kind === "unix" && existsSync(target.path)) unlinkSync(target.path);
    const port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(grpcTarget(address), ServerCredentials.createInsecure(), (error, bound) => {
        if (error) reject(new Error(`ABCI gRPC server cannot listen on ${address}: ${error.message}`));
        else resolve(bound);
      });
    });
    this.bound = target.kind === "tcp" ? { ...target, port } : target;
    const formatted = formatListenAddress(this.bound);
    this.options.logger.info({ address: formatted, transport: "grpc" }, "ABCI server listening");
    return formatted;
  }

  close(): Promise<void> {
    // Calls in flight are cut: CometBFT is stopped first, and the app's store closes after this.
    this.server.forceShutdown();
    if (this.bound?.kind === "unix" && existsSync(this.bound.path)) unlinkSync(this.bound.path);
    return Promise.resolve();
  }

  private answer(m: Method, request: unknown, callback: sendUnaryData<unknown>): void {
    dispatchRequest(this.options.app, this.appLock, { [m.field]: request }).then(
      (response) => {
        callback(null, response[m.field]);
      },
      (error: unknown) => {
        const cause = error instanceof Error ? error : new Error(String(error));
        const failure = new Error(`application failed in ${m.field}: ${cause.message}`, { cause });
        callback({ code: status.INTERNAL, details: failure.message });
        this.reportFatal(failure);
      },
    );
  }

  private reportFatal(error: Error): void {
    if (this.fatal !== undefined) return;
    this.fatal = error;
    this.options.logger.fatal({ err: error }, "ABCI server stops: %s", error.message);
    this.options.onFatal(error);
  }
}
