// What the operator's informers keep of Pods and Nodes (slimPod, slimNode) and of every object (withoutWriteHistory):
// the fields the reconcilers and metering read, and nothing else. The types KubePod and KubeNode are the compile-time
// half of this check (a reader of a dropped field does not compile); these tests are the run-time half.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { V1Node } from "@kubernetes/client-node";
import { expect } from "chai";
import { LABEL, type PowerContainerSpec } from "../../../crds/types.js";
import { slimNode, slimPod } from "../../../operator/operator-context.js";
import { nodeMatchesSelector } from "../../../operator/power-container/node-selector-match.js";
import { judgePlacement } from "../../../operator/power-container/placement-health.js";
import { isRetired } from "../../../operator/power-container/pod-retirement.js";
import { POD_ANNOTATION } from "../../../operator/power-container/pod-keys.js";
import { NODE, POD } from "../../../kube-runtime/builtin-resources.js";
import { KubeAccess } from "../../../kube-runtime/kube-config.js";
import { OperatorRuntime, withoutWriteHistory } from "../../../kube-runtime/operator-runtime.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";

const AVOID = {
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [
      { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "NotIn", values: ["n0"] }] },
    ],
  },
};

/** A Pod as the apiserver sends it for a PowerContainer: metadata the reconcilers use, and the bulk they do not. */
function fullPod(): KubeObject & Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "job-0-r1",
      namespace: "team",
      uid: "0b4e-pod",
      resourceVersion: "812",
      creationTimestamp: "2025-01-01T00:00:00Z",
      deletionTimestamp: "2025-01-01T00:05:00Z",
      labels: { [LABEL.contract]: "job", [LABEL.powerContainer]: "job-0" },
      annotations: { [POD_ANNOTATION.leaseStart]: "1735689600", [POD_ANNOTATION.scu]: "2" },
      finalizers: ["uranus.io/metering"],
      ownerReferences: [
        {
          apiVersion: "uranus.io/v1alpha1",
          kind: "PowerContainer",
          name: "job-0",
          uid: "pc",
          controller: true,
        },
      ],
    },
    spec: {
      nodeName: "n1",
      affinity: {
        nodeAffinity: AVOID,
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] },
      },
      containers: [
        {
          name: "main",
          image: "registry.example/worker:1.0",
          env: Array.from({ length: 20 }, (_, i) => ({ name: `VAR_${i}`, value: "x".repeat(40) })),
          resources: { requests: { cpu: "2", memory: "4Gi" } },
          securityContext: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
          },
          volumeMounts: [
            { name: "kube-api-access", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" },
          ],
        },
      ],
      volumes: [
        { name: "kube-api-access", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
      ],
      tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" }],
      schedulerName: "default-scheduler",
    },
    status: {
      phase: "Running",
      startTime: "2025-01-01T00:00:05Z",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2025-01-01T00:00:07Z" }],
      podIP: "10.0.0.7",
      hostIP: "192.168.0.1",
      qosClass: "Burstable",
      containerStatuses: [
        { name: "main", ready: true, restartCount: 0, image: "registry.example/worker:1.0" },
      ],
    },
  };
}

function fullNode(ready: "True" | "False"): KubeObject & Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: "n1",
      uid: "node-uid",
      resourceVersion: "90",
      labels: { "kubernetes.io/hostname": "n1", zone: "a" },
    },
    spec: { taints: [{ key: "kwok.x-k8s.io/node", value: "fake", effect: "NoSchedule" }] },
    status: {
      conditions: [
        { type: "Ready", status: ready, reason: "KubeletReady", lastTransitionTime: "2025-01-01T00:00:00Z" },
        { type: "MemoryPressure", status: "False", lastHeartbeatTime: "2025-01-01T00:00:00Z" },
      ],
      allocatable: { cpu: "4", memory: "16Gi", pods: "20" },
      capacity: { cpu: "4", memory: "16Gi", pods: "20" },
      addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
      nodeInfo: { kubeletVersion: "fake", osImage: "x".repeat(100) },
      images: Array.from({ length: 10 }, (_, i) => ({ names: [`image-${i}`], sizeBytes: i })),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
}

const size = (object: unknown): number => JSON.stringify(object).length;

