import { expect } from "chai";
import { dictionaries, pickLanguage, translate, type MessageKey } from "../../web/common/i18n/translate";

const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("web: messages", () => {
  it("every language has exactly the English keys, each with the same parameters", () => {
    const keys = Object.keys(dictionaries.en).sort();
    for (const [lang, dict] of Object.entries(dictionaries)) {
      expect(Object.keys(dict).sort(), lang).to.deep.equal(keys);
      for (const key of keys as MessageKey[]) expect(params(dict[key]), `${lang} ${key}`).to.deep.equal(params(dictionaries.en[key]));
    }
  });

  it("no message is empty", () => {
    for (const dict of Object.values(dictionaries)) for (const text of Object.values(dict)) expect(text.trim()).to.not.equal("");
  });

  it("fills in the parameters by name", () => {
    expect(translate("fr", "chain.wrong", { current: 1, name: "la chaîne Confiance 31337", expected: 31337 })).to.equal(
      "Votre portefeuille est sur un autre réseau (chaîne 1). Confiance fonctionne sur la chaîne Confiance 31337 (chaîne 31337).",
    );
    expect(translate("en", "action.code", { code: "stale_notice" })).to.equal("code stale_notice");
  });

  it("takes the first of the browser's languages that the app speaks, by primary subtag, else English", () => {
    expect(pickLanguage(["fr-CA", "en-US"])).to.equal("fr");
    expect(pickLanguage(["de-DE", "FR", "en"])).to.equal("fr");
    expect(pickLanguage(["en-GB", "fr"])).to.equal("en");
    expect(pickLanguage(["de", "es"])).to.equal("en");
    expect(pickLanguage([])).to.equal("en");
  });
});
