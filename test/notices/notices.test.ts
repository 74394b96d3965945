import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import Ajv2020 from "ajv/dist/2020";
import { keccak256, stringToBytes } from "viem";
import {
  canonicalJson,
  InvalidNoticeError,
  noticeCategoryBitmap,
  noticeHash,
  noticeJsonSchema,
  parseNotice,
  type Notice,
} from "../../client/notices";
import { NOTICE_SCHEMA_FILE, renderNoticeSchema } from "../../scripts/notice-schema";

export const DEMO_NOTICES_DIR = path.join(__dirname, "../../scripts/demo/notices");

/** Every example notice file of the demo, as [relative path, parsed JSON]. */
export function demoNoticeFiles(): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const brand of fs.readdirSync(DEMO_NOTICES_DIR).sort()) {
    for (const file of fs.readdirSync(path.join(DEMO_NOTICES_DIR, brand)).sort()) {
      out.push([`${brand}/${file}`, JSON.parse(fs.readFileSync(path.join(DEMO_NOTICES_DIR, brand, file), "utf8"))]);
    }
  }
  return out;
}

const example = (): Notice => structuredClone(demoNoticeFiles().find(([f]) => f === "cafe-lune/shopping-list.json")![1]) as Notice;

/** The issues parseNotice reports for `value`, or [] when it is valid. */
function issuesOf(value: unknown): readonly string[] {
  try {
    parseNotice(value);
    return [];
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidNoticeError);
    return (err as InvalidNoticeError).issues;
  }
}

