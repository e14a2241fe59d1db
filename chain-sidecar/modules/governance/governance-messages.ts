// Governance transaction messages (type ids 80–95): parameter changes approved by validators.
import { defineMessage, type MessageOf } from "../../tx/message-spec.js";

/** Proposes changes applied together once validators holding a majority of voting power approve; counts as the proposer's approval. */
export const ProposeParamChangeMsg = defineMessage({
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
export type ProposeParamChange = MessageOf<typeof ProposeParamChangeMsg>;
/** One parameter to set: module, name and its new value as text. */
export type ParamChange = ProposeParamChange["changes"][number];

export const ApproveParamChangeMsg = defineMessage({
  typeId: 81,
  primaryType: "ApproveParamChange",
  fields: [{ name: "proposalId", type: "uint64" }],
});
export type ApproveParamChange = MessageOf<typeof ApproveParamChangeMsg>;
