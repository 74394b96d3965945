import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toHex, zeroHash, type Address } from "viem";
import { compareExport } from "../../server/audit/compareExport";
import { HistoryAction, nextHead, type HistoryRecord } from "../../server/audit/historyChain";
import { verifyHistory } from "../../server/audit/verify";
import { parseExport, toCsv, toExportRecord } from "../../server/audit/exportFormat";

const CONTROLLER = "0x00000000000000000000000000000000000000c0" as Address;
const subject = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address;

/** A synthetic, internally consistent history (unique times, so every record's content is distinct). */
function history(actions: number[]): HistoryRecord[] {
  let head = zeroHash as `0x${string}`;
  return actions.map((a, i) => {
    const action = (a % 3) + 1;
    const grant = action === HistoryAction.Grant;
    const r: HistoryRecord = {
      action,
      controller: CONTROLLER,
      subject: subject(a % 5),
      purpose: action === HistoryAction.RevokeAll ? zeroHash : keccak256(toHex(a % 4)),
      categories: grant ? BigInt(1 + (a % 60)) : 0n,
      expiresAt: grant && a % 2 ? 1_800_000_000 + a : 0,
      noticeHash: grant ? keccak256(toHex(`n${a % 4}`)) : zeroHash,
      actor: subject(a % 5),
      timestamp: 1_700_000_000 + i * 13,
      seq: BigInt(i + 1),
      head: zeroHash,
    };
    head = nextHead(head, r);
    r.head = head;
    return r;
  });
}

const arbHistory = fc.array(fc.nat({ max: 1000 }), { minLength: 2, maxLength: 60 }).map(history);
const brief = (ds: ReturnType<typeof compareExport>) => ds.map((d) => ({ kind: d.kind, position: d.position, ...("seq" in d ? { seq: d.seq } : {}) }));

describe("audit: locating differences between an export and the chain (properties)", () => {
  it("an honest export has no differences and verifies", () => {
    fc.assert(
      fc.property(arbHistory, (chain) => {
        expect(compareExport(chain, chain)).to.deep.equal([]);
        const v = verifyHistory(chain, { head: chain[chain.length - 1].head, length: BigInt(chain.length) });
        expect([v.verified, v.firstBrokenPosition]).to.deep.equal([true, null]);
      }),
    );
  });

  it("an omitted record is reported at its position with its seq, and the export no longer verifies", () => {
    fc.assert(
      fc.property(arbHistory, fc.nat(), (chain, k) => {
        const i = k % chain.length;
        const exported = chain.filter((_, j) => j !== i);
        expect(brief(compareExport(chain, exported))).to.deep.equal([{ kind: "omitted", position: i + 1, seq: i + 1 }]);
        expect(verifyHistory(exported, { head: chain[chain.length - 1].head, length: BigInt(chain.length) }).verified).to.equal(false);
      }),
    );
  });

  it("an altered field is reported at its position, naming the field and both values", () => {
    fc.assert(
      fc.property(arbHistory, fc.nat(), fc.constantFrom("timestamp", "subject", "categories"), (chain, k, field) => {
        const i = k % chain.length;
        const r = chain[i];
        const changed =
          field === "timestamp" ? { timestamp: r.timestamp + 1 } : field === "subject" ? { subject: subject(99) } : { categories: r.categories + 1000n };
        const exported = chain.map((x, j) => (j === i ? { ...x, ...changed } : x));
        const found = compareExport(chain, exported);
        expect(brief(found)).to.deep.equal([{ kind: "altered", position: i + 1, seq: i + 1 }]);
        const d = found[0] as Extract<(typeof found)[number], { kind: "altered" }>;
        expect(d.fields.map((f) => f.field)).to.deep.equal([field]);
        expect(d.fields[0].chain).to.equal(String(field === "subject" ? r.subject.toLowerCase() : r[field as "timestamp" | "categories"]));
      }),
    );
  });

  it("two swapped neighbours are reported as one moved record at the first of the two positions", () => {
    fc.assert(
      fc.property(arbHistory, fc.nat(), (chain, k) => {
        const i = k % (chain.length - 1);
        const exported = [...chain];
        [exported[i], exported[i + 1]] = [exported[i + 1], exported[i]];
        expect(compareExport(chain, exported)).to.deep.equal([{ kind: "moved", position: i + 1, seq: i + 2, expectedPosition: i + 2 }]);
      }),
    );
  });

  it("an inserted record is reported at its position", () => {
    fc.assert(
      fc.property(arbHistory, fc.nat(), (chain, k) => {
        const i = k % (chain.length + 1);
        const fake = { ...chain[0], subject: subject(77), timestamp: 1 };
        const exported = [...chain.slice(0, i), fake, ...chain.slice(i)];
        expect(brief(compareExport(chain, exported))).to.deep.equal([{ kind: "inserted", position: i + 1 }]);
      }),
    );
  });

  it("reads an export handed over as concatenated pages, CSV or JSON", () => {
    const chain = history(Array.from({ length: 9 }, (_, i) => i * 7));
    const pages = [chain.slice(0, 4), chain.slice(4, 8), chain.slice(8)].map((p) => p.map(toExportRecord));
    const expected = chain.map((r) => ({ ...r, blockNumber: undefined, txHash: undefined, logIndex: undefined }));
    expect(parseExport(pages.map((p) => toCsv(p)).join(""), CONTROLLER)).to.deep.equal(expected);
    expect(parseExport(JSON.stringify(pages.map((records) => ({ controller: CONTROLLER, records }))), CONTROLLER)).to.deep.equal(expected);
    expect(parseExport(JSON.stringify(pages.flat()), CONTROLLER)).to.deep.equal(expected);
  });
});
