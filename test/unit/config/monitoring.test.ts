import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { binaryPath } from "../../../hack/binaries.js";
import { run } from "../../../hack/run-command.js";

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Metric names the code registers: every `name: "..."` that looks like a Prometheus metric. */
function registeredMetrics(): Set<string> {
  const names = new Set<string>();
  for (const file of ["operator", "scheduler-extender", "chain-sidecar"].flatMap(sourceFiles)) {
    for (const match of readFileSync(file, "utf8").matchAll(/name: "([a-z]+_[a-z_]+)"/g))
      names.add(match[1]!);
  }
  return names;
}

describe("config/monitoring", () => {
  it("the Grafana dashboard queries only metrics the code registers (and CometBFT's own)", () => {
    const dashboard = JSON.parse(
      readFileSync("config/monitoring/grafana-dashboard.json", "utf8"),
    ) as Dashboard;
    const registered = registeredMetrics();
    const used = new Set<string>();
    for (const panel of dashboard.panels)
      for (const target of panel.targets)
        for (const [metric] of target.expr.matchAll(
          /\b(controller_runtime|workqueue|uranus|cometbft)_[a-z_]+/g,
        ))
          used.add(metric);
    expect(used.size).to.be.at.least(10);
    for (const metric of used) {
      if (metric.startsWith("cometbft_")) continue;
      const base = metric.replace(/_(bucket|sum|count)$/, "");
      expect(registered.has(base), `${metric} is not registered by any component`).to.equal(true);
    }
  });

  for (const base of ["config/monitoring", "config/argocd"]) {
    it(`${base} renders with kustomize`, async () => {
      const rendered = await run(binaryPath("kubectl"), ["kustomize", base]);
      expect(rendered.code, rendered.stderr).to.equal(0);
      expect(rendered.stdout).to.contain("kind: ConfigMap");
    });
  }
});
