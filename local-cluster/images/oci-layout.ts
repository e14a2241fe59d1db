// Builds one-layer OCI image layouts for `ctr images import`, byte for byte the same on every build, so an image's
// digest names its contents (no registry here: real nodes get their images from these archives).
import { createHash } from "node:crypto";
import { pack } from "tar-stream";

export interface LayerEntry {
  /** Path inside the image, without a leading slash; a trailing slash makes a directory. */
  path: string;
  mode: number;
  content?: Buffer | string;
}

export interface ImageSpec {
  /** Repository, e.g. uranus.local/web; the image is tagged :latest. */
  repository: string;
  entries: LayerEntry[];
  entrypoint: string[];
  /** Numeric uid:gid, so the kubelet can check runAsNonRoot without an /etc/passwd. */
  user: string;
  exposedPorts?: number[];
}

export interface BuiltImage {
  repository: string;
  /** repository:latest, the name containerd stores it under. */
  name: string;
  manifestDigest: string;
  /** repository@sha256:…, what pods ask for (pulled only if not present, which it always is). */
  reference: string;
  /** The OCI layout as a tar archive, for `ctr images import`. */
  archive: Buffer;
}

const EPOCH = new Date(0);
const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
const LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";

export function ociArchitecture(arch: string = process.arch): string {
  const names: Record<string, string> = {
    x64: "amd64",
    arm64: "arm64",
    arm: "arm",
    ppc64: "ppc64le",
    s390x: "s390x",
  };
  const name = names[arch];
  if (name === undefined) throw new Error(`no OCI architecture for Node's ${arch}`);
  return name;
}

export async function buildImage(spec: ImageSpec, architecture = ociArchitecture()): Promise<BuiltImage> {
  const layer = await tarOf(spec.entries);
  const config = json({
    architecture,
    os: "linux",
    config: {
      User: spec.user,
      Entrypoint: spec.entrypoint,
      Env: ["PATH=/bin"],
      WorkingDir: "/",
      ...(spec.exposedPorts === undefined
        ? {}
        : { ExposedPorts: Object.fromEntries(spec.exposedPorts.map((port) => [`${port}/tcp`, {}])) }),
    },
    rootfs: { type: "layers", diff_ids: [digestOf(layer)] },
  });
  const manifest = json({
    schemaVersion: 2,
    mediaType: MANIFEST_TYPE,
    config: descriptor(CONFIG_TYPE, config),
    layers: [descriptor(LAYER_TYPE, layer)],
  });
  const name = `${spec.repository}:latest`;
  const index = json({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      {
        ...descriptor(MANIFEST_TYPE, manifest),
        platform: { architecture, os: "linux" },
        annotations: { "io.containerd.image.name": name, "org.opencontainers.image.ref.name": "latest" },
      },
    ],
  });
  const blob = (content: Buffer): LayerEntry => ({
    path: `blobs/sha256/${digestOf(content).slice("sha256:".length)}`,
    mode: 0o644,
    content,
  });
  const archive = await tarOf([
    { path: "blobs/", mode: 0o755 },
    { path: "blobs/sha256/", mode: 0o755 },
    blob(layer),
    blob(config),
    blob(manifest),
    { path: "index.json", mode: 0o644, content: index },
    { path: "oci-layout", mode: 0o644, content: json({ imageLayoutVersion: "1.0.0" }) },
  ]);
  const manifestDigest = digestOf(manifest);
  return {
    repository: spec.repository,
    name,
    manifestDigest,
    reference: `${spec.repository}@${manifestDigest}`,
    archive,
  };
}

export function digestOf(content: Buffer): string {
  return `sha256:${createHash("sha256").update(content).digest("hex")}`;
}

function descriptor(mediaType: string, content: Buffer): { mediaType: string; digest: string; size: number } {
  return { mediaType, digest: digestOf(content), size: content.length };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A tar of the entries sorted by path, owned by root, every mtime the epoch. */
async function tarOf(entries: LayerEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on("data", (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    archive.on("end", resolve);
    archive.on("error", reject);
  });
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of sorted) {
    const header = { name: entry.path, mode: entry.mode, mtime: EPOCH, uid: 0, gid: 0 };
    if (entry.path.endsWith("/")) archive.entry({ ...header, type: "directory" });
    else archive.entry({ ...header, type: "file" }, entry.content ?? "");
  }
  archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}
