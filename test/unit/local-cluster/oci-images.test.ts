import { existsSync } from "node:fs";
import { Readable } from "node:stream";
import { expect } from "chai";
import { extract } from "tar-stream";
import { buildImage, digestOf } from "../../../local-cluster/images/oci-layout.js";
import {
  buildUranusImages,
  STATIC_BUSYBOX,
  uranusImageSpecs,
} from "../../../local-cluster/images/uranus-images.js";

interface Entry {
  name: string;
  mode: number;
  mtime: number;
  uid: number;
  content: Buffer;
}

async function entriesOf(archive: Buffer): Promise<Entry[]> {
  const entries: Entry[] = [];
  const reader = extract();
  Readable.from([archive]).pipe(reader);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const { name, mode, mtime, uid } = entry.header;
    entries.push({ name, mode, mtime: mtime.getTime(), uid, content: Buffer.concat(chunks) });
  }
  return entries;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

describe("OCI images for real nodes: deterministic one-layer layouts that ctr imports", () => {
  const fakeBusybox = Buffer.from("#!not really busybox\n");

  it("builds the same bytes, hence the same digest, every time", async () => {
    const spec = uranusImageSpecs(fakeBusybox).web;
    const [first, second] = [await buildImage(spec, "amd64"), await buildImage(spec, "amd64")];
    expect(first.archive.equals(second.archive)).to.equal(true);
    expect(first.reference).to.equal(second.reference);
    expect(first.reference).to.match(/^uranus\.local\/web@sha256:[0-9a-f]{64}$/);
    const changed = await buildImage(uranusImageSpecs(Buffer.from("other")).web, "amd64");
    expect(changed.manifestDigest).to.not.equal(first.manifestDigest);
  });

  it("holds an index naming the image, a manifest, a config and a layer, each under its own digest", async () => {
    const image = await buildImage(uranusImageSpecs(fakeBusybox).web, "amd64");
    const files = new Map((await entriesOf(image.archive)).map((e) => [e.name, e]));
    expect(JSON.parse(files.get("oci-layout")!.content.toString())).to.deep.equal({
      imageLayoutVersion: "1.0.0",
    });
    const blob = (d: Descriptor): Buffer => {
      const found = files.get(`blobs/sha256/${d.digest.slice(7)}`);
      expect(found, d.digest).to.not.equal(undefined);
      expect(digestOf(found!.content)).to.equal(d.digest);
      expect(found!.content.length).to.equal(d.size);
      return found!.content;
    };
    const index = JSON.parse(files.get("index.json")!.content.toString()) as { manifests: Descriptor[] };
    expect(index.manifests).to.have.length(1);
    const [top] = index.manifests;
    expect(top!.annotations?.["io.containerd.image.name"]).to.equal("uranus.local/web:latest");
    expect(top!.digest).to.equal(image.manifestDigest);
    const manifest = JSON.parse(blob(top!).toString()) as { config: Descriptor; layers: Descriptor[] };
    const config = JSON.parse(blob(manifest.config).toString()) as {
      architecture: string;
      config: { User: string; Entrypoint: string[] };
      rootfs: { diff_ids: string[] };
    };
    expect(config.architecture).to.equal("amd64");
    expect(config.config.User).to.equal("65532:65532");
    expect(config.config.Entrypoint[0]).to.equal("/bin/busybox");
    expect(manifest.layers).to.have.length(1);
    const layer = blob(manifest.layers[0]!);
    expect(config.rootfs.diff_ids).to.deep.equal([digestOf(layer)]);
    const layerEntries = await entriesOf(layer);
    expect(layerEntries.map((e) => e.name)).to.deep.equal(["bin/", "bin/busybox", "www/", "www/index.html"]);
    expect(layerEntries.every((e) => e.mtime === 0 && e.uid === 0)).to.equal(true);
    expect(layerEntries[1]!.content.equals(fakeBusybox)).to.equal(true);
    expect(layerEntries[1]!.mode & 0o777).to.equal(0o755);
  });

  it("builds pause, web and burner from the machine's static busybox", async () => {
    expect(existsSync(STATIC_BUSYBOX), "busybox-static (bash hack/install-binaries.sh)").to.equal(true);
    const images = await buildUranusImages();
    expect([images.pause, images.web, images.burner].map((i) => i.name)).to.deep.equal([
      "uranus.local/pause:latest",
      "uranus.local/web:latest",
      "uranus.local/burner:latest",
    ]);
    expect((await buildUranusImages()).web.reference).to.equal(images.web.reference);
  });
});
