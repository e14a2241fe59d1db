// Which metrics the shipped Grafana dashboard's queries name, and which a running component serves, so a test can
// show that no panel stays empty for want of a metric.
import { readFileSync } from "node:fs";

const PROMQL_WORDS = new Set([
  "sum",
  "max",
  "min",
  "avg",
  "count",
  "rate",
  "irate",
  "increase",
  "histogram_quantile",
  "by",
  "without",
  "on",
  "ignoring",
  "and",
  "or",
  "unless",
  "offset",
  "topk",
  "bottomk",
]);

/** Every metric name the dashboard's queries use (PromQL functions, label matchers, grouping and ranges left out). */
export function dashboardMetricNames(path = "config/monitoring/grafana-dashboard.json"): string[] {
  const exprs: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object")
      for (const [key, inner] of Object.entries(value))
        if (key === "expr" && typeof inner === "string") exprs.push(inner);
        else walk(inner);
  };
  walk(JSON.parse(readFileSync(path, "utf8")));
  const names = new Set<string>();
  for (const expr of exprs) {
    const bare = expr
      .replace(/\{[^}]*\}/g, "")
      .replace(/\[[^\]]*\]/g, "")
      .replace(/\b(by|without)\s*\([^)]*\)/g, "");
    for (const match of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g))
      if (!PROMQL_WORDS.has(match[0]) && bare[match.index + match[0].length] !== "(") names.add(match[0]);
  }
  return [...names].sort();
}

/** The series names an exposition serves: each family, with _bucket, _sum and _count for histograms. */
export function servedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split("\n")) {
    const typed = /^# TYPE (\S+) (\S+)/.exec(line);
    if (typed === null) continue;
    const [, name, type] = typed;
    names.add(name!);
    if (type === "histogram" || type === "summary")
      for (const suffix of ["_sum", "_count"]) names.add(name! + suffix);
    if (type === "histogram") names.add(`${name}_bucket`);
  }
  return names;
}
