// Bank transaction messages.
import { defineMessage } from "../../tx/message-spec.js";

export interface Transfer {
  to: string;
  amount: bigint;
}

export const TransferMsg = defineMessage<Transfer>({
  typeId: 1,
  primaryType: "Transfer",
  fields: [
    { name: "to", type: "address" },
    { name: "amount", type: "uint256" },
  ],
});
