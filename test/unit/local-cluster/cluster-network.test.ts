import { expect } from "chai";
import { parse } from "yaml";
import {
  confineScript,
  corednsRbac,
  corefile,
  kubeProxyConfigYaml,
} from "../../../local-cluster/real-node/cluster-network.js";

describe("the real nodes' Service network: kube-proxy, CoreDNS and the rules that keep it on this machine", () => {
  it("runs kube-proxy in iptables mode changing no host tunable, NodePorts only on the bridges", () => {
    const config = parse(
      kubeProxyConfigYaml({
        kubeconfig: "/x/kube-proxy.kubeconfig",
        nodeName: "real-node-0",
        nodeIp: "10.247.0.1",
        healthzPort: 41001,
        metricsPort: 41002,
        nodePortCidrs: ["10.247.0.0/24"],
        masqueradeAll: false,
      }),
    ) as Record<string, unknown>;
    expect(config).to.include({
      kind: "KubeProxyConfiguration",
      mode: "iptables",
      clusterCIDR: "10.247.0.0/16",
      hostnameOverride: "real-node-0",
      bindAddress: "10.247.0.1",
      healthzBindAddress: "127.0.0.1:41001",
      metricsBindAddress: "127.0.0.1:41002",
    });
    expect(config.nodePortAddresses).to.deep.equal(["10.247.0.0/24"]);
    expect(config.conntrack).to.deep.equal({
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: "0s",
      tcpCloseWaitTimeout: "0s",
    });
    expect(config.iptables).to.include({ masqueradeAll: false, localhostNodePorts: false });
  });

  it("answers cluster names only, on the bridges, reading the apiserver as system:coredns", () => {
    const text = corefile({
      kubeconfig: "/x/coredns.kubeconfig",
      listen: ["10.247.0.1", "10.247.1.1"],
      healthPort: 41003,
      readyPort: 41004,
    });
    expect(text.split("\n")[0]).to.equal("cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {");
    expect(text).to.include("bind 10.247.0.1 10.247.1.1");
    expect(text).to.include("health 127.0.0.1:41003");
    expect(text).to.include("kubeconfig /x/coredns.kubeconfig uranus");
    expect(text).to.not.match(/forward|\.:53/);
    expect(corednsRbac().binding.subjects?.[0]?.name).to.equal("system:coredns");
  });

  it("forwards only among the bridges and refuses Service connections from here that would leave them", () => {
    const script = confineScript({
      id: "abc123",
      bridges: ["uranus-a", "uranus-b"],
      subnets: ["10.247.0.0/24", "10.247.1.0/24"],
    }).split("\n");
    expect(script).to.include("-I FORWARD 1 -j URANUS-FWD-abc123");
    expect(script).to.include("-A URANUS-FWD-abc123 -i uranus-a -o uranus-b -j RETURN");
    expect(
      script.filter((line) => line.startsWith("-A URANUS-FWD-abc123") && line.endsWith("DROP")),
    ).to.have.length(4);
    expect(script).to.include("-I OUTPUT 1 -j URANUS-OUT-abc123");
    expect(script).to.include("-A URANUS-OUT-abc123 -d 10.247.1.0/24 -j RETURN");
    expect(script).to.include("-A URANUS-OUT-abc123 -m addrtype --dst-type LOCAL -j RETURN");
    expect(
      script
        .filter((line) => /--ctstate DNAT --ctorigdst \S+ .*-j REJECT$/.test(line))
        .map((l) => l.split(" ")[7]),
    ).to.deep.equal(["10.96.0.0/16", "10.247.0.0/24", "10.247.1.0/24"]);
    expect(script).to.include(
      '-A URANUS-OUT-abc123 -d 10.96.0.0/16 -m comment --comment "uranus: no rule for this Service yet" -j REJECT',
    );
    expect(script.join("\n")).to.not.match(/MASQUERADE|SNAT|ACCEPT/);
  });
});
