// Kubernetes-style status conditions (metav1.Condition): set one, find one; lastTransitionTime moves only when
// the status does.
export type ConditionStatus = "True" | "False" | "Unknown";

/** An int64 of the Kubernetes API (the CRD schemas say integer, not number). @asType integer */
type Int64 = number;

/** The metav1.Condition shape every uranus.io status uses. */
export interface StatusCondition {
  type: string;
  status: ConditionStatus;
  observedGeneration?: Int64;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export type ConditionUpdate = Omit<StatusCondition, "lastTransitionTime">;

/** One condition to set, computed from the given generation of the object. */
export function condition(
  type: string,
  status: ConditionStatus,
  reason: string,
  message: string,
  observedGeneration?: number,
): ConditionUpdate {
  return { type, status, reason, message, observedGeneration };
}

const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const MAX_MESSAGE = 32768;

/** RFC 3339 at whole seconds, as the apiserver stores metav1.Time. */
export function conditionTime(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/**
 * Returns the conditions with `update` applied: replaced in place when the type exists, appended otherwise.
 * The transition time is kept when the status is unchanged, so a reconcile that repeats itself changes nothing.
 */
export function setCondition(
  conditions: readonly StatusCondition[] | undefined,
  update: ConditionUpdate,
  now: Date = new Date(),
): StatusCondition[] {
  if (!REASON.test(update.reason)) {
    throw new Error(
      `condition ${update.type}: reason "${update.reason}" must be CamelCase (letters, digits, _ , :)`,
    );
  }
  const message = update.message.length > MAX_MESSAGE ? update.message.slice(0, MAX_MESSAGE) : update.message;
  const list = [...(conditions ?? [])];
  const index = list.findIndex((condition) => condition.type === update.type);
  const existing = index < 0 ? undefined : list[index];
  const next: StatusCondition = {
    type: update.type,
    status: update.status,
    ...(update.observedGeneration === undefined ? {} : { observedGeneration: update.observedGeneration }),
    lastTransitionTime:
      existing !== undefined && existing.status === update.status
        ? existing.lastTransitionTime
        : conditionTime(now),
    reason: update.reason,
    message,
  };
  if (index < 0) list.push(next);
  else list[index] = next;
  return list;
}

export function findCondition(
  conditions: readonly StatusCondition[] | undefined,
  type: string,
): StatusCondition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

export function isConditionTrue(conditions: readonly StatusCondition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === "True";
}

export function removeCondition(
  conditions: readonly StatusCondition[] | undefined,
  type: string,
): StatusCondition[] {
  return (conditions ?? []).filter((condition) => condition.type !== type);
}
