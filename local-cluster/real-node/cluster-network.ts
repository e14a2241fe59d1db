// The Service network of the real nodes' pods, as pure functions: kube-proxy's configuration, CoreDNS's Corefile and
// RBAC, and the iptables rules that keep every Service's traffic on this machine.
import type { V1ClusterRole, V1ClusterRoleBinding } from "@kubernetes/client-node";
import { stringify } from "yaml";

/** kube-apiserver's --service-cluster-ip-range. */
export const SERVICE_CIDR = "10.96.0.0/16";
/** Every real node's pod subnet is a /24 of this. */
export const POD_CIDR = "10.247.0.0/16";
export const CLUSTER_DOMAIN = "cluster.local";
/** Who kube-proxy is to the apiserver; the built-in binding system:node-proxier grants it what it needs. */
export const KUBE_PROXY_USER = "system:kube-proxy";
export const COREDNS_USER = "system:coredns";
export const COREDNS_ROLE = "uranus:coredns";

export interface KubeProxySettings {
  kubeconfig: string;
  /** The Node whose name kube-proxy runs under (it reads the node's addresses). */
  nodeName: string;
  nodeIp: string;
  healthzPort: number;
  metricsPort: number;
  /** The bridges' subnets: the only addresses that accept NodePort connections. */
  nodePortCidrs: string[];
  /** Without br_netfilter, a reply bridged between two pods skips conntrack; masquerading everything avoids that. */
  masqueradeAll: boolean;
}

/**
 * KubeProxyConfiguration in iptables mode that changes no host tunable: conntrack limits and timeouts stay as they
 * are, and no NodePort on localhost (that would turn on route_localnet) or on any address but the bridges'.
 */
export function kubeProxyConfigYaml(settings: KubeProxySettings): string {
  return stringify({
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    clientConnection: { kubeconfig: settings.kubeconfig, qps: 50, burst: 100 },
    hostnameOverride: settings.nodeName,
    bindAddress: settings.nodeIp,
    bindAddressHardFail: true,
    healthzBindAddress: `127.0.0.1:${settings.healthzPort}`,
    metricsBindAddress: `127.0.0.1:${settings.metricsPort}`,
    enableProfiling: false,
    mode: "iptables",
    clusterCIDR: POD_CIDR,
    detectLocalMode: "ClusterCIDR",
    nodePortAddresses: settings.nodePortCidrs,
    // Without CAP_SYS_RESOURCE it cannot lower its own score, and would say so at every start.
    oomScoreAdj: 0,
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
    iptables: {
      masqueradeAll: settings.masqueradeAll,
      localhostNodePorts: false,
      minSyncPeriod: "500ms",
      syncPeriod: "30s",
    },
  });
}

export interface CorednsSettings {
  kubeconfig: string;
  /** Where it answers: each bridge's address, which is also each node's clusterDNS. */
  listen: string[];
  healthPort: number;
  readyPort: number;
}

/**
 * Cluster names only: the server block holds just the cluster's zones, so any other name is REFUSED, and there is
 * no forward plugin to send a pod's question off this machine.
 */
export function corefile(settings: CorednsSettings): string {
  return [
    `${CLUSTER_DOMAIN}:53 in-addr.arpa:53 ip6.arpa:53 {`,
    `    bind ${settings.listen.join(" ")}`,
    "    errors",
    `    health 127.0.0.1:${settings.healthPort}`,
    `    ready 127.0.0.1:${settings.readyPort}`,
    `    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {`,
    `        kubeconfig ${settings.kubeconfig} uranus`,
    "        pods disabled",
    "        ttl 5",
    "    }",
    "}",
    "",
  ].join("\n");
}

/** What CoreDNS's kubernetes plugin reads: the same as the upstream system:coredns role. */
export function corednsRbac(): { role: V1ClusterRole; binding: V1ClusterRoleBinding } {
  return {
    role: {
      metadata: { name: COREDNS_ROLE },
      rules: [
        {
          apiGroups: [""],
          resources: ["endpoints", "services", "pods", "namespaces"],
          verbs: ["list", "watch"],
        },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
    },
    binding: {
      metadata: { name: COREDNS_ROLE },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: COREDNS_ROLE },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: COREDNS_USER }],
    },
  };
}

export interface ConfineSettings {
  /** Suffix of our chain names, unique to one start. */
  id: string;
  bridges: string[];
  /** The bridges' subnets, where NodePorts answer. */
  subnets: string[];
}

export const confineChains = (id: string): { forward: string; output: string } => ({
  forward: `URANUS-FWD-${id}`,
  output: `URANUS-OUT-${id}`,
});

/**
 * An iptables-restore --noflush script that keeps Service traffic on this machine whatever an EndpointSlice names:
 * the bridges forward only among themselves (mangle FORWARD, which no kube-proxy rule can accept before), and a
 * connection this machine opens to a Service is refused unless its endpoint is on a bridge or local, or at once when
 * kube-proxy has no rule for it yet. OUTPUT sees the device routed before kube-proxy's DNAT, so these rules look at
 * the rewritten destination instead.
 */
export function confineScript(settings: ConfineSettings): string {
  const { forward, output } = confineChains(settings.id);
  const comment = (text: string): string => `-m comment --comment "uranus: ${text}"`;
  const forwardRules = [
    ...settings.bridges.flatMap((from) =>
      settings.bridges.map((to) => `-A ${forward} -i ${from} -o ${to} -j RETURN`),
    ),
    ...settings.bridges.map((bridge) => `-A ${forward} -i ${bridge} ${comment("pods stay here")} -j DROP`),
    ...settings.bridges.map((bridge) => `-A ${forward} -o ${bridge} ${comment("pods stay here")} -j DROP`),
  ];
  const outputRules = [
    ...settings.subnets.map((subnet) => `-A ${output} -d ${subnet} -j RETURN`),
    `-A ${output} -m addrtype --dst-type LOCAL -j RETURN`,
    `-A ${output} -d ${SERVICE_CIDR} ${comment("no rule for this Service yet")} -j REJECT`,
    ...[SERVICE_CIDR, ...settings.subnets].map(
      (cidr) =>
        `-A ${output} -m conntrack --ctstate DNAT --ctorigdst ${cidr} ${comment("no Service off this machine")} -j REJECT`,
    ),
  ];
  return [
    "*mangle",
    `:${forward} - [0:0]`,
    `-I FORWARD 1 -j ${forward}`,
    ...forwardRules,
    "COMMIT",
    "*filter",
    `:${output} - [0:0]`,
    `-I OUTPUT 1 -j ${output}`,
    ...outputRules,
    "COMMIT",
    "",
  ].join("\n");
}
