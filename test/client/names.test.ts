import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toHex } from "viem";
import {
  baseLanguage,
  CATEGORY_BITS,
  categoryBitmap,
  categoryLabel,
  categoryNames,
  InvalidCategoriesError,
  KNOWN_PURPOSES,
  labels,
  purposeId,
  purposeLabel,
  purposeName,
  PURPOSES,
  UnknownCategoryError,
} from "../../client";
import en from "../../client/labels/en.json";
import fr from "../../client/labels/fr.json";

describe("client: purpose and category names", () => {
  describe("data categories", () => {
    it("names the bits of docs/consent.md's table, and bit-N for the others", () => {
      expect(categoryNames(0b1_1111_1111n)).to.deep.equal([
        "identity",
        "contact",
        "purchase-history",
        "location",
        "device-identifiers",
        "preferences",
        "payment",
        "demographics",
        "loyalty-account",
      ]);
      expect(categoryNames(0n)).to.deep.equal([]);
      expect(categoryNames((1n << 9n) | (1n << 48n) | (1n << 63n))).to.deep.equal(["bit-9", "bit-48", "bit-63"]);
      expect(categoryBitmap(["identity", "purchase-history"])).to.equal(5n);
      expect(categoryBitmap(["location", "bit-50", "location"])).to.equal(8n | (1n << 50n));
    });

    it("matches the table in docs/consent.md bit for bit", async () => {
      const doc = (await import("node:fs")).readFileSync("docs/consent.md", "utf8");
      for (const [name, bit] of Object.entries(CATEGORY_BITS)) {
        const mask = `0x${(1n << BigInt(bit)).toString(16)}`;
        expect(doc, name).to.match(new RegExp(`\\| ${bit} \\| \`${mask}\` \\| \`${name}\` \\|`));
      }
    });

    it("round-trips every uint64 bitmap through its names", () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (bitmap) => {
          expect(categoryBitmap(categoryNames(bitmap))).to.equal(bitmap);
        }),
        { numRuns: 2000 },
      );
      for (let bit = 0; bit < 64; bit++) expect(categoryBitmap(categoryNames(1n << BigInt(bit)))).to.equal(1n << BigInt(bit));
    });

    it("refuses an unknown name and a bitmap that is not a uint64", () => {
      for (const bad of ["Identity", "purchase history", "bit-64", "bit-07", "bit-", "toString", "__proto__"]) {
        expect(() => categoryBitmap([bad]), bad).to.throw(UnknownCategoryError).with.property("category", bad);
      }
      expect(() => categoryNames(1n << 64n)).to.throw(InvalidCategoriesError);
      expect(() => categoryNames(-1n)).to.throw(InvalidCategoriesError);
    });
  });

  describe("purposes", () => {
    it("hashes a name to its id and names the known ids back", () => {
      expect(purposeId("loyalty")).to.equal(keccak256(toHex("loyalty")));
      expect(PURPOSES.inStoreRecognition).to.equal(purposeId("in-store-recognition"));
      for (const name of KNOWN_PURPOSES) {
        expect(purposeName({ id: purposeId(name) })).to.equal(name);
        expect(purposeName({ id: purposeId(name).toUpperCase().replace("0X", "0x") })).to.equal(name);
      }
      expect(purposeName({ id: purposeId("tasting-club") })).to.equal(undefined);
    });

    it("names a brand's own purposes from discovery, its own name first", () => {
      const discovered = [
        { id: purposeId("tasting-club"), name: "tasting-club" },
        { id: `0x${"ab".repeat(32)}`, name: "club-degustation" },
        { id: purposeId("loyalty"), name: "fidelite" },
        { id: `0x${"cd".repeat(32)}`, name: null },
      ];
      expect(purposeName({ id: purposeId("tasting-club"), purposes: discovered })).to.equal("tasting-club");
      expect(purposeName({ id: `0x${"AB".repeat(32)}`, purposes: discovered })).to.equal("club-degustation");
      expect(purposeName({ id: purposeId("loyalty"), purposes: discovered })).to.equal("fidelite");
      expect(purposeName({ id: `0x${"cd".repeat(32)}`, purposes: discovered })).to.equal(undefined);
      // Name -> id -> name, for any short name a brand may choose.
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,63}$/), (name) => {
          expect(purposeName({ id: purposeId(name), purposes: [{ id: purposeId(name), name }] })).to.equal(name);
        }),
      );
    });
  });

  describe("labels", () => {
    it("has an English and a French label for every known purpose and category, and nothing else", () => {
      const purposes = [...KNOWN_PURPOSES].sort();
      const categories = Object.keys(CATEGORY_BITS).sort();
      for (const file of [en, fr]) {
        expect(Object.keys(file.purposes).sort()).to.deep.equal(purposes);
        expect(Object.keys(file.categories).sort()).to.deep.equal(categories);
        for (const t of [...Object.values(file.purposes), ...Object.values(file.categories)]) {
          expect(Object.values(t).every((s) => typeof s === "string" && s.length > 0)).to.equal(true);
        }
      }
      expect(labels.fr.purposes.loyalty!.title).to.equal("Points de fidélité");
      expect(en.purposes.loyalty.title).to.not.equal(fr.purposes.loyalty.title);
    });

    it("shows a purpose in the customer's language: the brand's words, then Confiance's, then English", () => {
      const texts = { en: { title: "Club", description: "Tastings." } };
      expect(purposeLabel({ name: "loyalty", language: "fr-FR" })).to.deep.equal(fr.purposes.loyalty);
      expect(purposeLabel({ name: "loyalty", language: "de" })).to.deep.equal(en.purposes.loyalty);
      expect(purposeLabel({ name: "loyalty", language: "en", texts })).to.deep.equal(texts.en);
      expect(purposeLabel({ name: "loyalty", language: "fr", texts })).to.deep.equal(fr.purposes.loyalty);
      expect(purposeLabel({ name: "tasting-club", language: "fr", texts })).to.deep.equal(texts.en);
      expect(purposeLabel({ name: "tasting-club", language: "fr", texts: { ...texts, fr: { title: "Club", description: "Dégustations." } } })!.description).to.equal("Dégustations.");
      expect(purposeLabel({ name: null, language: "en" })).to.equal(undefined);
      expect(categoryLabel({ name: "location", language: "fr_CA" })).to.deep.equal(fr.categories.location);
      expect(categoryLabel({ name: "bit-50", language: "fr" })).to.equal(undefined);
      expect([baseLanguage("FR"), baseLanguage("en-GB"), baseLanguage("pt-BR")]).to.deep.equal(["fr", "en", "en"]);
    });
  });
});
