// Keeps a sidecar running until SIGINT/SIGTERM (exit 0) or a fatal application/protocol error (exit 1).
import type { Logger } from "pino";
import type { RunningSidecar } from "./sidecar.js";

export async function serveUntilSignal(
  start: (onFatal: (error: Error) => void) => Promise<RunningSidecar>,
  logger: Logger,
): Promise<number> {
  let settle: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => {
    settle = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, "sidecar stopping");
    settle(0);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let running: RunningSidecar;
  try {
    running = await start((error) => {
      logger.fatal({ err: error }, "sidecar exits after a fatal error: %s", error.message);
      settle(1);
    });
  } catch (error) {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    throw error;
  }
  logger.info({ address: running.address }, "sidecar ready");
  const code = await finished;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  await running.stop();
  return code;
}
