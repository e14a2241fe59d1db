import { expect } from "chai";
import { Wallet } from "ethers";
import { openEnv, sealEnv } from "../../../../operator/federation/sealed-env.js";
import type { Contract } from "../../../../chain-sidecar/modules/market/market-types.js";
import type { Order } from "../../../../chain-sidecar/modules/federation/federation-types.js";
import { parseWorkload } from "../../../../chain-sidecar/modules/federation/federation-types.js";
import type { PowerContainerSpec } from "../../../../crds/types.js";
import {
  homeNamespace,
  ORDER_EPOCH_ANNOTATION,
  ORDER_LABEL,
  orderCopy,
  workloadJson,
  workloadOf,
} from "../../../../operator/federation/order-workload.js";

const spec: PowerContainerSpec = {
  image: "registry.example/web:1.0",
  command: ["httpd"],
  args: ["-f", "-p", "8080"],
  ports: [{ containerPort: 8080 }],
  env: [
    { name: "MODE", value: "public" },
    { name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
  ],
  size: { scu: 2 },
  imagePullSecrets: [{ name: "pull" }],
};

describe("operator federation: a workload on chain and the copy made from it", () => {
  it("publishes only what may travel: of env from Secrets only the names, no pull secrets; the chain accepts it", () => {
    const workload = workloadOf(spec);
    expect(workload).to.deep.equal({
      args: ["-f", "-p", "8080"],
      command: ["httpd"],
      env: [{ name: "MODE", value: "public" }],
      image: "registry.example/web:1.0",
      ports: [{ name: "tcp-8080", port: 8080, protocol: "TCP" }],
      sealedEnv: ["TOKEN"],
    });
    expect(workloadJson(spec)).to.not.contain("secretKeyRef").and.not.contain("pull");
    expect(parseWorkload(workloadJson(spec), "workload")).to.deep.equal(workload);
  });

  it("names a home cluster's namespace within a DNS label, distinct for long ids", () => {
    expect(homeNamespace("home")).to.equal("uranus-from-home");
    const long = homeNamespace("a".repeat(63));
    expect(long.length).to.be.at.most(63);
    expect(long).to.not.equal(homeNamespace(`${"a".repeat(62)}b`));
  });

  it("makes the copy adopt the escrow with the chain's terms, labelled with the order and its epoch", () => {
    const contract = {
      id: "0123456789abcdef0123",
      scuPerReplica: 2,
      replicas: 3,
      maxPricePerScuHour: 7n,
      deposited: 1000n,
      recoverWithinSeconds: 30,
      maxMigrations: 4,
      regions: ["eu-west"],
      minPoc: 0n,
      spread: true,
    } as unknown as Contract;
    const order = { homeCluster: "home", epoch: 2, isolation: "" } as unknown as Order;
    const copy = orderCopy(order, contract, workloadOf(spec));
    expect(copy.metadata.namespace).to.equal("uranus-from-home");
    expect(copy.metadata.labels![ORDER_LABEL]).to.equal(contract.id);
    expect(copy.metadata.annotations![ORDER_EPOCH_ANNOTATION]).to.equal("2");
    expect(copy.spec.payer).to.deep.equal({ escrowContractId: contract.id });
    expect(copy.spec.replicas).to.equal(3);
    expect(copy.spec.maxPricePerSCUHour).to.equal("7");
    expect(copy.spec.sla).to.deep.equal({ recoverWithin: "30s", maxMigrations: 4 });
    expect(copy.spec.placement).to.deep.equal({ regions: ["eu-west"] });
    expect(copy.spec.template.spec).to.deep.include({
      image: spec.image,
      size: { scu: 2 },
      contributorSpread: "required",
      env: [
        { name: "MODE", value: "public" },
        { name: "TOKEN", valueFrom: { secretKeyRef: { name: `order-${contract.id}-env`, key: "TOKEN" } } },
      ],
    });
    expect(copy.spec.template.spec.ports).to.deep.equal([
      { name: "tcp-8080", containerPort: 8080, protocol: "TCP" },
    ]);
  });

  it("seals env to one key: its holder opens it, any other key cannot", () => {
    const member = Wallet.createRandom();
    const stranger = Wallet.createRandom();
    const sealed = sealEnv({ TOKEN: "s3cret" }, member.signingKey.compressedPublicKey);
    expect(sealed).to.match(/^0x[0-9a-f]+$/);
    expect(sealed).to.not.contain(Buffer.from("s3cret").toString("hex"));
    expect(openEnv(sealed, member.privateKey)).to.deep.equal({ TOKEN: "s3cret" });
    expect(() => openEnv(sealed, stranger.privateKey)).to.throw();
  });

  it("refuses a sealed name that is also a plain variable, naming the path", () => {
    expect(() =>
      parseWorkload(JSON.stringify({ image: "i", env: [{ name: "A", value: "" }], sealedEnv: ["A"] }), "w"),
    ).to.throw(/w\.sealedEnv\[0\]/);
  });
});
