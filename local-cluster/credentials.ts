// The local control plane's credentials, made with openssl: bearer tokens for its components, the service-account
// key pair, and a cluster CA whose client certificates identify kubelets (system:node:<name>) and the apiserver to them.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { binaryPath } from "../process/binaries.js";

export interface Tokens {
  admin: string;
  controllerManager: string;
  scheduler: string;
  kwok: string;
}

export interface CertificateFiles {
  cert: string;
  key: string;
}

export function writeCredentials(dir: string): Tokens {
  const openssl = binaryPath("openssl");
  execFileSync(openssl, ["genrsa", "-out", join(dir, "sa.key"), "2048"], { stdio: "ignore" });
  execFileSync(openssl, ["rsa", "-in", join(dir, "sa.key"), "-pubout", "-out", join(dir, "sa.pub")], {
    stdio: "ignore",
  });
  const token = (): string => execFileSync(openssl, ["rand", "-hex", "24"]).toString().trim();
  const tokens: Tokens = { admin: token(), controllerManager: token(), scheduler: token(), kwok: token() };
  writeFileSync(
    join(dir, "tokens.csv"),
    [
      `${tokens.admin},uranus-admin,uranus-admin,"system:masters"`,
      `${tokens.controllerManager},system:kube-controller-manager,system:kube-controller-manager`,
      `${tokens.scheduler},system:kube-scheduler,system:kube-scheduler`,
      // kwok plays every kubelet at once, so it needs more than one node's identity.
      `${tokens.kwok},kwok,kwok,"system:masters"`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  return tokens;
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A self-signed CA in <pkiDir>/ca.crt and ca.key (EC keys: fast to make, and every Kubernetes part reads them). */
export function writeClusterCa(pkiDir: string): CertificateFiles {
  const files = { cert: join(pkiDir, "ca.crt"), key: join(pkiDir, "ca.key") };
  execFileSync(
    binaryPath("openssl"),
    ["req", "-x509", ...EC_KEY, "-keyout", files.key, "-out", files.cert, "-days", "3650"].concat([
      "-subj",
      "/CN=uranus-local-ca",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]),
    { stdio: "pipe" },
  );
  return files;
}

/** A client certificate signed by the CA: Kubernetes reads the user from CN and the groups from each O. */
export function issueClientCertificate(
  ca: CertificateFiles,
  outDir: string,
  fileName: string,
  commonName: string,
  organizations: string[] = [],
): CertificateFiles {
  const openssl = binaryPath("openssl");
  const files = { cert: join(outDir, `${fileName}.crt`), key: join(outDir, `${fileName}.key`) };
  const csr = join(outDir, `${fileName}.csr`);
  const extensions = join(outDir, `${fileName}.ext`);
  const subject = [...organizations.map((o) => `/O=${o}`), `/CN=${commonName}`].join("");
  execFileSync(openssl, ["req", "-new", ...EC_KEY, "-keyout", files.key, "-out", csr, "-subj", subject], {
    stdio: "pipe",
  });
  writeFileSync(extensions, "keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n");
  execFileSync(
    openssl,
    ["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-out", files.cert, "-days", "365"].concat(
      ["-set_serial", `0x${randomBytes(16).toString("hex")}`, "-extfile", extensions],
    ),
    { stdio: "pipe" },
  );
  return files;
}

export function kubeconfigYaml(
  server: string,
  ca: Buffer,
  user: string,
  credentials: { token: string } | { "client-certificate": string; "client-key": string },
): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "uranus", cluster: { server, "certificate-authority-data": ca.toString("base64") } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: "uranus", context: { cluster: "uranus", user } }],
    "current-context": "uranus",
  });
}
