// The CRDs on a real kube-apiserver: install, explain, categories, every example applied for real, every bad
// manifest refused naming its field, and `uranus validate` giving the apiserver's own verdict and words.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { ApiextensionsV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { expect } from "chai";
import { installCrds } from "../../../crds/install.js";
import { GROUP, PLURAL, VERSION, type Kind } from "../../../crds/types.js";
import { CrdCatalog } from "../../../crds/validate/crd-catalog.js";
import { pruneNullsAndDefault } from "../../../crds/validate/decode.js";
import { parseManifestStream } from "../../../crds/validate/kube-yaml.js";
import { validateText } from "../../../crds/validate/manifest-files.js";
import { ManifestValidator } from "../../../crds/validate/validator.js";
import { waitFor } from "../../../process/wait-for.js";
import { sharedControlPlane, type SharedControlPlane } from "../../support/control-plane.js";
import { badManifests, exampleManifests, goodManifests } from "../../fixtures/manifests/corpus.js";
import { apiserverAnswer } from "./support/apiserver-answer.js";

type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: unknown;
};

const NAMESPACE = `crds-it-${process.pid}`;
const catalog = CrdCatalog.fromDirectory();
const validator = new ManifestValidator(catalog);

function objectsIn(text: string): KubeObject[] {
  return parseManifestStream(text).flatMap((document) => {
    const value = document.value as KubeObject | null;
    if (value === null) return [];
    return value.kind === "List" ? (value.items as KubeObject[]) : [value];
  });
}

function isUranus(object: KubeObject): boolean {
  return object.apiVersion === `${GROUP}/${VERSION}`;
}

/** The apiserver's Status message for a create of this object (strict field validation, as kubectl sends). */
function createThroughApi(api: CustomObjectsApi, object: KubeObject, namespaced: boolean): Promise<string> {
  const target = { group: GROUP, version: VERSION, plural: PLURAL[object.kind as Kind], body: object };
  return apiserverAnswer(() =>
    namespaced
      ? api.createNamespacedCustomObject({ ...target, namespace: NAMESPACE, fieldValidation: "Strict" })
      : api.createClusterCustomObject({ ...target, fieldValidation: "Strict" }),
  );
}

