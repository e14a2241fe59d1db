/** The mean of one Prometheus summary or histogram series in a /metrics text: its `_sum` over its `_count`. */
export function prometheusMean(text: string, metric: string, labels = ""): number {
  const value = (suffix: string): number => {
    const line = text
      .split("\n")
      .find((l) => l.startsWith(`${metric}${suffix}${labels === "" ? " " : `{${labels}} `}`));
    return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(" ") + 1));
  };
  return value("_sum") / value("_count");
}
