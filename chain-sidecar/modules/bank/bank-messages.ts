// Bank transaction messages.
import { defineMessage, type MessageOf } from "../../tx/message-spec.js";

export const TransferMsg = defineMessage({
  typeId: 1,
  primaryType: "Transfer",
  fields: [
    { name: "to", type: "address" },
    { name: "amount", type: "uint256" },
  ],
});
export type Transfer = MessageOf<typeof TransferMsg>;
