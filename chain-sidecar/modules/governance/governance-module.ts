// The governance module: parameter-change proposals and approvals by the validators, and their queries.
import type { JsonValue } from "../../state/canonical-json.js";
import { handles, recordQuery, type ChainModule } from "../chain-module.js";
import type { TxContext } from "../exec-context.js";
import { ApproveParamChangeMsg, ProposeParamChangeMsg } from "./governance-messages.js";
import { readAllProposals, type AppliedChange, type GovernanceKeeper } from "./governance-keeper.js";
import { governanceParams } from "./governance-params.js";
import { proposalKey, type Proposal } from "./proposal-records.js";
import { invalidField } from "../../tx/tx-error.js";
import type { StateReader } from "../../state/state-access.js";

function emitApplied(ctx: TxContext, proposal: Proposal, applied: readonly AppliedChange[]): void {
  for (const change of applied) {
    ctx.emit("param_change", {
      proposal: proposal.id,
      module: change.module,
      name: change.name,
      from: change.from,
      to: change.to,
    });
  }
}

function proposalView(governance: GovernanceKeeper, state: StateReader, p: Proposal): JsonValue {
  const { approved, total } = governance.tally(state, p.approvals);
  return {
    id: p.id,
    proposer: p.proposer,
    changes: p.changes.map((c) => ({ module: c.module, name: c.name, value: c.value })),
    approvals: p.approvals,
    approvedPower: approved.toString(),
    totalPower: total.toString(),
    submittedHeight: p.submittedHeight,
    expiresAt: p.expiresAt,
    status: p.status,
    appliedHeight: p.appliedHeight,
  };
}

/** The governance module over the app's one governance keeper. */
export function governanceModule(governance: GovernanceKeeper): ChainModule {
  return {
    name: "governance",
    params: governanceParams,
    messages: [
      handles(ProposeParamChangeMsg, (ctx, msg) => {
        const { proposal, applied } = governance.propose(
          ctx.state,
          ctx.sender,
          msg.changes,
          ctx.block.height,
        );
        ctx.emit("param_proposal", {
          proposal: proposal.id,
          proposer: proposal.proposer,
          changes: proposal.changes.map((c) => `${c.module}.${c.name}=${c.value}`).join(","),
        });
        emitApplied(ctx, proposal, applied);
      }),
      handles(ApproveParamChangeMsg, (ctx, msg) => {
        const { proposal, applied } = governance.approve(
          ctx.state,
          ctx.sender,
          msg.proposalId,
          ctx.block.height,
        );
        ctx.emit("param_approval", { proposal: proposal.id, validator: ctx.sender });
        emitApplied(ctx, proposal, applied);
      }),
    ],
    queries: [
      {
        path: "/proposals",
        describe: "parameter-change proposals with their approving and total voting power",
        answer: (state) => ({
          kind: "view",
          value: readAllProposals(state).map((p) => proposalView(governance, state, p)),
        }),
      },
      recordQuery("/proposal/:id", "one parameter-change proposal as stored (provable)", (params) => {
        if (!/^\d{1,12}$/.test(params.id!))
          throw invalidField("id", `${JSON.stringify(params.id)} is not a proposal number`);
        return { stateKey: proposalKey(Number(params.id)), missing: `no proposal ${params.id}` };
      }),
    ],
  };
}
