#!/usr/bin/env node
// Entry point for `npx uranus`: runs the TypeScript sources through tsx, so no build step is needed.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./uranus.ts");
process.exitCode = await main(process.argv.slice(2));
