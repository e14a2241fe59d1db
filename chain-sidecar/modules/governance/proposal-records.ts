// Parameter-change proposals as stored under the governance prefix `governance/`.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { ParamChange } from "./governance-messages.js";

export const PROPOSAL_PREFIX = "governance/proposal/";
export const NEXT_PROPOSAL_KEY = "governance/nextProposal";

export type ProposalStatus = "pending" | "applied";

export interface Proposal {
  id: number;
  proposer: string;
  changes: ParamChange[];
  /** Approving validator operators, sorted. */
  approvals: string[];
  submittedHeight: number;
  /** Last height at which approvals count. */
  expiresAt: number;
  status: ProposalStatus;
  appliedHeight: number;
}

export function proposalKey(id: number): string {
  return `${PROPOSAL_PREFIX}${String(id).padStart(12, "0")}`;
}

export function encodeProposal(p: Proposal): Uint8Array {
  return encodeRecord({
    id: p.id,
    proposer: p.proposer,
    changes: p.changes.map((c) => ({ module: c.module, name: c.name, value: c.value })),
    approvals: p.approvals,
    submittedHeight: p.submittedHeight,
    expiresAt: p.expiresAt,
    status: p.status,
    appliedHeight: p.appliedHeight,
  });
}

export function decodeProposal(bytes: Uint8Array): Proposal {
  return decodeRecord(bytes) as unknown as Proposal;
}
