// Runs the real `uranus` program in-process and captures what it prints.
import { main } from "../../../cli/uranus-program.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk: string | Uint8Array) => {
    out.push(chunk.toString());
    return true;
  };
  process.stderr.write = (chunk: string | Uint8Array) => {
    err.push(chunk.toString());
    return true;
  };
  try {
    const code = await main(args);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
}
