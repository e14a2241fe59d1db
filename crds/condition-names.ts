// The condition types each kind reports and the reasons each condition may give (CamelCase, as metav1 wants).
export const CONDITION = {
  ContributorNode: { Registered: "Registered", Online: "Online", Schedulable: "Schedulable" },
  ComputeContract: { Opened: "Opened", Funded: "Funded", Ready: "Ready" },
  PowerContainer: { Scheduled: "Scheduled", Ready: "Ready", Migrating: "Migrating" },
} as const;

export const REASON = {
  Registered: {
    RegisteredOnChain: "RegisteredOnChain",
    RegistrationPending: "RegistrationPending",
    RegistrationFailed: "RegistrationFailed",
  },
  Online: {
    HeartbeatCurrent: "HeartbeatCurrent",
    HeartbeatMissed: "HeartbeatMissed",
    NodeNotReady: "NodeNotReady",
    NodeNotFound: "NodeNotFound",
    Jailed: "Jailed",
  },
  Schedulable: {
    CapacityAvailable: "CapacityAvailable",
    NoFreeCapacity: "NoFreeCapacity",
    MarkedUnschedulable: "MarkedUnschedulable",
    NotOnline: "NotOnline",
  },
  Opened: {
    ContractOpened: "ContractOpened",
    OpeningContract: "OpeningContract",
    PayerSecretMissing: "PayerSecretMissing",
    EscrowNotFound: "EscrowNotFound",
    ChainRejected: "ChainRejected",
  },
  Funded: {
    EscrowFunded: "EscrowFunded",
    EscrowExhausted: "EscrowExhausted",
    InsufficientPayerBalance: "InsufficientPayerBalance",
  },
  Ready: {
    ReplicasReady: "ReplicasReady",
    ReplicasNotReady: "ReplicasNotReady",
    ContractPaused: "ContractPaused",
    PodRunning: "PodRunning",
    PodNotReady: "PodNotReady",
    PodSucceeded: "PodSucceeded",
    PodFailed: "PodFailed",
  },
  Scheduled: {
    PodScheduled: "PodScheduled",
    PodPending: "PodPending",
    NoEligibleNode: "NoEligibleNode",
  },
  Migrating: {
    NodeFailed: "NodeFailed",
    NodeNoLongerMatches: "NodeNoLongerMatches",
    MigrationCompleted: "MigrationCompleted",
    MigrationLimitReached: "MigrationLimitReached",
  },
} as const;
