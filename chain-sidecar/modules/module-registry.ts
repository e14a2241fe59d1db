// Routes message types to handlers and query paths to queriers, and runs every module's genesis and block hooks in order.
import { MessageCatalog } from "../tx/message-catalog.js";
import type {
  BlockStart,
  ChainModule,
  ConsensusUpdate,
  MessageHandler,
  QueryRoute,
  TxAnte,
} from "./chain-module.js";
import type { ExecContext } from "./exec-context.js";

interface CompiledRoute {
  readonly segments: readonly string[];
  readonly route: QueryRoute;
}

export class ModuleRegistry {
  readonly catalog: MessageCatalog;
  private readonly handlers = new Map<number, MessageHandler<unknown>>();
  private readonly routes: CompiledRoute[] = [];

  /** `ante` charges each transaction's nonce and fee before its message runs. */
  constructor(
    readonly modules: readonly ChainModule[],
    readonly ante: TxAnte,
  ) {
    const names = new Set<string>();
    for (const module of modules) {
      if (names.has(module.name)) throw new Error(`module ${module.name} is registered twice`);
      names.add(module.name);
    }
    const handlers = modules.flatMap((m) => m.messages ?? []);
    this.catalog = new MessageCatalog(handlers.map((h) => h.spec));
    for (const handler of handlers) this.handlers.set(handler.spec.typeId, handler);
    for (const route of modules.flatMap((m) => m.queries ?? [])) {
      if (this.routes.some((r) => r.route.path === route.path))
        throw new Error(`query path ${route.path} is declared twice`);
      this.routes.push({ segments: route.path.split("/").slice(1), route });
    }
  }

  handler(typeId: number): MessageHandler<unknown> | undefined {
    return this.handlers.get(typeId);
  }

  /** Finds the route for a path like `/account/0xabc…`; `:name` segments become parameters. */
  matchQuery(path: string): { route: QueryRoute; params: Record<string, string> } | undefined {
    const parts = path.split("/").slice(1);
    for (const { segments, route } of this.routes) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const matches = segments.every((segment, i) => {
        if (segment.startsWith(":")) {
          params[segment.slice(1)] = decodeURIComponent(parts[i]!);
          return parts[i] !== "";
        }
        return segment === parts[i];
      });
      if (matches) return { route, params };
    }
    return undefined;
  }

  queryRoutes(): readonly QueryRoute[] {
    return this.routes.map((r) => r.route);
  }

  initGenesis(ctx: ExecContext, appState: Readonly<Record<string, unknown>>): ConsensusUpdate[] {
    for (const module of this.modules) module.initGenesis?.(ctx, appState);
    return this.modules.flatMap((m) => m.genesisValidators?.(ctx) ?? []);
  }

  beginBlock(ctx: ExecContext, start: BlockStart): void {
    for (const module of this.modules) module.beginBlock?.(ctx, start);
  }

  endBlock(ctx: ExecContext): ConsensusUpdate[] {
    return this.modules.flatMap((m) => m.endBlock?.(ctx) ?? []);
  }
}
