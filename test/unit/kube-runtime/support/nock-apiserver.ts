import { PassThrough } from "node:stream";
import { KubeConfig } from "@kubernetes/client-node";
import nock from "nock";
import { KubeClient } from "../../../../kube-runtime/kube-client.js";

/** The apiserver address every kube-runtime unit test points its client at; nock answers for it. */
export const SERVER = "http://kube.test";

export function testKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "test", server: SERVER, skipTLSVerify: true }],
    users: [{ name: "test", token: "unit-test-token" }],
    contexts: [{ name: "test", cluster: "test", user: "test" }],
    currentContext: "test",
  });
  return config;
}

export function testKubeClient(): KubeClient {
  return new KubeClient(testKubeConfig());
}

/**
 * Registers the suite's hooks: no real network during a test, nock's interceptors dropped after it
 * (once `stopClients` has stopped whatever still talks to the apiserver).
 */
export function isolateNock(stopClients: () => Promise<void> = () => Promise.resolve()): void {
  // nock patches node:http for the whole process; give it back so later suites talk to real servers.
  before(() => {
    if (!nock.isActive()) nock.activate();
  });
  after(() => nock.restore());
  beforeEach(() => nock.disableNetConnect());
  afterEach(async () => {
    await stopClients();
    nock.cleanAll();
    nock.enableNetConnect();
  });
}

export function sendWatchEvent(stream: PassThrough, type: string, object: object): void {
  stream.write(`${JSON.stringify({ type, object })}\n`);
}

export interface WatchStream {
  stream: PassThrough;
  send: (type: string, object: object) => void;
}

/** A watch response body we write events into by hand; it stays open until ended. */
export function watchStream(): WatchStream {
  const stream = new PassThrough();
  return { stream, send: (type, object) => sendWatchEvent(stream, type, object) };
}
