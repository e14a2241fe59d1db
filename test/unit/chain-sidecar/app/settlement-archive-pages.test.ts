import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ARCHIVE_PAGE_SIZE, SettlementArchive } from "../../../../chain-sidecar/app/settlement-archive.js";
import { closedPodKey } from "../../../../chain-sidecar/modules/metering/metering-records.js";
import { encodeRecord } from "../../../../chain-sidecar/state/canonical-json.js";
import type { StateChange, StateReader } from "../../../../chain-sidecar/state/state-access.js";

const CONTRACT = "aa11";
const OTHER = "bb22";

/** Archives `count` pods of `contractId` as one block's deletions. */
function archivePods(archive: SettlementArchive, contractId: string, uids: string[]): void {
  const committed = new Map(
    uids.map((podUid) => [closedPodKey(podUid), encodeRecord({ contractId, podUid })]),
  );
  const reader = { get: (key: string) => committed.get(key) } as unknown as StateReader;
  const changes: StateChange[] = uids.map((uid) => [closedPodKey(uid), null]);
  const proof = () => [Uint8Array.of(0xc0)];
  expect(archive.keepDeleted(reader, changes, 7, new Uint8Array(32), proof)).to.equal(uids.length);
}

describe("settlement archive: a contract's archived settlements, page by page", () => {
  let dir: string;
  let archive: SettlementArchive;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "uranus-archive-"));
    archive = SettlementArchive.open(dir);
  });
  afterEach(async () => {
    await archive.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`lists ${ARCHIVE_PAGE_SIZE} a page in pod UID order, continues after each page's last UID, and ends with next null`, () => {
    const uids = Array.from(
      { length: 2 * ARCHIVE_PAGE_SIZE + 37 },
      (_, i) => `pod-${String(i).padStart(4, "0")}`,
    );
    archivePods(archive, CONTRACT, [...uids].reverse());
    archivePods(archive, OTHER, ["pod-other"]);
    const seen: string[] = [];
    let path = `/archive/settlements/contract/${CONTRACT}`;
    const sizes: number[] = [];
    for (;;) {
      const page = archive.answer(path)!;
      const listed = page.settlements.map((s) => (s as { podUid: string }).podUid);
      sizes.push(listed.length);
      seen.push(...listed);
      if (page.next === null) break;
      expect(page.next).to.equal(listed.at(-1));
      path = `/archive/settlements/contract/${CONTRACT}/after/${page.next}`;
    }
    expect(sizes).to.deep.equal([ARCHIVE_PAGE_SIZE, ARCHIVE_PAGE_SIZE, 37]);
    expect(seen).to.deep.equal(uids);
  });

  it("a page that exactly fills says there is no next; an unknown contract lists nothing; a malformed cursor is not an archive path", () => {
    archivePods(
      archive,
      CONTRACT,
      Array.from({ length: ARCHIVE_PAGE_SIZE }, (_, i) => `pod-${i}`),
    );
    expect(archive.answer(`/archive/settlements/contract/${CONTRACT}`)!.next).to.equal(null);
    expect(archive.answer(`/archive/settlements/contract/${OTHER}`)).to.deep.equal({
      settlements: [],
      next: null,
    });
    expect(archive.answer(`/archive/settlements/contract/${CONTRACT}/after/a/b`)).to.equal(undefined);
  });
});
