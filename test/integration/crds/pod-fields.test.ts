// The table of bad and good pod fields on a real kube-apiserver: each bad case is refused on create with the very
// message `uranus validate` prints (which names the field), each good case is stored; and the Pod the operator
// would build from each case is tried (server-side dry run), to show which values a Pod refuses anyway.
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { expect } from "chai";
import { installCrds } from "../../../crds/install.js";
import {
  API_VERSION,
  GROUP,
  KIND,
  PLURAL,
  VERSION,
  type ComputeContract,
  type Kind,
  type PowerContainer,
} from "../../../crds/types.js";
import { CrdCatalog } from "../../../crds/validate/crd-catalog.js";
import { pruneNullsAndDefault } from "../../../crds/validate/decode.js";
import { ManifestValidator } from "../../../crds/validate/validator.js";
import { ScuScale } from "../../../units/scu-scale.js";
import { podManifest } from "../../../operator/power-container/pod-manifest.js";
import { sharedControlPlane, type SharedControlPlane } from "../../support/control-plane.js";
import {
  badFieldObjects,
  goodFieldObjects,
  type CaseObject,
} from "../../fixtures/manifests/pod-field-cases.js";
import { apiserverAnswer } from "./support/apiserver-answer.js";

const NAMESPACE = `pod-fields-it-${process.pid}`;
const catalog = CrdCatalog.fromDirectory();
const validator = new ManifestValidator(catalog);

/** The Pod the operator makes from a case, with the defaults the apiserver would have filled into the spec. */
function podFor(c: CaseObject) {
  const served = catalog.lookup(GROUP, VERSION, KIND.ComputeContract)!;
  const stored = pruneNullsAndDefault(c.object, served.schema) as unknown as ComputeContract;
  const contract = { ...stored, metadata: { name: "pod-check", namespace: NAMESPACE, uid: "contract-uid" } };
  const powerContainer = {
    apiVersion: API_VERSION,
    kind: KIND.PowerContainer,
    metadata: { name: `pod-check-${c.case.name}`, namespace: NAMESPACE, uid: "power-container-uid" },
    spec: stored.spec.template.spec,
  } satisfies PowerContainer;
  return podManifest({
    powerContainer,
    contract,
    contractId: "0".repeat(20),
    replica: 0,
    podName: `pod-check-${c.case.name}`,
    scu: 1,
    scale: new ScuScale(),
    templateHash: "pod-check",
  });
}

describe("crds: every field that reaches the pod, on a real kube-apiserver", function () {
  this.timeout(120_000);
  let cluster: SharedControlPlane;
  let objects: CustomObjectsApi;
  let core: CoreV1Api | undefined;

  before(async function () {
    this.timeout(600_000);
    cluster = await sharedControlPlane();
    await installCrds(cluster.kubeConfig);
    objects = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  });

  after(async function () {
    this.timeout(120_000);
    // Only when `before` got as far as making the namespace.
    if (core !== undefined) await core.deleteNamespace({ name: NAMESPACE });
  });

  function create(c: CaseObject): Promise<string> {
    return apiserverAnswer(() =>
      objects.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: PLURAL[c.kind as Kind],
        namespace: NAMESPACE,
        body: c.object,
        fieldValidation: "Strict",
      }),
    );
  }

  /** Sent as raw JSON, as the operator's client sends it (client-node's typed serializer would reshape it). */
  async function dryRunPod(c: CaseObject): Promise<string> {
    const args = ["create", "--dry-run=server", "-n", NAMESPACE, "-f", "-"];
    const result = await cluster.kubectl(args, JSON.stringify(podFor(c)));
    return result.code === 0 ? "created" : result.stderr;
  }

  describe("bad cases are refused on create, in the words uranus validate uses", () => {
    for (const c of badFieldObjects()) {
      it(`${c.name}: ${c.field}`, async () => {
        const offline = validator.validate(c.object);
        const online = await create(c);
        expect(online).to.include(c.field);
        expect(online).to.equal(offline.message);
      });
    }
  });

  describe("good cases are stored", () => {
    for (const c of goodFieldObjects()) {
      it(c.name, async () => {
        expect(validator.validate(c.object).status).to.equal("valid");
        expect(await create(c)).to.equal("created");
      });
    }
  });

  describe("the Pod built from each case: refused where the table says a Pod refuses the value too", () => {
    const cases = [...badFieldObjects(), ...goodFieldObjects()].filter((c) => c.kind === "ComputeContract");
    for (const c of cases) {
      const refused = c.case.pod === "rejects";
      it(`${c.case.name}: ${refused ? "refused" : `accepted (${c.case.pod})`}`, async () => {
        const result = await dryRunPod(c);
        if (refused) expect(result).to.not.equal("created");
        else expect(result).to.equal("created");
      });
    }
  });
});
