// The set of message types a chain understands, looked up by wire id or by EIP-712 name.
import type { MessageSpec } from "./message-spec.js";

export class MessageCatalog {
  private readonly byId = new Map<number, MessageSpec<unknown>>();
  private readonly byName = new Map<string, MessageSpec<unknown>>();

  constructor(specs: readonly MessageSpec<unknown>[]) {
    for (const spec of specs) {
      const sameId = this.byId.get(spec.typeId);
      if (sameId)
        throw new Error(
          `message type id ${spec.typeId} is used by ${sameId.primaryType} and ${spec.primaryType}`,
        );
      if (this.byName.has(spec.primaryType))
        throw new Error(`message type ${spec.primaryType} is declared twice`);
      this.byId.set(spec.typeId, spec);
      this.byName.set(spec.primaryType, spec);
    }
  }

  get(typeId: number): MessageSpec<unknown> | undefined {
    return this.byId.get(typeId);
  }

  named(primaryType: string): MessageSpec<unknown> | undefined {
    return this.byName.get(primaryType);
  }

  /** All specs sorted by type id. */
  all(): MessageSpec<unknown>[] {
    return [...this.byId.values()].sort((a, b) => a.typeId - b.typeId);
  }
}
