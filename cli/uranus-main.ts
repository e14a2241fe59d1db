#!/usr/bin/env node
// Entry point of the built CLI (`npm run build` → dist/cli/uranus-main.js), which images and benchmarks run; in a
// checkout, cli/uranus.js runs the same main through tsx.
import { main } from "./uranus-program.js";

process.exitCode = await main(process.argv.slice(2));
