// Creates or updates the uranus.io CRDs (server-side apply of the YAML in crds/) and waits until each is served.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { parse } from "yaml";
import { waitFor } from "../process/wait-for.js";
import { CRD_DIRECTORY } from "./directory.js";
import { FIELD_MANAGER } from "./types.js";

export interface InstallOptions {
  /** Directory of CRD YAML; the one beside this file by default. */
  directory?: string;
  /** How long to wait for all CRDs to become Established. */
  timeoutMs?: number;
}

interface CrdManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
}

export function readCrdManifests(directory = CRD_DIRECTORY): CrdManifest[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .map((file) => parse(readFileSync(join(directory, file), "utf8")) as CrdManifest)
    .filter((manifest) => manifest.kind === "CustomResourceDefinition");
}

/** API discovery lookups; KubernetesObjectApi keeps its own protected, and re-reads the list on a miss. */
class Discovery extends KubernetesObjectApi {
  find(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

function condition(crd: V1CustomResourceDefinition, type: string) {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/**
 * Applies every CRD and resolves with their names once all are Established and listed by API discovery (which
 * clients such as KubernetesObjectApi and kubectl resolve kinds through); throws if names are refused.
 */
export async function installCrds(kubeConfig: KubeConfig, options: InstallOptions = {}): Promise<string[]> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const manifests = readCrdManifests(options.directory);
  const applyPatch = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
  for (const manifest of manifests) {
    // The body goes out untyped, so x-kubernetes-* keys keep the spelling the apiserver expects.
    await api.patchCustomResourceDefinition(
      { name: manifest.metadata.name, body: manifest, fieldManager: FIELD_MANAGER, force: true },
      applyPatch,
    );
  }
  const names = manifests.map((manifest) => manifest.metadata.name);
  for (const name of names) {
    const outcome = await waitFor(
      async () => {
        const crd = await api.readCustomResourceDefinition({ name });
        const namesAccepted = condition(crd, "NamesAccepted");
        if (namesAccepted?.status === "False")
          return { refused: namesAccepted.message ?? "names not accepted" };
        return condition(crd, "Established")?.status === "True" ? { refused: undefined } : undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 60_000,
        description: `CustomResourceDefinition ${name} to be Established`,
      },
    );
    if (outcome.refused !== undefined)
      throw new Error(`CustomResourceDefinition ${name}: ${outcome.refused}`);
  }
  const discovery = kubeConfig.makeApiClient(Discovery);
  for (const { spec } of manifests) {
    for (const version of spec.versions.filter((v) => v.served)) {
      const apiVersion = `${spec.group}/${version.name}`;
      await waitFor(() => discovery.find(apiVersion, spec.names.kind), {
        timeoutMs: options.timeoutMs ?? 60_000,
        description: `API discovery to list ${spec.names.kind} in ${apiVersion}`,
      });
    }
  }
  return names;
}
