// Parameter changes by validator approval: a proposal applies once the approving validators of the active set hold
// more than half of its voting power (counted at each approval). Owns the `governance/` prefix.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import { parseParams, paramsToJson, type ParamSection } from "../params/param-section.js";
import { readParams, writeParams } from "../params/params-keeper.js";
import type { ActiveValidators } from "./expected-keepers.js";
import type { ParamChange } from "./governance-messages.js";
import { governanceParams, type GovernanceParams } from "./governance-params.js";
import {
  NEXT_PROPOSAL_KEY,
  PROPOSAL_PREFIX,
  decodeProposal,
  encodeProposal,
  proposalKey,
  type Proposal,
} from "./proposal-records.js";

export interface AppliedChange {
  module: string;
  name: string;
  from: string;
  to: string;
}

export function readProposal(state: StateReader, id: number): Proposal | undefined {
  const bytes = state.get(proposalKey(id));
  return bytes ? decodeProposal(bytes) : undefined;
}

export function readAllProposals(state: StateReader): Proposal[] {
  return state.entries(PROPOSAL_PREFIX).map(([, bytes]) => decodeProposal(bytes));
}

/** The one governance keeper of the app; every method takes the state it works on. */
export class GovernanceKeeper {
  private readonly sections: Map<string, ParamSection<object>>;

  /** `sections`: every parameter section governance may change, its own included. */
  constructor(
    sections: readonly ParamSection<object>[],
    private readonly validators: ActiveValidators,
  ) {
    this.sections = new Map(sections.map((s) => [s.module, s]));
  }

  params(state: StateReader): GovernanceParams {
    return readParams(state, governanceParams);
  }

  /** Approving power and total power of the current active set. */
  tally(state: StateReader, approvals: readonly string[]): { approved: bigint; total: bigint } {
    const active = this.validators.activeSet(state);
    let total = 0n;
    for (const power of active.values()) total += power;
    const approved = approvals.reduce((sum, operator) => sum + (active.get(operator) ?? 0n), 0n);
    return { approved, total };
  }

  private requireValidator(state: StateReader, sender: string, what: string): void {
    if ((this.validators.activeSet(state).get(sender) ?? 0n) === 0n) {
      throw new TxError(ResultCode.UNAUTHORISED, `${what}: ${sender} is not a validator in the active set`);
    }
  }

  /** The section with `change` applied, parsed exactly as genesis parameters are. */
  private applied(
    base: object,
    change: ParamChange,
    path: string,
  ): { section: ParamSection<object>; params: object } {
    const section = this.sections.get(change.module);
    if (!section) {
      throw invalidField(
        `${path}.module`,
        `no module has parameters named ${JSON.stringify(change.module)}; known: ${[...this.sections.keys()].sort().join(", ")}`,
      );
    }
    const field = (section.fields as Record<string, { kind: string } | undefined>)[change.name];
    if (!field) {
      throw invalidField(
        `${path}.name`,
        `${change.module} has no parameter ${JSON.stringify(change.name)}; known: ${Object.keys(section.fields).sort().join(", ")}`,
      );
    }
    if (!/^\d{1,78}$/.test(change.value))
      throw invalidField(
        `${path}.value`,
        `${JSON.stringify(change.value)} is not a non-negative decimal integer`,
      );
    const json = paramsToJson(section, base) as Record<string, unknown>;
    json[change.name] = field.kind === "integer" ? Number(change.value) : change.value;
    return { section, params: parseParams(section, json, `${path}.value`) };
  }

  propose(
    state: StateWriter,
    sender: string,
    changes: readonly ParamChange[],
    height: number,
  ): { proposal: Proposal; applied: AppliedChange[] } {
    this.requireValidator(state, sender, "ProposeParamChange");
    const params = this.params(state);
    if (changes.length === 0)
      throw invalidField("ProposeParamChange.changes", "must hold at least one change");
    if (changes.length > params.maxChangesPerProposal) {
      throw invalidField(
        "ProposeParamChange.changes",
        `at most ${params.maxChangesPerProposal} changes, got ${changes.length}`,
      );
    }
    const staged = new Map<string, object>();
    changes.forEach((change, i) => {
      const path = `ProposeParamChange.changes[${i}]`;
      const section = this.sections.get(change.module);
      const base = staged.get(change.module) ?? (section ? readParams(state, section) : {});
      staged.set(change.module, this.applied(base, change, path).params);
    });
    const idBytes = state.get(NEXT_PROPOSAL_KEY);
    const id = idBytes ? (decodeRecord(idBytes) as { id: number }).id : 1;
    state.set(NEXT_PROPOSAL_KEY, encodeRecord({ id: id + 1 }));
    const proposal: Proposal = {
      id,
      proposer: sender,
      changes: changes.map((c) => ({ module: c.module, name: c.name, value: c.value })),
      approvals: [sender],
      submittedHeight: height,
      expiresAt: height + params.proposalLifetimeBlocks,
      status: "pending",
      appliedHeight: 0,
    };
    return { proposal, applied: this.settle(state, proposal, height) };
  }

  approve(
    state: StateWriter,
    sender: string,
    id: bigint,
    height: number,
  ): { proposal: Proposal; applied: AppliedChange[] } {
    this.requireValidator(state, sender, "ApproveParamChange");
    const proposal = id <= BigInt(Number.MAX_SAFE_INTEGER) ? readProposal(state, Number(id)) : undefined;
    if (!proposal)
      throw new TxError(ResultCode.NOT_FOUND, `ApproveParamChange.proposalId: no proposal ${id}`);
    if (proposal.status !== "pending")
      throw new TxError(
        ResultCode.WRONG_STATE,
        `ApproveParamChange.proposalId: proposal ${id} is already applied`,
      );
    if (height > proposal.expiresAt) {
      throw new TxError(
        ResultCode.WRONG_STATE,
        `ApproveParamChange.proposalId: proposal ${id} expired at height ${proposal.expiresAt}`,
      );
    }
    if (proposal.approvals.includes(sender))
      throw new TxError(
        ResultCode.ALREADY_EXISTS,
        `ApproveParamChange.proposalId: ${sender} already approved ${id}`,
      );
    proposal.approvals = [...proposal.approvals, sender].sort();
    return { proposal, applied: this.settle(state, proposal, height) };
  }

  /** Applies the proposal if its approvals now hold a strict majority of voting power, then stores it. */
  private settle(state: StateWriter, proposal: Proposal, height: number): AppliedChange[] {
    const { approved, total } = this.tally(state, proposal.approvals);
    const applied: AppliedChange[] = [];
    if (total > 0n && approved * 2n > total) {
      proposal.changes.forEach((change, i) => {
        const section = this.sections.get(change.module)!;
        const before = readParams(state, section);
        const { params } = this.applied(before, change, `proposal ${proposal.id} changes[${i}]`);
        const from = (paramsToJson(section, before) as Record<string, number | string>)[change.name]!;
        writeParams(state, section, params);
        applied.push({ module: change.module, name: change.name, from: String(from), to: change.value });
      });
      proposal.status = "applied";
      proposal.appliedHeight = height;
    }
    state.set(proposalKey(proposal.id), encodeProposal(proposal));
    return applied;
  }
}
