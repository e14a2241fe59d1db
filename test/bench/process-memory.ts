// This process's resident memory from /proc: anonymous (heap and native allocations) apart from file-backed pages
// (such as an LMDB map), which the kernel can drop and reload.
import { readFileSync } from "node:fs";

export interface Memory {
  rss: number;
  anon: number;
  file: number;
}

export function memory(): Memory {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") * 1024, anon: kb("RssAnon") * 1024, file: kb("RssFile") * 1024 };
}
