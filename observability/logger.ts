// One JSON logger (pino) for the operator; components and controllers log through child loggers.
import { pino, stdSerializers, stdTimeFunctions, type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  level?: string;
  name?: string;
  /** Where JSON lines go; stdout when omitted. */
  destination?: DestinationStream;
}

/** Field names whose values never reach a log line, wherever they appear one or two levels deep. */
const SECRET_FIELDS = ["privateKey", "mnemonic", "password", "token", "secret", "authorization"];
const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? "uranus-operator",
      level: options.level ?? "info",
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: stdSerializers.err, error: stdSerializers.err },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** The logger a controller uses: every line carries the controller's name. */
export function controllerLogger(root: Logger, controller: string): Logger {
  return root.child({ controller });
}

/** The logger for one reconciliation: every line carries the object key and a per-reconcile id. */
export function reconcileLogger(controllerLog: Logger, key: string, reconcileId: string): Logger {
  return controllerLog.child({ key, reconcileId });
}

/** A logger that drops everything; the default where a caller passes none. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
