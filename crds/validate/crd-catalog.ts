// The CustomResourceDefinitions offline validation checks against, read from the same YAML kubectl applies.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CRD_DIRECTORY } from "../directory.js";
import type { OpenApiSchema } from "../schema/openapi.js";
import { parseManifestStream } from "./kube-yaml.js";

export interface ServedKind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** With a status subresource, create ignores any status in the body. */
  statusSubresource: boolean;
  /** Where the scale subresource reads replicas from, e.g. .spec.replicas; checked on create. */
  specReplicasPath?: string;
  schema: OpenApiSchema;
}

interface CrdDocument {
  kind?: unknown;
  metadata?: { name?: string };
  spec?: {
    group: string;
    scope: "Cluster" | "Namespaced";
    names: { kind: string; plural: string };
    versions: {
      name: string;
      served: boolean;
      schema?: { openAPIV3Schema?: OpenApiSchema };
      subresources?: { status?: object; scale?: { specReplicasPath: string } };
    }[];
  };
}

export class CrdCatalog {
  private readonly kinds = new Map<string, ServedKind>();
  private readonly groups = new Set<string>();

  constructor(crds: CrdDocument[]) {
    for (const crd of crds) {
      const spec = crd.spec;
      if (crd.kind !== "CustomResourceDefinition" || !spec) continue;
      this.groups.add(spec.group);
      for (const version of spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (!version.served || !schema) continue;
        this.kinds.set(CrdCatalog.key(spec.group, version.name, spec.names.kind), {
          group: spec.group,
          version: version.name,
          kind: spec.names.kind,
          plural: spec.names.plural,
          namespaced: spec.scope === "Namespaced",
          statusSubresource: version.subresources?.status !== undefined,
          ...(version.subresources?.scale
            ? { specReplicasPath: version.subresources.scale.specReplicasPath }
            : {}),
          schema,
        });
      }
    }
  }

  static fromDirectory(directory: string = CRD_DIRECTORY): CrdCatalog {
    const crds: CrdDocument[] = [];
    for (const file of readdirSync(directory).sort()) {
      if (!/\.(ya?ml|json)$/.test(file)) continue;
      for (const document of parseManifestStream(readFileSync(join(directory, file), "utf8"))) {
        if (document.error) throw new Error(`${join(directory, file)}: ${document.error}`);
        crds.push(document.value as CrdDocument);
      }
    }
    const catalog = new CrdCatalog(crds);
    if (catalog.kinds.size === 0) throw new Error(`no CustomResourceDefinitions found in ${directory}`);
    return catalog;
  }

  private static key(group: string, version: string, kind: string): string {
    return `${group}/${version}/${kind}`;
  }

  /** Whether this catalog owns the API group, so an unknown kind or version in it is an error, not a skip. */
  ownsGroup(group: string): boolean {
    return this.groups.has(group);
  }

  lookup(group: string, version: string, kind: string): ServedKind | undefined {
    return this.kinds.get(CrdCatalog.key(group, version, kind));
  }

  served(): ServedKind[] {
    return [...this.kinds.values()];
  }
}