describe("what the operator's informers cache", () => {
  it("slimPod keeps metadata, node, node affinity, phase, conditions and start time, and drops the rest", () => {
    const full = fullPod();
    const slim = slimPod(structuredClone(full));
    expect(slim.metadata).to.deep.equal(full.metadata);
    expect(slim.spec).to.deep.equal({ nodeName: "n1", affinity: { nodeAffinity: AVOID } });
    expect(slim.status).to.deep.equal({
      phase: "Running",
      startTime: "2025-01-01T00:00:05Z",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2025-01-01T00:00:07Z" }],
    });
    expect(slim.apiVersion).to.equal("v1");
    expect(slim.kind).to.equal("Pod");
    expect(size(slim)).to.be.below(size(full) / 2);
    expect(isRetired(slim)).to.equal(true);
  });

  it("slimNode keeps metadata, conditions and allocatable; placement decisions come out the same", () => {
    const spec = {
      executionPolicy: "RequiredDuringExecution",
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }],
          },
        },
      },
    } as unknown as PowerContainerSpec;
    const now = new Date("2025-01-01T01:00:00Z");
    for (const ready of ["True", "False"] as const) {
      const full = fullNode(ready);
      const slim = slimNode(structuredClone(full));
      expect(slim).to.deep.equal({
        apiVersion: "v1",
        kind: "Node",
        metadata: full.metadata,
        status: {
          conditions: (full.status as { conditions: unknown }).conditions,
          allocatable: { cpu: "4", memory: "16Gi", pods: "20" },
        },
      });
      expect(judgePlacement("n1", slim, undefined, spec, now)).to.deep.equal(
        judgePlacement("n1", full as V1Node, undefined, spec, now),
      );
      const selector = spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution;
      expect(nodeMatchesSelector(selector, slim)).to.equal(true);
    }
  });

  it("never throws on odd objects (a throwing decoder would end the watch) and is idempotent", () => {
    const odd = [
      { metadata: { name: "a" } },
      { metadata: { name: "b" }, spec: null, status: "weird" },
      { metadata: { name: "c" }, spec: { affinity: "x" }, status: { phase: "Pending" } },
    ] as unknown as KubeObject[];
    for (const object of odd) {
      expect(() => slimPod(object)).to.not.throw();
      expect(() => slimNode(object)).to.not.throw();
    }
    expect(slimPod(odd[2]!)).to.deep.equal({
      apiVersion: undefined,
      kind: undefined,
      metadata: { name: "c" },
      spec: {},
      status: { phase: "Pending" },
    });
    const once = slimPod(fullPod());
    expect(slimPod(structuredClone(once))).to.deep.equal(once);
  });

  it("withoutWriteHistory drops managedFields and kubectl's last-applied copy, and keeps other annotations", () => {
    const object: KubeObject = {
      metadata: {
        name: "job",
        managedFields: [{ manager: "kubectl", operation: "Apply" }],
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{…}", keep: "me" },
      },
    };
    expect(withoutWriteHistory(object).metadata).to.deep.equal({ name: "job", annotations: { keep: "me" } });
  });

  describe("OperatorRuntime.informer with a keep function", () => {
    let server: Server;
    let runtime: OperatorRuntime;

    beforeEach(async () => {
      server = createServer((request, response) => {
        const watch = new URL(request.url ?? "", "http://x").searchParams.get("watch") === "true";
        response.writeHead(200, { "content-type": "application/json" });
        if (watch) return; // stays open until the informer stops
        const pod = fullPod();
        (pod.metadata as Record<string, unknown>).managedFields = [{ manager: "kubelet" }];
        response.end(JSON.stringify({ kind: "PodList", metadata: { resourceVersion: "900" }, items: [pod] }));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      runtime = new OperatorRuntime({
        name: "cache-test",
        kubeConfig: new KubeAccess({
          clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: false }],
          users: [{ name: "u", token: "t" }],
          contexts: [{ name: "c", cluster: "c", user: "u" }],
          currentContext: "c",
        }),
      });
    });

    afterEach(async () => {
      runtime.client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("stores what keep returns, from the object without managedFields", async () => {
      const pods = runtime.informer(POD, { namespace: "team" }, { keep: slimPod });
      pods.start();
      try {
        await pods.waitForSync({ timeoutMs: 5000 });
        const cached = pods.store.get("team/job-0-r1")!;
        expect(cached).to.deep.equal(slimPod(fullPod()));
        expect(cached.metadata.managedFields).to.equal(undefined);
      } finally {
        await pods.stop();
      }
    });

    it("shares one informer per selection, and refuses to share it with another keep function", () => {
      const nodes = runtime.informer(NODE, {}, { keep: slimNode });
      expect(runtime.informer(NODE, {}, { keep: slimNode })).to.equal(nodes);
      expect(() => runtime.informer(NODE)).to.throw(/another keep function/);
      expect(() => runtime.informer(NODE, {}, { keep: (object) => object })).to.throw(
        /another keep function/,
      );
    });
  });
});
