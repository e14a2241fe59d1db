// Governance transaction messages (type ids 80–95): parameter changes approved by validators.
import { defineMessage } from "../../tx/message-spec.js";

/** Sets `module.name` to `value` (a decimal integer, as the parameter's query shows it). */
export interface ParamChange {
  module: string;
  name: string;
  value: string;
}

/** Proposes changes applied together once validators holding a majority of voting power approve; counts as the proposer's approval. */
export interface ProposeParamChange {
  changes: ParamChange[];
}

export interface ApproveParamChange {
  proposalId: bigint;
}

export const ProposeParamChangeMsg = defineMessage<ProposeParamChange>({
  typeId: 80,
  primaryType: "ProposeParamChange",
  fields: [{ name: "changes", type: "ParamChange[]" }],
  structs: {
    ParamChange: [
      { name: "module", type: "string" },
      { name: "name", type: "string" },
      { name: "value", type: "string" },
    ],
  },
});

export const ApproveParamChangeMsg = defineMessage<ApproveParamChange>({
  typeId: 81,
  primaryType: "ApproveParamChange",
  fields: [{ name: "proposalId", type: "uint64" }],
});
