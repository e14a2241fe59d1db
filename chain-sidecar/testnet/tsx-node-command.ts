// Runs a TypeScript entry under Node with tsx loaded in-process, so the pid we record is the program itself.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;

/** `node [nodeFlags] --import tsx script args`. */
export function tsxNodeCommand(
  script: string,
  args: string[],
  nodeFlags: readonly string[] = [],
): { command: string; args: string[] } {
  return { command: process.execPath, args: [...nodeFlags, "--import", tsxLoader, script, ...args] };
}