describe("notice documents (client/notices)", () => {
  describe("canonical encoding (RFC 8785)", () => {
    it("encodes the RFC's section 3.2.2 example exactly", () => {
      const input = JSON.parse(
        '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n' +
          '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}',
      );
      expect(canonicalJson(input)).to.equal(
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
      );
    });

    it("sorts members by UTF-16 code units as in the RFC's section 3.2.3 example", () => {
      const input = JSON.parse(
        '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",' +
          '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
      );
      expect(canonicalJson(input)).to.equal(
          '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
          '"\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
      );
    });

    it("serialises the numbers of the RFC's appendix B as it lists them", () => {
      const samples: [string, string][] = [
        ["0000000000000000", "0"],
        ["8000000000000000", "0"],
        ["0000000000000001", "5e-324"],
        ["8000000000000001", "-5e-324"],
        ["7fefffffffffffff", "1.7976931348623157e+308"],
        ["ffefffffffffffff", "-1.7976931348623157e+308"],
        ["4340000000000000", "9007199254740992"],
        ["c340000000000000", "-9007199254740992"],
        ["4430000000000000", "295147905179352830000"],
        ["44b52d02c7e14af5", "9.999999999999997e+22"],
        ["44b52d02c7e14af6", "1e+23"],
        ["44b52d02c7e14af7", "1.0000000000000001e+23"],
        ["444b1ae4d6e2ef4e", "999999999999999700000"],
        ["444b1ae4d6e2ef4f", "999999999999999900000"],
        ["444b1ae4d6e2ef50", "1e+21"],
        ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
        ["3eb0c6f7a0b5ed8d", "0.000001"],
        ["41b3de4355555553", "333333333.3333332"],
        ["41b3de4355555554", "333333333.33333325"],
        ["41b3de4355555555", "333333333.3333333"],
        ["41b3de4355555556", "333333333.3333334"],
        ["41b3de4355555557", "333333333.33333343"],
        ["becbf647612f3696", "-0.0000033333333333333333"],
        ["43143ff3c1cb0959", "1424953923781206.2"],
      ];
      for (const [bits, expected] of samples) {
        const n = new DataView(Uint8Array.from(Buffer.from(bits, "hex")).buffer).getFloat64(0);
        expect(canonicalJson([n]), bits).to.equal(`[${expected}]`);
      }
      expect(() => canonicalJson([NaN])).to.throw(TypeError, "NaN has no JSON encoding");
      expect(() => canonicalJson([-Infinity])).to.throw(TypeError, "-Infinity has no JSON encoding");
    });

    it("refuses what has no canonical encoding: lone surrogates, bigints, Dates, undefined in an array", () => {
      expect(() => canonicalJson({ a: "\ud800" })).to.throw(TypeError, "lone UTF-16 surrogate");
      expect(() => canonicalJson({ ["\udc00"]: 1 })).to.throw(TypeError, "lone UTF-16 surrogate");
      expect(() => canonicalJson([1n])).to.throw(TypeError, "a bigint has no JSON encoding");
      expect(() => canonicalJson({ at: new Date(0) })).to.throw(TypeError, "a Date object has no canonical JSON encoding");
      expect(() => canonicalJson([undefined])).to.throw(TypeError, "a undefined has no JSON encoding");
      expect(canonicalJson({ b: undefined, a: "\ud83d\ude00", c: Object.create(null) })).to.equal('{"a":"😀","c":{}}');
      expect(canonicalJson([-0, 1e-7, "\u2028"])).to.equal('[0,1e-7,"\u2028"]');
    });

    it("gives one encoding, and one hash, for the same document however it is laid out", () => {
      const n = example();
      const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(n).reverse())));
      const indented = JSON.parse(JSON.stringify(n, null, 4));
      expect(canonicalJson(reordered)).to.equal(canonicalJson(n));
      expect(noticeHash(parseNotice(reordered))).to.equal(noticeHash(parseNotice(indented)));
      expect(noticeHash(n)).to.equal(keccak256(stringToBytes(canonicalJson(n))));
      expect(noticeHash(n)).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("changes the hash with any change of the text", () => {
      const n = example();
      const changed = example();
      changed.purpose.description.fr += " ";
      expect(noticeHash(changed)).to.not.equal(noticeHash(n));
    });
  });

  describe("the schema", () => {
    it("docs/notice.schema.json is generated from the zod schema (run `npm run notice-schema` after a change)", () => {
      expect(fs.readFileSync(NOTICE_SCHEMA_FILE, "utf8")).to.equal(renderNoticeSchema());
    });

    it("accepts the demo's notice files, in English and French, and returns them unchanged", () => {
      const files = demoNoticeFiles();
      expect(files.map(([f]) => f)).to.deep.equal([
        "cafe-lune/in-store-recognition.json",
        "cafe-lune/loyalty.json",
        "cafe-lune/shopping-list.json",
        "hotel-azur/loyalty.json",
        "maison-lumiere/in-store-recognition.json",
        "maison-lumiere/loyalty.json",
      ]);
      for (const [file, json] of files) {
        const notice = parseNotice(json);
        expect(notice, file).to.deep.equal(json);
        expect(Object.keys(notice.purpose.description), file).to.deep.equal(["en", "fr"]);
        expect(file.endsWith(`/${notice.purpose.name}.json`), file).to.equal(true);
      }
    });

    it("names every problem of an invalid document, field by field", () => {
      const bad = example() as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      bad.version = 0;
      bad.controller.address = "0x12";
      bad.purpose.title = { fr: "Liste" };
      bad.purpose.description.EN = "upper-case tag";
      bad.legalBasis = "because";
      bad.categories = ["location", "sizes", { bit: 12, description: { en: "x" } }];
      bad.retention.period = "13 months";
      bad.recipients[0].country = "France";
      delete bad.withdrawal;
      bad.notes = "not a field";
      expect(issuesOf(bad)).to.deep.equal([
        "version: Too small: expected number to be >=1",
        "controller.address: expected a 0x-prefixed 20-byte address",
        "purpose.title.en: missing: an English (\"en\") text is required",
        "purpose.description.EN: \"EN\" is not allowed here: expected a BCP 47 language tag such as \"en\" or \"fr-BE\"",
        'legalBasis: Invalid option: expected one of "consent"|"contract"|"legal-obligation"|"vital-interests"|"public-task"|"legitimate-interests"',
        "categories[1]: expected a category name (identity, contact, purchase-history, location, device-identifiers, preferences, payment, demographics, loyalty-account) or a controller-specific { \"bit\": 48-63, \"description\": {...} }",
        "categories[2].bit: Too small: expected number to be >=48",
        'retention.period: expected an ISO 8601 duration such as "P13M" or "P30D"',
        'recipients[0].country: expected an ISO 3166-1 alpha-2 country code such as "FR"',
        "withdrawal: missing (expected an object)",
        '(document): unknown field "notes" (not in the notice schema)',
      ]);
    });

    it("refuses a category listed twice, an empty text and a lone surrogate", () => {
      const twice = example();
      twice.categories = ["location", "location"];
      expect(issuesOf(twice)).to.deep.equal(["categories[1]: category location is listed twice"]);
      const empty = example();
      empty.purpose.title.fr = "";
      expect(issuesOf(empty)).to.deep.equal(["purpose.title.fr: must not be empty"]);
      const lone = example();
      lone.controller.name = "Caf\ud800 Lune";
      expect(issuesOf(lone)).to.deep.equal(["controller.name: contains a lone UTF-16 surrogate"]);
      expect(issuesOf("not an object")).to.deep.equal(["(document): Invalid input: expected object, received string"]);
    });

    it("gives the categories as the ledger's bitmap", () => {
      // device-identifiers (bit 4), preferences (bit 5), the café's own bit 48
      expect(noticeCategoryBitmap(example())).to.equal((1n << 4n) | (1n << 5n) | (1n << 48n));
    });

    it("the published JSON Schema agrees with the zod schema on the examples and on invalid documents", () => {
      const ajv = new Ajv2020({ strict: true, allErrors: true });
      const validate = ajv.compile(noticeJsonSchema());
      for (const [file, json] of demoNoticeFiles()) expect(validate(json), `${file}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
      const breakers: ((n: any) => void)[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
        (n) => (n.version = 0),
        (n) => delete n.purpose.title.en,
        (n) => (n.purpose.title.EN = "x"),
        (n) => (n.purpose.name = "Loyalty Programme"),
        (n) => (n.legalBasis = "because"),
        (n) => (n.categories = []),
        (n) => (n.categories = ["sizes"]),
        (n) => (n.categories = [{ bit: 47, description: { en: "x" } }]),
        (n) => (n.retention.period = "P"),
        (n) => (n.recipients[0].role = "friend"),
        (n) => (n.internationalTransfers = [{ recipient: "x", country: "US", safeguard: "trust-us" }]),
        (n) => (n.controller.contact = {}),
        (n) => (n.extra = true),
      ];
      for (const [i, breaker] of breakers.entries()) {
        const n = example();
        breaker(n);
        expect(validate(n), `breaker ${i} passes the JSON Schema`).to.equal(false);
        expect(issuesOf(n), `breaker ${i} passes zod`).to.not.deep.equal([]);
      }
    });
  });
});
