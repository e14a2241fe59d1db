import { expect } from "chai";
import { parse } from "yaml";
import {
  cniConflist,
  containerdConfigToml,
  kubeletConfigYaml,
  nodePaths,
} from "../../../local-cluster/real-node/node-config.js";
import { appearedTables, iptablesUndoScript } from "../../../local-cluster/real-node/host-state.js";

describe("a real node's configuration and the undo of its host changes", () => {
  const paths = nodePaths("/tmp/cp/real-nodes/real-node-0");

  it("confines containerd to the node's directory, with the CRI settings this machine needs", () => {
    const toml = containerdConfigToml(paths, "uranus.local/pause:latest");
    expect(toml).to.include('root = "/tmp/cp/real-nodes/real-node-0/containerd/root"');
    expect(toml).to.include('sandbox_image = "uranus.local/pause:latest"');
    expect(toml).to.include("restrict_oom_score_adj = true");
    expect(toml).to.include("SystemdCgroup = false");
    expect(toml).to.include("netns_mounts_under_state_dir = true");
    expect(toml).to.include('"io.containerd.internal.v1.opt"');
  });

  it("keeps pods on a host-only bridge: no masquerade, no default route, Services and pods through the bridge", () => {
    const network = { bridge: "uranus-abc123", subnet: "10.247.3.0/24", gateway: "10.247.3.1" };
    const conflist = JSON.parse(cniConflist(network, "/x/ipam")) as {
      plugins: {
        ipMasq: boolean;
        isGateway: boolean;
        isDefaultGateway: boolean;
        hairpinMode: boolean;
        ipam: { routes: { dst: string; gw: string }[]; dataDir: string };
      }[];
    };
    const [bridge] = conflist.plugins;
    expect(bridge).to.include({
      ipMasq: false,
      isGateway: false,
      isDefaultGateway: false,
      hairpinMode: true,
    });
    expect(bridge!.ipam.routes).to.deep.equal([
      { dst: "10.96.0.0/16", gw: "10.247.3.1" },
      { dst: "10.247.0.0/16", gw: "10.247.3.1" },
    ]);
    expect(bridge!.ipam.dataDir).to.equal("/x/ipam");
  });

  it("runs the kubelet with cgroupfs under its own cgroup root, without iptables or anonymous access", () => {
    const config = parse(
      kubeletConfigYaml(paths, {
        address: "10.247.0.1",
        port: 40001,
        healthzPort: 40002,
        clientCaFile: "/ca.crt",
        cgroupRoot: "/uranus-abc123",
        clusterDns: "10.247.0.1",
      }),
    ) as Record<string, unknown>;
    expect(config).to.include({
      cgroupDriver: "cgroupfs",
      cgroupRoot: "/uranus-abc123",
      failSwapOn: false,
      failCgroupV1: false,
      makeIPTablesUtilChains: false,
      readOnlyPort: 0,
      address: "10.247.0.1",
      clusterDomain: "cluster.local",
    });
    expect(config.clusterDNS).to.deep.equal(["10.247.0.1"]);
    expect(config.authentication).to.deep.include({ anonymous: { enabled: false } });
  });

  it("deletes exactly the rules and chains added since the snapshot", () => {
    const before = [
      "*filter",
      ":INPUT ACCEPT [0:0]",
      ":OUTPUT ACCEPT [0:0]",
      "-A INPUT -j MINE",
      "COMMIT",
    ].join("\n");
    const after = [
      "*filter",
      ":INPUT ACCEPT [0:0]",
      ":OUTPUT ACCEPT [0:0]",
      ":KUBE-FIREWALL - [0:0]",
      "-A INPUT -j MINE",
      "-A INPUT -j KUBE-FIREWALL",
      '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -j DROP',
      "COMMIT",
      "*nat",
      ":POSTROUTING ACCEPT [0:0]",
      "COMMIT",
    ].join("\n");
    expect(iptablesUndoScript(before, after).split("\n")).to.deep.equal([
      "*filter",
      '-D KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -j DROP',
      "-D INPUT -j KUBE-FIREWALL",
      "-F KUBE-FIREWALL",
      "-X KUBE-FIREWALL",
      "COMMIT",
      "",
    ]);
    expect(iptablesUndoScript(after, after)).to.equal("");
    expect(appearedTables(before, after)).to.deep.equal(["nat"]);
    expect(appearedTables(after, after)).to.deep.equal([]);
  });
});