describe("crds on a real kube-apiserver", function () {
  this.timeout(120_000);
  let cluster: SharedControlPlane;
  let installed: string[] = [];
  const applied: string[] = [];

  let cacheDirectory = "";
  // A discovery cache of this suite's own, filled after the CRDs are served, so categories and explain see them.
  async function kubectl(args: string[], input?: string) {
    return cluster.kubectl(["--cache-dir", cacheDirectory, ...args], input);
  }

  /** `kubectl patch --type=merge` of the object `target` names (kind, name, and -n where namespaced). */
  function mergePatch(target: string[], patch: object) {
    return kubectl(["patch", ...target, "--type=merge", "-p", JSON.stringify(patch)]);
  }

  /** kubectl explain, retried while the apiserver is still publishing the new OpenAPI document. */
  async function explain(path: string) {
    return waitFor(
      async () => {
        const result = await kubectl(["explain", path]);
        return result.code === 0 ? result : undefined;
      },
      { timeoutMs: 30_000, description: `kubectl explain ${path}` },
    );
  }

  before(async function () {
    this.timeout(600_000);
    cluster = await sharedControlPlane();
    installed = await installCrds(cluster.kubeConfig);
    cacheDirectory = mkdtempSync(join(tmpdir(), "crds-kubectl-cache-"));
    const created = await kubectl(["create", "namespace", NAMESPACE]);
    expect(created.code, created.stderr).to.equal(0);
  });

  after(async function () {
    this.timeout(120_000);
    for (const file of applied)
      await kubectl(["delete", "-n", NAMESPACE, "-f", file, "--ignore-not-found", "--wait=false"]);
    await kubectl(["delete", "namespace", NAMESPACE, "--wait=false", "--ignore-not-found"]);
    rmSync(cacheDirectory, { recursive: true, force: true });
  });

  describe("installCrds", () => {
    it("creates the three CRDs and waits until each is Established", async () => {
      expect([...installed].sort()).to.deep.equal(
        ["computecontracts.uranus.io", "contributornodes.uranus.io", "powercontainers.uranus.io"].sort(),
      );
      const api = cluster.kubeConfig.makeApiClient(ApiextensionsV1Api);
      for (const name of installed) {
        const crd = await api.readCustomResourceDefinition({ name });
        const established = crd.status?.conditions?.find((c) => c.type === "Established");
        expect(established?.status, name).to.equal("True");
        // Sent untyped by server-side apply, the CEL rules must arrive under their x-kubernetes-validations key.
        expect(JSON.stringify(crd.spec.versions[0]?.schema), name).to.match(
          /"x_kubernetes_validations":\[\{[^\]]*"rule":"self/,
        );
      }
    });

    it("updates in place when run again, changing nothing that is already current", async () => {
      const api = cluster.kubeConfig.makeApiClient(ApiextensionsV1Api);
      const before = await Promise.all(installed.map((name) => api.readCustomResourceDefinition({ name })));
      expect(await installCrds(cluster.kubeConfig)).to.deep.equal(installed);
      const after = await Promise.all(installed.map((name) => api.readCustomResourceDefinition({ name })));
      expect(after.map((crd) => crd.metadata?.generation)).to.deep.equal(
        before.map((crd) => crd.metadata?.generation),
      );
    });
  });

  describe("kubectl explain", () => {
    it("reads the descriptions of computecontract.spec", async () => {
      const result = await explain("computecontract.spec");
      expect(result.stdout).to.include("What to run, how many, and the terms.");
      expect(result.stdout).to.match(/budget\s+<string> -required-/);
      expect(result.stdout).to.include("smallest token unit");
      expect(result.stdout).to.match(/payer\s+<Object> -required-/);
    });

    it("reads nested fields of the shared PowerContainer schema through the contract template", async () => {
      const result = await explain("computecontract.spec.template.spec.size");
      expect(result.stdout).to.include("standard compute unit");
      expect(result.stdout).to.match(/scu\s+<integer>/);
    });

    it("reads the ContributorNode owner and the PowerContainer status", async () => {
      const owner = await explain("contributornode.spec.owner");
      expect(owner.stdout).to.include("40 hexadecimal characters");
      const status = await explain("powercontainer.status");
      expect(status.stdout).to.match(/meteredSCUSeconds\s+<integer>/);
    });
  });

  describe("examples", () => {
    for (const file of exampleManifests()) {
      it(`${relative(process.cwd(), file)} is applied for real and stored as written, plus defaults`, async () => {
        const result = await kubectl(["apply", "-n", NAMESPACE, "-f", file]);
        applied.push(file);
        expect(result.code, result.stderr).to.equal(0);
        for (const object of objectsIn(readFileSync(file, "utf8"))) {
          const served = catalog.lookup(GROUP, VERSION, object.kind)!;
          const args = ["get", PLURAL[object.kind as Kind], object.metadata.name, "-o", "json"];
          const read = await kubectl(served.namespaced ? ["-n", NAMESPACE, ...args] : args);
          expect(read.code, read.stderr).to.equal(0);
          const stored = JSON.parse(read.stdout) as KubeObject;
          expect(stored.spec).to.deep.equal(pruneNullsAndDefault(object, served.schema).spec);
        }
      });
    }

    it("kubectl get uranus lists all three kinds, and the short names work", async () => {
      const pc = goodManifests().find((file) => basename(file) === "pc-minimal.yaml")!;
      const created = await kubectl(["apply", "-n", NAMESPACE, "-f", pc]);
      applied.push(pc);
      expect(created.code, created.stderr).to.equal(0);
      const all = await kubectl(["get", "uranus", "-A", "-o", "name"]);
      expect(all.code, all.stderr).to.equal(0);
      for (const plural of Object.values(PLURAL))
        expect(all.stdout).to.include(`${plural.slice(0, -1)}.${GROUP}/`);
      const short = await kubectl(["get", "cn,cc,pwc", "-n", NAMESPACE, "-o", "name"]);
      expect(short.code, short.stderr).to.equal(0);
      expect(short.stdout).to.include("powercontainer.uranus.io/pc-minimal");
      expect(short.stdout).to.include("computecontract.uranus.io/web-service");
      expect(short.stdout).to.include("contributornode.uranus.io/home-lab-1");
      // "pc" is PriorityClass's short name too; kubectl prefers the built-in kind and says so.
      const ambiguous = await kubectl(["get", "pc", "-n", NAMESPACE, "-o", "name"]);
      expect(ambiguous.stderr).to.include(
        'short name "pc" could also match lower priority resource powercontainers.uranus.io',
      );
    });

    it("refuses to change the offered node, the payer or the billing (transition rules, which only an update runs)", async () => {
      const node = await mergePatch(["cn", "home-lab-1"], { spec: { nodeName: "other" } });
      expect(node.code).to.not.equal(0);
      expect(node.stderr).to.include("spec.nodeName");
      expect(node.stderr).to.include("nodeName is immutable");
      const payer = await mergePatch(["cc", "web-service", "-n", NAMESPACE], {
        spec: { payer: { secretRef: { name: "another-key" } } },
      });
      expect(payer.code).to.not.equal(0);
      expect(payer.stderr).to.include("spec.payer");
      expect(payer.stderr).to.include("payer is immutable");
      const billing = await mergePatch(["cc", "web-service", "-n", NAMESPACE], { spec: { billing: "Used" } });
      expect(billing.code).to.not.equal(0);
      expect(billing.stderr).to.include("billing is immutable");
      const replicas = await mergePatch(["cc", "web-service", "-n", NAMESPACE], { spec: { replicas: 3 } });
      expect(replicas.code, replicas.stderr).to.equal(0);
    });

    it("prints the printer columns", async () => {
      const result = await kubectl(["get", "cc", "-n", NAMESPACE, "web-service"]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout.split("\n")[0]).to.match(
        /NAME\s+PHASE\s+READY\s+REPLICAS\s+MAX-PRICE\s+REMAINING\s+CLUSTER\s+AGE/,
      );
      expect(result.stdout).to.match(/web-service\s+3\s+900000/);
    });
  });

  describe("bad manifests: kubectl apply is refused with a message naming the field", () => {
    for (const bad of badManifests()) {
      it(`bad/${basename(bad.file)} (${bad.field})`, async () => {
        const result = await kubectl(["apply", "-n", NAMESPACE, "-f", bad.file]);
        if (bad.kubectlAccepts !== undefined) {
          // kubectl drops the namespace of a cluster-scoped object, so the apiserver sees a valid object.
          expect(result.code, result.stderr).to.equal(0);
          const [object] = objectsIn(bad.text);
          const stored = await kubectl([
            "get",
            PLURAL[object!.kind as Kind],
            object!.metadata.name,
            "-o",
            "json",
          ]);
          expect((JSON.parse(stored.stdout) as KubeObject).metadata.namespace).to.equal(undefined);
          await kubectl(["delete", "-f", bad.file, "--ignore-not-found"]);
          return;
        }
        expect(result.code, result.stdout).to.not.equal(0);
        expect(result.stderr).to.include(bad.field);
      });
    }
  });

  describe("uranus validate agrees with the apiserver", () => {
    for (const bad of badManifests()) {
      it(`bad/${basename(bad.file)}: both refuse it, in the same words`, async () => {
        const api = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
        const [object] = objectsIn(bad.text);
        const served = catalog.lookup(GROUP, VERSION, object!.kind)!;
        const [verdict] = validateText(bad.file, bad.text, validator);
        expect(verdict!.status).to.equal("invalid");
        expect(verdict!.message).to.include(bad.field);
        if (bad.kubectlAccepts !== undefined) {
          // Sent as it is written, with a namespace, the cluster-scoped kind has no such resource path.
          const answer = await createThroughApi(api, object!, true);
          expect(answer).to.match(/not found/i);
          return;
        }
        const answer = await createThroughApi(api, object!, served.namespaced);
        expect(answer).to.equal(verdict!.message);
      });
    }

    for (const file of goodManifests()) {
      it(`good/${basename(file)}: both accept it`, async () => {
        const verdicts = validateText(file, readFileSync(file, "utf8"), validator);
        expect(verdicts.filter((v) => v.status === "invalid")).to.deep.equal([]);
        const result = await kubectl(["apply", "-n", NAMESPACE, "-f", file]);
        applied.push(file);
        expect(result.code, result.stderr).to.equal(0);
        const objects = objectsIn(readFileSync(file, "utf8"));
        expect(result.stdout.trim().split("\n")).to.have.length(objects.length);
        expect(objects.filter(isUranus).length).to.equal(verdicts.filter((v) => v.status === "valid").length);
      });
    }
  });
});
