// A failed apiserver request, carrying the HTTP code and the Status reason so callers can branch on them.
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${statusCode} ${reason}: ${message}`);
    this.name = "KubeApiError";
  }
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof KubeApiError) return error.statusCode;
  const code = (error as { statusCode?: unknown; code?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** Someone else changed the object since we read it: the resourceVersion we sent is stale. */
export function isConflict(error: unknown): boolean {
  return statusOf(error) === 409 && !isAlreadyExists(error);
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 409 && error.reason === "AlreadyExists";
}

/** The resourceVersion we asked for is older than etcd's compaction window: relist. */
export function isGone(error: unknown): boolean {
  return statusOf(error) === 410;
}

/** The apiserver refused the object itself (schema, CEL or built-in validation). */
export function isInvalid(error: unknown): boolean {
  return statusOf(error) === 422;
}
