// Starts the benchmark's extender process and talks to it over IPC (see extender-process.ts).
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitFor } from "../../../process/wait-for.js";
import type { ChildMessage, ExtenderReport, ParentMessage } from "./extender-process.js";
import type { ReplayCost } from "./replay-cost.js";

const SCRIPT = fileURLToPath(new URL("./extender-process.ts", import.meta.url));

export class ExtenderChild {
  contributorCount = 0;
  private readonly waiting = new Map<string, (message: ChildMessage) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on("message", (message: ChildMessage) => {
      if (message.type === "contributors") this.contributorCount = message.count;
      else if (message.type !== "ready") {
        const wake = this.waiting.get(
          message.type === "error" ? ([...this.waiting.keys()][0] ?? "") : message.type,
        );
        wake?.(message);
      }
    });
  }

  /** Forks the extender (this checkout's unless `script` names another); `cpuProfileDir` turns on --cpu-prof. */
  static async start(
    kubeconfigPath: string,
    port: number,
    cpuProfileDir?: string,
    script = SCRIPT,
  ): Promise<ExtenderChild> {
    const child = fork(script, [kubeconfigPath, String(port)], {
      // The parent's flags carry tsx's loader.
      execArgv: [
        ...process.execArgv,
        ...(cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`]),
      ],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the extender process did not start in 120 s")),
        120_000,
      );
      child.on("message", (message: ChildMessage) => {
        if (message.type === "ready") {
          clearTimeout(timer);
          resolve(message.url);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the extender process exited with ${code}`));
      });
    });
    return new ExtenderChild(child, url);
  }

  async waitForContributors(count: number): Promise<void> {
    await waitFor(() => this.contributorCount >= count || undefined, {
      timeoutMs: 120_000,
      description: `the extender to see ${count} contributor nodes`,
    });
  }

  record(on: boolean): void {
    this.post({ type: "record", on });
  }

  async report(): Promise<ExtenderReport> {
    const answer = await this.ask("report", { type: "report" });
    if (answer.type !== "report") throw new Error(`extender process: ${JSON.stringify(answer)}`);
    return answer.report;
  }

  async replay(nodeNames: string[], candidateCounts: number[]): Promise<ReplayCost[]> {
    const answer = await this.ask("replay", { type: "replay", nodeNames, candidateCounts });
    if (answer.type !== "replay") throw new Error(`extender process: ${JSON.stringify(answer)}`);
    return answer.results;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.post({ type: "stop" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  }

  private post(message: ParentMessage): void {
    this.child.send(message);
  }

  private ask(answerType: string, message: ParentMessage): Promise<ChildMessage> {
    return new Promise((resolve) => {
      this.waiting.set(answerType, (answer) => {
        this.waiting.delete(answerType);
        resolve(answer);
      });
      this.post(message);
    });
  }
}
