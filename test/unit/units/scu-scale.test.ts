import { expect } from "chai";
import fc from "fast-check";
import { ScuScale, scuUnitFromChainParams } from "../../../units/scu-scale.js";

describe("SCU scale: node capacity, container size and reserved resources", () => {
  const scale = new ScuScale();

  it("gives a node its smallest ratio over cpu, memory and disk", () => {
    const resources = scale.nodeResources({ cpu: "16", memory: "64Gi", "ephemeral-storage": "100Gi" });
    expect(resources).to.deep.equal({
      cpuMillicores: 16_000n,
      memoryBytes: 64n * 2n ** 30n,
      storageBytes: 100n * 2n ** 30n,
    });
    // 16 by cpu, 32 by memory, 5 by disk: disk bounds it.
    expect(scale.capacity(resources)).to.equal(5);
  });

  it("ignores a disk the node does not report and rounds partial units down", () => {
    expect(scale.capacity(scale.nodeResources({ cpu: "3500m", memory: "9Gi" }))).to.equal(3);
    expect(scale.capacity(scale.nodeResources({ cpu: "500m", memory: "64Gi" }))).to.equal(0);
  });

  it("names the allocatable field a malformed quantity came from", () => {
    expect(() => scale.nodeResources({ cpu: "lots" })).to.throw(/allocatable cpu/);
  });

  it("sizes a container by its largest ratio, rounded up, or by scu as given", () => {
    expect(scale.containerScu({ scu: 7 })).to.equal(7);
    expect(scale.containerScu({ cpu: 2, memory: "4Gi", storage: "40Gi" })).to.equal(2);
    expect(scale.containerScu({ cpu: "500m", memory: "5Gi" })).to.equal(3);
    expect(scale.containerScu({ storage: "1Gi" })).to.equal(1);
  });

  it("reserves resources the way the apiserver writes them back", () => {
    expect(scale.resources(2)).to.deep.equal({ cpu: "2", memory: "4Gi", "ephemeral-storage": "40Gi" });
    const odd = new ScuScale(
      scuUnitFromChainParams({ scuCpuMillicores: 1500, scuMemoryBytes: 3 * 2 ** 20, scuStorageBytes: 1000 }),
    );
    expect(odd.resources(1)).to.deep.equal({ cpu: "1500m", memory: "3Mi", "ephemeral-storage": "1000" });
  });

  it("reads back exactly the SCU it reserved, for any size and unit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1024 }),
        fc.integer({ min: 100, max: 8000 }),
        fc.integer({ min: 2 ** 20, max: 2 ** 34 }),
        fc.integer({ min: 2 ** 20, max: 2 ** 36 }),
        (scu, cpu, memory, storage) => {
          const s = new ScuScale(
            scuUnitFromChainParams({
              scuCpuMillicores: cpu,
              scuMemoryBytes: memory,
              scuStorageBytes: storage,
            }),
          );
          const r = s.resources(scu);
          return s.containerScu({ cpu: r.cpu, memory: r.memory, storage: r["ephemeral-storage"] }) === scu;
        },
      ),
    );
  });
});
