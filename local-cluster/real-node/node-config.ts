// The configuration files of one real node: containerd's, its CNI network's and the kubelet's, as pure functions.
import { join } from "node:path";
import { stringify } from "yaml";
import { CLUSTER_DOMAIN, POD_CIDR, SERVICE_CIDR } from "./cluster-network.js";

export interface NodePaths {
  /** The node's own directory; everything the node writes lives under it. */
  dir: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  runcRoot: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletRoot: string;
  kubeletCertDir: string;
  podLogs: string;
  logs: string;
  images: string;
  pki: string;
}

export function nodePaths(dir: string): NodePaths {
  return {
    dir,
    containerdRoot: join(dir, "containerd", "root"),
    containerdState: join(dir, "containerd", "state"),
    containerdSocket: join(dir, "containerd", "containerd.sock"),
    runcRoot: join(dir, "containerd", "runc"),
    cniConfDir: join(dir, "cni", "net.d"),
    cniIpamDir: join(dir, "cni", "ipam"),
    kubeletRoot: join(dir, "kubelet"),
    kubeletCertDir: join(dir, "kubelet-pki"),
    podLogs: join(dir, "pod-logs"),
    logs: join(dir, "logs"),
    images: join(dir, "images"),
    pki: join(dir, "pki"),
  };
}

/** Debian's containerd 1.6 (config version 2) with its CRI plugin, confined to the node's directory. */
export function containerdConfigToml(paths: NodePaths, sandboxImage: string): string {
  const cri = '[plugins."io.containerd.grpc.v1.cri"]';
  return [
    "version = 2",
    `root = ${JSON.stringify(paths.containerdRoot)}`,
    `state = ${JSON.stringify(paths.containerdState)}`,
    // The opt plugin would create /opt/containerd; the other snapshotters are unused here.
    `disabled_plugins = ${JSON.stringify([
      "io.containerd.internal.v1.opt",
      "io.containerd.snapshotter.v1.aufs",
      "io.containerd.snapshotter.v1.btrfs",
      "io.containerd.snapshotter.v1.devmapper",
      "io.containerd.snapshotter.v1.zfs",
      "io.containerd.tracing.processor.v1.otlp",
    ])}`,
    "[grpc]",
    `  address = ${JSON.stringify(paths.containerdSocket)}`,
    cri,
    `  sandbox_image = ${JSON.stringify(sandboxImage)}`,
    // Without CAP_SYS_RESOURCE a negative oom_score_adj kills runc init; this clamps it to our own.
    "  restrict_oom_score_adj = true",
    "  netns_mounts_under_state_dir = true",
    // Loading an AppArmor profile would change the host; pods here ask for seccomp only.
    "  disable_apparmor = true",
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    `${cri.slice(0, -1)}.containerd]`,
    '  snapshotter = "overlayfs"',
    '  default_runtime_name = "runc"',
    `${cri.slice(0, -1)}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    `${cri.slice(0, -1)}.containerd.runtimes.runc.options]`,
    "  SystemdCgroup = false",
    `  Root = ${JSON.stringify(paths.runcRoot)}`,
    `${cri.slice(0, -1)}.cni]`,
    '  bin_dir = "/usr/lib/cni"',
    `  conf_dir = ${JSON.stringify(paths.cniConfDir)}`,
    "  max_conf_num = 1",
    "",
  ].join("\n");
}

export interface PodNetwork {
  bridge: string;
  /** e.g. 10.247.0.0/24; the bridge holds .1, pods get .2 and up. */
  subnet: string;
  gateway: string;
}

/**
 * A bridge that only this machine sees: the bridge already holds the gateway address (we add it, since the kubelet
 * serves on it), so the plugin neither sets a gateway nor turns on forwarding nor masquerades; pods route only
 * Services and the other real nodes' pods through the bridge, and have no default route.
 */
export function cniConflist(network: PodNetwork, ipamDataDir: string): string {
  return JSON.stringify(
    {
      cniVersion: "0.4.0",
      name: network.bridge,
      plugins: [
        {
          type: "bridge",
          bridge: network.bridge,
          isGateway: false,
          isDefaultGateway: false,
          ipMasq: false,
          // A pod reaching itself through its Service comes back through its own bridge port.
          hairpinMode: true,
          ipam: {
            type: "host-local",
            dataDir: ipamDataDir,
            ranges: [[{ subnet: network.subnet, gateway: network.gateway }]],
            routes: [SERVICE_CIDR, POD_CIDR].map((dst) => ({ dst, gw: network.gateway })),
          },
        },
      ],
    },
    null,
    2,
  );
}

export interface KubeletSettings {
  address: string;
  port: number;
  healthzPort: number;
  clientCaFile: string;
  cgroupRoot: string;
  /** CoreDNS's address for this node's pods. */
  clusterDns: string;
}

/** KubeletConfiguration: cgroupfs under our own cgroup root, no iptables, no image GC, serving only on the bridge. */
export function kubeletConfigYaml(paths: NodePaths, settings: KubeletSettings): string {
  return stringify({
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: settings.address,
    port: settings.port,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: settings.healthzPort,
    // Only clients holding a certificate from the cluster CA (the apiserver) get in; they may do anything.
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: false },
      x509: { clientCAFile: settings.clientCaFile },
    },
    authorization: { mode: "AlwaysAllow" },
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    imageServiceEndpoint: `unix://${paths.containerdSocket}`,
    cgroupDriver: "cgroupfs",
    cgroupRoot: settings.cgroupRoot,
    cgroupsPerQOS: true,
    failSwapOn: false,
    failCgroupV1: false,
    // kube-proxy makes every chain it needs itself (since 1.28); the kubelet's would be more rules to undo.
    makeIPTablesUtilChains: false,
    // Without CAP_SYS_RESOURCE the kubelet cannot lower its own score; it would log an error every start.
    oomScoreAdj: 0,
    podLogsDir: paths.podLogs,
    // No registry to pull from again: never collect the imported images.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      "memory.available": "100Mi",
      "nodefs.available": "1%",
      "nodefs.inodesFree": "1%",
      "imagefs.available": "1%",
    },
    maxPods: 30,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    registerNode: true,
    nodeStatusUpdateFrequency: "5s",
    syncFrequency: "10s",
    resolvConf: "/etc/resolv.conf",
    clusterDNS: [settings.clusterDns],
    clusterDomain: CLUSTER_DOMAIN,
  });
}
