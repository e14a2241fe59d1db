// KubeClient's own watch stream (node:http, no node-fetch) against a local server that writes events in odd chunks.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { waitFor } from "../../../process/wait-for.js";
import { CONFIG_MAP } from "../../../kube-runtime/builtin-resources.js";
import { isGone, KubeApiError } from "../../../kube-runtime/kube-api-error.js";
import { KubeClient, type WatchEvent } from "../../../kube-runtime/kube-client.js";
import { KubeAccess } from "../../../kube-runtime/kube-config.js";

type Respond = (request: IncomingMessage, response: ServerResponse) => void;

function event(type: string, name: string, resourceVersion: string): string {
  return `${JSON.stringify({ type, object: { metadata: { name, namespace: "ns", resourceVersion } } })}\n`;
}

describe("KubeClient.watch", () => {
  let server: Server;
  let respond: Respond;
  let client: KubeClient;
  let seenUrl = "";
  let seenAuthorization = "";

  beforeEach(async () => {
    server = createServer((request, response) => {
      seenUrl = request.url ?? "";
      seenAuthorization = request.headers.authorization ?? "";
      respond(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    client = new KubeClient(
      new KubeAccess({
        clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: false }],
        users: [{ name: "u", token: "watch-token" }],
        contexts: [{ name: "c", cluster: "c", user: "u" }],
        currentContext: "c",
      }),
    );
  });

  afterEach(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function watch(): { events: WatchEvent[]; done: Promise<unknown>; abort: () => void } {
    const events: WatchEvent[] = [];
    let abort = (): void => undefined;
    const done = new Promise<unknown>((resolve, reject) => {
      client
        .watch(
          CONFIG_MAP,
          { namespace: "ns", resourceVersion: "5", allowWatchBookmarks: true, timeoutSeconds: 60 },
          (e) => events.push(e),
          resolve,
        )
        .then((handle) => (abort = () => handle.abort()), reject);
    });
    return { events, done, abort: () => abort() };
  }

  it("asks with the watch query and credentials, and decodes events split anywhere across chunks", async () => {
    const body = event("ADDED", "a", "6") + event("BOOKMARK", "", "7") + event("DELETED", "a", "8");
    respond = (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      // One byte, then lines cut mid-way and glued together, then the rest.
      response.write(body.slice(0, 1));
      setTimeout(() => response.write(body.slice(1, 90)), 10);
      setTimeout(() => response.end(body.slice(90)), 20);
    };
    const { events, done } = watch();
    expect(await done).to.equal(null);
    expect(events.map((e) => `${e.type} ${e.object.metadata.resourceVersion}`)).to.deep.equal([
      "ADDED 6",
      "BOOKMARK 7",
      "DELETED 8",
    ]);
    expect(events[0]!.object.kind).to.equal("ConfigMap");
    const query = new URL(seenUrl, "http://x").searchParams;
    expect(query.get("watch")).to.equal("true");
    expect(query.get("resourceVersion")).to.equal("5");
    expect(query.get("allowWatchBookmarks")).to.equal("true");
    expect(seenAuthorization).to.equal("Bearer watch-token");
  });

  it("ends with the apiserver's Status as a KubeApiError (410 Gone → relist)", async () => {
    respond = (_request, response) => {
      response.writeHead(410, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ kind: "Status", reason: "Expired", message: "too old resource version" }),
      );
    };
    const error = await watch().done;
    expect(error).to.be.instanceOf(KubeApiError);
    expect(isGone(error)).to.equal(true);
    expect((error as KubeApiError).reason).to.equal("Expired");
  });

  it("ends with an error on a line that is not JSON instead of losing the event", async () => {
    respond = (_request, response) => {
      response.writeHead(200);
      response.write(event("ADDED", "a", "6"));
      response.write("{not json\n");
    };
    const { events, done } = watch();
    expect(await done).to.be.instanceOf(SyntaxError);
    expect(events).to.have.length(1);
  });

  it("after abort() delivers nothing more and does not call onDone", async () => {
    let open: ServerResponse | undefined;
    respond = (_request, response) => {
      response.writeHead(200);
      response.write(event("ADDED", "a", "6"));
      open = response;
    };
    const { events, done, abort } = watch();
    await waitFor(() => events.length === 1, { timeoutMs: 5000, description: "the first event" });
    abort();
    open?.write(event("ADDED", "b", "7"));
    const outcome = await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 100, "quiet"))]);
    expect(outcome).to.equal("quiet");
    expect(events).to.have.length(1);
  });

  it("reports a connection that fails", async () => {
    respond = (request) => request.socket.destroy();
    const error = await watch().done;
    expect(String(error)).to.match(/GET \/api\/v1\/namespaces\/ns\/configmaps \(watch\)/);
  });
});
