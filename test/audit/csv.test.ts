import { expect } from "chai";
import fc from "fast-check";
import { stringify } from "csv-stringify/sync";
import { encodeAbiParameters, keccak256, type Address, type Hex } from "viem";
import { CsvSyntaxError, readCsvRecords, readCsvRows } from "../../client/audit/csv";
import { nextHead, type HistoryLink } from "../../client/audit/historyChain";

describe("audit: the browser-safe pieces of the client module", () => {
  describe("readCsvRows", () => {
    it("reads back whatever csv-stringify writes (quotes, commas, line breaks, CRLF), over random fields", () => {
      const field = fc.string({ unit: fc.constantFrom("a", "b", ",", '"', "\n", "\r\n", " ", "é", "0", "x") });
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 5 }).chain((n) => fc.array(fc.array(field, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 8 })), fc.boolean(), (rows, crlf) => {
          // A row whose only field is empty is written as a blank line, which a reader skips: keep rows non-blank.
          const kept = rows.filter((r) => r.length > 1 || r[0] !== "");
          // csv-stringify quotes a field holding the record delimiter only; a lone \n in a CRLF file must be quoted too.
          const text = stringify(kept, { record_delimiter: crlf ? "windows" : "unix", quoted_match: /[\r\n]/ });
          expect(readCsvRows(text)).to.deep.equal(kept);
        }),
        { numRuns: 300 },
      );
    });

    it("refuses a quote that is never closed and text after a closing quote, naming the line", () => {
      expect(() => readCsvRows('a,b\n"x,y\n')).to.throw(CsvSyntaxError, "line 2: a quoted field is never closed");
      expect(() => readCsvRows('a,b\n"x"y,z\n')).to.throw(CsvSyntaxError, "line 2: text after a closing quote");
    });
  });

  describe("readCsvRecords", () => {
    it("keys rows by the header, skips the header lines of concatenated pages and a byte-order mark", () => {
      const text = "\uFEFFseq,action\r\n1,grant\r\nseq,action\r\n2,revoke\r\n\r\n";
      expect(readCsvRecords(text)).to.deep.equal([
        { seq: "1", action: "grant" },
        { seq: "2", action: "revoke" },
      ]);
      expect(() => readCsvRecords("seq,action\n1\n")).to.throw(CsvSyntaxError, "a row has 1 fields, the header 2");
    });
  });

  describe("nextHead", () => {
    const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);
    const link = fc.record({
      action: fc.constantFrom(1, 2, 3),
      subject: hex(20).map((h) => h as Address),
      purpose: hex(32),
      categories: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      expiresAt: fc.integer({ min: 0, max: 2 ** 40 - 1 }),
      noticeHash: hex(32),
      actor: hex(20).map((h) => h as Address),
      timestamp: fc.integer({ min: 0, max: 2 ** 40 - 1 }),
    });

    it("is keccak256(abi.encode(...)) exactly as ConsentLedger hashes it (viem's encoder as the reference)", () => {
      fc.assert(
        fc.property(hex(32), link, (prev, r: HistoryLink) => {
          const reference = keccak256(
            encodeAbiParameters(
              [{ type: "bytes32" }, { type: "uint8" }, { type: "address" }, { type: "bytes32" }, { type: "uint64" }, { type: "uint40" }, { type: "bytes32" }, { type: "address" }, { type: "uint40" }],
              [prev, r.action, r.subject, r.purpose, r.categories, r.expiresAt, r.noticeHash, r.actor, r.timestamp],
            ),
          );
          expect(nextHead(prev, r)).to.equal(reference);
        }),
        { numRuns: 500 },
      );
    });

    it("refuses values that do not fit their type", () => {
      const r: HistoryLink = { action: 1, subject: `0x${"11".repeat(20)}`, purpose: `0x${"22".repeat(32)}`, categories: 2n ** 64n, expiresAt: 0, noticeHash: `0x${"33".repeat(32)}`, actor: `0x${"11".repeat(20)}`, timestamp: 0 };
      expect(() => nextHead(`0x${"00".repeat(32)}`, r)).to.throw(RangeError, "does not fit in uint64");
      expect(() => nextHead(`0x${"00".repeat(32)}`, { ...r, categories: 0n, subject: "0x1234" })).to.throw(RangeError, "expected 20 bytes");
    });
  });
});
