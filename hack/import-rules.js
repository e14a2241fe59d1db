// Which top-level folder may import which: the one table the lint rule (eslint.config.js) and the architecture test
// (test/unit/architecture.test.ts) both enforce. Lower layers never import higher ones, so no two folders form a cycle.
// hack/ and test/ are not listed: nothing imports them, they may import anything, and neither ships in dist/.

/** @type {Readonly<Record<string, readonly string[]>>} */
export const ALLOWED_IMPORTS = {
  units: [],
  process: [],
  observability: [],
  "kube-runtime": ["observability"],
  crds: ["kube-runtime", "process"],
  "local-cluster": ["process"],
  "chain-sidecar": ["process", "observability"],
  "scheduler-extender": ["kube-runtime", "observability", "units", "crds", "chain-sidecar"],
  operator: ["kube-runtime", "observability", "units", "crds", "chain-sidecar", "process"],
  cli: [
    "operator",
    "scheduler-extender",
    "chain-sidecar",
    "crds",
    "kube-runtime",
    "observability",
    "units",
    "process",
    "local-cluster",
  ],
};

/** The folders whose code ships in dist/. */
export const SOURCE_FOLDERS = Object.keys(ALLOWED_IMPORTS);

/** The files a folder offers to the others (a regular expression over paths inside it); its other files are internal. */
export const PUBLIC_ENTRIES = {
  "chain-sidecar": "(client/[^/]+|tx/tx-types|modules/[^/]+/[^/]+-types)\\.js",
};

/** Folders that wire the parts together (like a Cosmos app.go): they may reach past a folder's public entries. */
export const COMPOSITION_ROOTS = ["cli"];
