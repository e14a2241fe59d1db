// Least privilege by configuration: config/rbac grants what every operator needs, and only config/rbac-federation,
// which a member's overlay adds, what federating needs (namespaces, Secrets and ComputeContracts it creates).
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { parse } from "yaml";

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function grants(file: string): Set<string> {
  const role = parse(readFileSync(file, "utf8")) as { rules: Rule[] };
  return new Set(
    role.rules.flatMap((rule) =>
      rule.apiGroups.flatMap((group) =>
        rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${verb} ${group}/${resource}`)),
      ),
    ),
  );
}

const FEDERATING = [
  "create uranus.io/computecontracts",
  "delete uranus.io/computecontracts",
  "create /namespaces",
  "create networking.k8s.io/networkpolicies",
  "create /resourcequotas",
  "create discovery.k8s.io/endpointslices",
  "create /secrets",
];

describe("config: the operator's RBAC, with federation's apart", () => {
  const base = grants("config/rbac/role.yaml");
  const federation = grants("config/rbac-federation/role.yaml");

  it("grants what federating needs only in config/rbac-federation", () => {
    for (const grant of FEDERATING) {
      expect(base.has(grant), `config/rbac: ${grant}`).to.equal(false);
      expect(federation.has(grant), `config/rbac-federation: ${grant}`).to.equal(true);
    }
  });

  it("repeats nothing of config/rbac in config/rbac-federation", () => {
    expect([...federation].filter((grant) => base.has(grant))).to.deep.equal([]);
  });

  it("binds the federation role to the operator's ServiceAccount", () => {
    const binding = parse(readFileSync("config/rbac-federation/role_binding.yaml", "utf8")) as {
      roleRef: { name: string };
      subjects: { name: string; namespace: string }[];
    };
    expect(binding.roleRef.name).to.equal("uranus-operator-federation");
    expect(binding.subjects).to.deep.equal([
      { kind: "ServiceAccount", name: "uranus-operator", namespace: "uranus-system" },
    ]);
  });
});
