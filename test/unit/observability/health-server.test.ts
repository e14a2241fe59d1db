import { expect } from "chai";
import { Registry, Counter } from "prom-client";
import { parseListenAddress, startHealthServer } from "../../../observability/health-server.js";

describe("health and metrics server", () => {
  it("answers /healthz, /readyz (with failing checks named) and /metrics on the given address", async () => {
    const registry = new Registry();
    new Counter({ name: "uranus_test_total", help: "a test counter", registers: [registry] }).inc(3);
    let ready: true | string = "informers not synced: pods";
    const server = await startHealthServer({
      address: "127.0.0.1:0",
      registry,
      healthChecks: [{ name: "ping", check: () => true }],
      readyChecks: [{ name: "runtime", check: () => ready }],
    });
    try {
      expect(server.host).to.equal("127.0.0.1");
      const healthz = await fetch(`${server.url}/healthz`);
      expect(healthz.status).to.equal(200);
      expect(await healthz.text()).to.equal("ok");

      const notReady = await fetch(`${server.url}/readyz`);
      expect(notReady.status).to.equal(500);
      const body = await notReady.text();
      expect(body).to.include("[+]ping ok");
      expect(body).to.include("[-]runtime failed: informers not synced: pods");

      ready = true;
      const isReady = await fetch(`${server.url}/readyz?verbose`);
      expect(isReady.status).to.equal(200);
      expect(await isReady.text()).to.include("[+]runtime ok");

      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.headers.get("content-type")).to.include("text/plain");
      expect(await metrics.text()).to.include("uranus_test_total 3");

      expect((await fetch(`${server.url}/nope`)).status).to.equal(404);
      expect((await fetch(`${server.url}/healthz`, { method: "POST" })).status).to.equal(405);
    } finally {
      await server.close();
    }
  });

  it("parses host:port and rejects anything else by name", () => {
    expect(parseListenAddress("127.0.0.1:8081")).to.deep.equal({ host: "127.0.0.1", port: 8081 });
    expect(parseListenAddress(":9090")).to.deep.equal({ host: "0.0.0.0", port: 9090 });
    expect(parseListenAddress("[::1]:80")).to.deep.equal({ host: "::1", port: 80 });
    expect(() => parseListenAddress("localhost")).to.throw(/listen address "localhost" must be host:port/);
    expect(() => parseListenAddress("a:70000")).to.throw(/must be host:port/);
  });
});
