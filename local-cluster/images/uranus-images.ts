// The images real nodes run, each a static busybox and little else: the pod sandbox, a web server and a CPU burner.
import { readFileSync } from "node:fs";
import { buildImage, type BuiltImage, type ImageSpec, type LayerEntry } from "./oci-layout.js";

/** Debian's busybox-static: one binary with no shared libraries, so it runs alone in an image. */
export const STATIC_BUSYBOX = "/bin/busybox";
export const WEB_PORT = 8080;
export const WEB_PAGE = "<h1>uranus web</h1>\n";
/** The conventional "nonroot" uid of distroless images. */
export const NON_ROOT_UID = 65532;

export interface UranusImages {
  /** The pod sandbox (containerd's sandbox_image): sleeps until killed. */
  pause: BuiltImage;
  /** busybox httpd serving WEB_PAGE on WEB_PORT as NON_ROOT_UID. */
  web: BuiltImage;
  /** A shell loop that burns one CPU as NON_ROOT_UID. */
  burner: BuiltImage;
}

export function uranusImageSpecs(busybox: Buffer): Record<keyof UranusImages, ImageSpec> {
  const base: LayerEntry[] = [
    { path: "bin/", mode: 0o755 },
    { path: "bin/busybox", mode: 0o755, content: busybox },
  ];
  const nonRoot = `${NON_ROOT_UID}:${NON_ROOT_UID}`;
  return {
    pause: {
      repository: "uranus.local/pause",
      entries: base,
      entrypoint: ["/bin/busybox", "sleep", "2147483647"],
      user: "65535:65535",
    },
    web: {
      repository: "uranus.local/web",
      entries: [
        ...base,
        { path: "www/", mode: 0o755 },
        { path: "www/index.html", mode: 0o644, content: WEB_PAGE },
      ],
      entrypoint: ["/bin/busybox", "httpd", "-f", "-p", String(WEB_PORT), "-h", "/www"],
      user: nonRoot,
      exposedPorts: [WEB_PORT],
    },
    burner: {
      repository: "uranus.local/burner",
      entries: base,
      entrypoint: ["/bin/busybox", "sh", "-c", "while :; do :; done"],
      user: nonRoot,
    },
  };
}

export async function buildUranusImages(busyboxPath = STATIC_BUSYBOX): Promise<UranusImages> {
  const specs = uranusImageSpecs(readFileSync(busyboxPath));
  const [pause, web, burner] = await Promise.all([
    buildImage(specs.pause),
    buildImage(specs.web),
    buildImage(specs.burner),
  ]);
  return { pause, web, burner };
}
