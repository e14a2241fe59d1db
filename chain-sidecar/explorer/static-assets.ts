// The explorer's static files, read once at start: bytes, content type, ETag and cache policy per URL path.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export interface StaticAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** A strong validator: the quoted sha256 of the body. */
  readonly etag: string;
  readonly cacheControl: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** Our own files keep their names across versions, so browsers revalidate them (cheap with the ETag). */
const REVALIDATE = "no-cache";
/** The vendored library changes only with an npm upgrade. */
const VENDOR_CACHE = "public, max-age=86400";

export const STATIC_DIR = fileURLToPath(new URL("./static/", import.meta.url));

function asset(body: Buffer, contentType: string, cacheControl: string): StaticAsset {
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  return { body, contentType, etag, cacheControl };
}

/** ethers' browser ES module build, which the page uses to decode and verify transactions like the chain does. */
export function ethersBrowserBuild(): string {
  const entry = createRequire(import.meta.url).resolve("ethers");
  let dir = dirname(entry);
  while (dir !== dirname(dir)) {
    const candidate = join(dir, "dist", "ethers.min.js");
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile() === true) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`cannot find ethers' dist/ethers.min.js above ${entry}`);
}

/**
 * Every file of `dir` whose type is known, under `/<name>`, plus `/` for index.html, `/vendor/ethers.min.js`
 * and generated JSON documents. Only these exact paths are served, so no request can reach another file.
 */
export function loadStaticAssets(
  dir: string = STATIC_DIR,
  generated: Readonly<Record<string, unknown>> = {},
): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const type = CONTENT_TYPES[extname(name)];
    if (type === undefined || !statSync(path).isFile()) continue;
    assets.set(`/${name}`, asset(readFileSync(path), type, REVALIDATE));
  }
  const index = assets.get("/index.html");
  if (index === undefined) throw new Error(`explorer assets in ${dir} have no index.html`);
  assets.set("/", index);
  assets.set(
    "/vendor/ethers.min.js",
    asset(readFileSync(ethersBrowserBuild()), CONTENT_TYPES[".js"]!, VENDOR_CACHE),
  );
  for (const [path, value] of Object.entries(generated)) {
    assets.set(path, asset(Buffer.from(JSON.stringify(value)), CONTENT_TYPES[".json"]!, REVALIDATE));
  }
  return assets;
}
