// Runs config/argocd's health checks as Argo CD does (gopher-lua, the object as the global `obj`) under Lua 5.4,
// which runs the same subset; the verdict is Argo CD's { status, message }.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type UranusKind = "ComputeContract" | "PowerContainer" | "ContributorNode";

const HEALTH_DIR = fileURLToPath(new URL("../../config/argocd/health/", import.meta.url));

function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(", ")}}`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, field]) => `[${JSON.stringify(key)}] = ${luaLiteral(field)}`,
  );
  return `{${entries.join(", ")}}`;
}

export function argocdHealth(kind: UranusKind, obj: unknown): { status: string; message: string } {
  const script = readFileSync(`${HEALTH_DIR}uranus.io_${kind}.lua`, "utf8");
  const program = `obj = ${luaLiteral(obj)}\nlocal function check()\n${script}\nend\nlocal hs = check()\nio.write(hs.status, "\\t", hs.message)\n`;
  const [status, message] = execFileSync("lua5.4", ["-"], { input: program }).toString().split("\t");
  return { status: status!, message: message! };
}
