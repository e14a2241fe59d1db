// A real gRPC client of the sidecar's ABCI service, as CometBFT's `abci = "grpc"` dials it, for transport tests.
import * as abci from "cosmjs-types/tendermint/abci/types";
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from "@grpc/grpc-js";
import { ABCI_SERVICE_DEFINITION, grpcTarget } from "../../chain-sidecar/abci/grpc-server.js";

const AbciClient = makeGenericClientConstructor(ABCI_SERVICE_DEFINITION, "ABCI");

/** A client of the server listening on `address` (tcp:// or unix://, as the server's listen answers it). */
export function abciGrpcClient(address: string): Client {
  return new AbciClient(grpcTarget(address), credentials.createInsecure());
}

/** One unary call with a 10 s deadline; `request` is completed with its type's defaults first. */
export function abciGrpcCall<Res>(client: Client, method: string, request: object): Promise<Res> {
  const invoke = (client as unknown as Record<string, (...args: unknown[]) => void>)[method]!.bind(client);
  const codec = (abci as unknown as Record<string, { fromPartial(value: object): object }>)[
    `Request${method}`
  ]!;
  return new Promise((resolve, reject) => {
    invoke(
      codec.fromPartial(request),
      { deadline: Date.now() + 10_000 },
      (error: ServiceError | null, response: Res) => {
        if (error) reject(error);
        else resolve(response);
      },
    );
  });
}
