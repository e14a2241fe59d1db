import { KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { pino } from "pino";
import { buildProgram } from "../../../cli/uranus-program.js";
import { freePort } from "../../../process/free-port.js";
import { startSchedulerExtender } from "../../../scheduler-extender/scheduler-extender.js";

function kubeConfigFor(server: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "nowhere", server, skipTLSVerify: true }],
    users: [{ name: "nobody", token: "unused" }],
    contexts: [{ name: "nowhere", cluster: "nowhere", user: "nobody" }],
    currentContext: "nowhere",
  });
  return kubeConfig;
}

describe("scheduler extender startup", () => {
  it("is alive but refuses to judge until its informers have synced", async () => {
    // Nothing listens on this port, so the informers can never list.
    const apiserver = await freePort();
    const extender = await startSchedulerExtender({
      kubeConfig: kubeConfigFor(`https://127.0.0.1:${apiserver}`),
      log: pino({ level: "silent" }),
      processMetrics: false,
    });
    try {
      expect((await fetch(`${extender.url}/healthz`)).status).to.equal(200);
      expect((await fetch(`${extender.url}/readyz`)).status).to.equal(503);
      const filter = await fetch(`${extender.url}/filter`, {
        method: "POST",
        body: JSON.stringify({ Pod: { metadata: { uid: "u", name: "p" } }, NodeNames: ["n"] }),
      });
      expect(filter.status).to.equal(503);
      expect(await filter.text()).to.contain("informers have not synced");
      expect(extender.ready()).to.equal(false);
    } finally {
      await extender.stop();
    }
  });

  it("refuses bad tier weights before listening", async () => {
    let error: unknown;
    try {
      await startSchedulerExtender({
        kubeConfig: kubeConfigFor("https://127.0.0.1:1"),
        placement: { tierWeights: [1, 2] },
        log: pino({ level: "silent" }),
        processMetrics: false,
      });
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.contain("tierWeights must not increase");
  });

  it("is a `uranus scheduler-extender` command that names a bad option value", async () => {
    const program = (await buildProgram()).configureOutput({
      writeErr: () => undefined,
      writeOut: () => undefined,
    });
    const command = program.commands.find((c) => c.name() === "scheduler-extender");
    expect(command?.options.map((o) => o.long)).to.include.members([
      "--listen",
      "--kubeconfig",
      "--tier-weights",
    ]);
    let message = "";
    try {
      await program.parseAsync(["scheduler-extender", "--tier-weights", "4,x"], { from: "user" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.contain('expected a positive integer, got "x"');
  });
});
