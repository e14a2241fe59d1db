// The shipped monitoring finds what the shipped manifests run: every Prometheus scrape job keeps at least one
// container port of a pod template in config/, as Prometheus's pod discovery and relabelling would.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parse, parseAllDocuments } from "yaml";

interface RelabelConfig {
  source_labels: string[];
  regex: string;
  action: string;
  separator?: string;
}
interface ScrapeJob {
  job_name: string;
  relabel_configs: RelabelConfig[];
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: { containers: { name: string; ports?: { name?: string; containerPort: number }[] }[] };
}

/** Each container port of each Deployment in config/, as the discovery labels Prometheus gives it. */
function discoveredTargets(): Record<string, string>[] {
  const files = readdirSync("config", { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith(".yaml"),
  );
  const targets: Record<string, string>[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join("config", file), "utf8"))) {
      const object = doc.toJS() as { kind?: string; spec?: { template?: PodTemplate } } | null;
      if (object?.kind !== "Deployment" || object.spec?.template === undefined) continue;
      const template = object.spec.template;
      for (const container of template.spec.containers)
        for (const port of container.ports ?? [])
          targets.push({
            __meta_kubernetes_pod_label_app_kubernetes_io_name:
              template.metadata?.labels?.["app.kubernetes.io/name"] ?? "",
            __meta_kubernetes_pod_container_name: container.name,
            __meta_kubernetes_pod_container_port_name: port.name ?? "",
          });
    }
  }
  return targets;
}

function kept(job: ScrapeJob, target: Record<string, string>): boolean {
  return job.relabel_configs.every((rule) => {
    expect(rule.action, `${job.job_name}: only keep rules are modelled`).to.equal("keep");
    const value = rule.source_labels.map((label) => target[label] ?? "").join(rule.separator ?? ";");
    return new RegExp(`^(?:${rule.regex})$`).test(value);
  });
}

describe("config/monitoring against the manifests in config/", () => {
  const jobs = (
    parse(readFileSync("config/monitoring/prometheus.yml", "utf8")) as { scrape_configs: ScrapeJob[] }
  ).scrape_configs;
  const targets = discoveredTargets();

  it("finds the manifests' container ports (the check is not vacuous)", () => {
    expect(targets.length).to.be.at.least(3);
  });

  for (const job of jobs)
    it(`scrape job ${job.job_name} keeps a container port the manifests declare`, () => {
      const found = targets.filter((t) => kept(job, t));
      expect(found, JSON.stringify(targets)).to.not.deep.equal([]);
    });
});
