// A sidecar process serving the tiny kvstore app over ABCI, so transport tests can crash and restart real processes.
import { KvstoreApp } from "./kvstore-app.js";
import { selfLauncher, serveWhenLaunched } from "./self-launching-sidecar.js";

export const kvstoreSidecarLauncher = selfLauncher(import.meta.url);

await serveWhenLaunched(import.meta.url, "kvstore-sidecar", () => Promise.resolve(new KvstoreApp()));
