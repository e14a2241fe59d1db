import { expect } from "chai";
import type { ChainReader } from "../../../../operator/chain/chain-reader.js";
import { JailedOwners } from "../../../../operator/contributor-node/jailed-owners.js";
import { silentLogger } from "../../../../observability/logger.js";

/** A chain whose jailed-validator reads answer only when the test says so, in any order. */
function pendingReads() {
  const reads: { answer: (owners: string[]) => void }[] = [];
  const reader = {
    jailedValidators: () =>
      new Promise<Set<string>>((resolve) => {
        reads.push({ answer: (owners) => resolve(new Set(owners)) });
      }),
  } as unknown as ChainReader;
  return { reads, owners: new JailedOwners(reader, 60_000, silentLogger()) };
}

describe("operator: jailed contributor owners", () => {
  it("shares one read among questions asked together, and answers from it until forgotten", async () => {
    const { reads, owners } = pendingReads();
    const both = Promise.all([owners.isJailed("0xAA"), owners.isJailed("0xbb")]);
    expect(reads).to.have.length(1);
    reads[0]!.answer(["0xaa"]);
    expect(await both).to.deep.equal([true, false]);
    expect(await owners.isJailed("0xaa")).to.equal(true);
    expect(reads, "no second read within the interval").to.have.length(1);
  });

  it("a question asked after forget() is not answered by a read begun before it", async () => {
    const { reads, owners } = pendingReads();
    const before = owners.isJailed("0xaa");
    owners.forget();
    const after = owners.isJailed("0xaa");
    expect(reads, "the jailing starts a read of its own").to.have.length(2);
    reads[1]!.answer(["0xaa"]);
    expect(await after).to.equal(true);
    reads[0]!.answer([]);
    await before;
    expect(
      await owners.isJailed("0xaa"),
      "the older read, finishing last, does not undo the jailing",
    ).to.equal(true);
    expect(reads).to.have.length(2);
  });
});
