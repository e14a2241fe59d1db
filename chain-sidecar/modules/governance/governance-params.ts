// Governance parameters: how long a parameter-change proposal can gather approvals.
import { defineParams } from "../params/param-section.js";

export interface GovernanceParams {
  proposalLifetimeBlocks: number;
  maxChangesPerProposal: number;
}

export const governanceParams = defineParams<GovernanceParams>(
  "governance",
  {
    proposalLifetimeBlocks: {
      kind: "integer",
      min: 1,
      max: 10_000_000,
      describe: "blocks a proposal stays open",
    },
    maxChangesPerProposal: {
      kind: "integer",
      min: 1,
      max: 256,
      describe: "parameter changes in one proposal",
    },
  },
  { proposalLifetimeBlocks: 1_000, maxChangesPerProposal: 16 },
);
