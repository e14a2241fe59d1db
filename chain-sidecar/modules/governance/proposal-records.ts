// Parameter-change proposals as stored under the governance prefix `governance/`.
import {
  defineRecord,
  integer,
  oneOf,
  text,
  texts,
  type FieldCodec,
  type RecordType,
} from "../../state/record-codec.js";
import type { ParamChange } from "./governance-messages.js";

export const PROPOSAL_PREFIX = "governance/proposal/";
export const NEXT_PROPOSAL_KEY = "governance/nextProposal";

export const PROPOSAL_STATUSES = ["pending", "applied"] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** The changes as sent: module, name and value of each, in order. */
const paramChanges: FieldCodec<ParamChange[]> = {
  toJson: (changes) => changes.map((c) => ({ module: c.module, name: c.name, value: c.value })),
  fromJson: (json) => json as unknown as ParamChange[],
};

export const PROPOSAL_RECORD = defineRecord({
  id: integer,
  proposer: text,
  changes: paramChanges,
  /** Approving validator operators, sorted. */
  approvals: texts,
  submittedHeight: integer,
  /** Last height at which approvals count. */
  expiresAt: integer,
  status: oneOf(PROPOSAL_STATUSES),
  appliedHeight: integer,
});
export type Proposal = RecordType<typeof PROPOSAL_RECORD>;

export function proposalKey(id: number): string {
  return `${PROPOSAL_PREFIX}${String(id).padStart(12, "0")}`;
}

export const encodeProposal = PROPOSAL_RECORD.encode;
export const decodeProposal = PROPOSAL_RECORD.decode;
