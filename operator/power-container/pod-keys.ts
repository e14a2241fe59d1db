// The labels, annotations and finalizer by which a PowerContainer's Pod carries its lease and billing state, so
// every decision survives a restart of the operator: the Pod object itself is the durable record.

/** Held by every Uranus Pod until its lease is ended on chain and billed through its last second. */
export const METERING_FINALIZER = "uranus.io/metering";

export const POD_LABEL = {
  /** The replica slot on chain (0-based); also on the PowerContainer. */
  replica: "uranus.io/replica",
} as const;

export const POD_ANNOTATION = {
  /** The contract id on chain the pod's lease belongs to. */
  contractId: "uranus.io/contract-id",
  /** Hash of the PowerContainer spec the pod was made from; a different hash means the pod is out of date. */
  templateHash: "uranus.io/template-hash",
  /** SCU the lease is for. */
  scu: "uranus.io/scu",
  /** Unix second the lease started, written once RecordLease is committed. */
  leaseStart: "uranus.io/lease-start",
  /** Who the lease pays (the node's owner when the lease began), written with leaseStart. */
  contributor: "uranus.io/lease-contributor",
  /** The node the lease is on, written with leaseStart. */
  leaseNode: "uranus.io/lease-node",
  /** Unix second at which the pod stopped counting (failure moment or retirement), written before it is deleted. */
  retiredAt: "uranus.io/retired-at",
  /** Lease outcome on chain: completed, migrated or failed. */
  outcome: "uranus.io/lease-outcome",
  /** The unix second EndLease recorded: billing stops exactly there. */
  leaseEndedAt: "uranus.io/lease-ended-at",
  /** A node the replacement of this pod must not land on (it failed, or the chain refused the placement). */
  avoidNode: "uranus.io/avoid-node",
  /** A node that failed under this pod; an SLA breach against it is owed on chain. */
  breachNode: "uranus.io/breach-node",
  /** Which breach the failed node owes: availability, or migrations once the SLA's maxMigrations were used. */
  breachKind: "uranus.io/breach-kind",
  /** The breach is on chain. */
  breachRecorded: "uranus.io/breach-recorded",
} as const;

/** Lease outcomes the chain accepts in EndLease. */
export type LeaseOutcome = "completed" | "migrated" | "failed";
