import { expect } from "chai";
import { asAmount, dayOf, periodOf, totals } from "../../web/coalition/coalitionApi";
import * as messages from "../../web/coalition/coalitionTexts";

const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("web: the coalition report's helpers", () => {
  it("turns two UTC days into [from, to) with the last day included, and refuses a reversed period", () => {
    expect(periodOf("2026-11-01", "2026-11-30")).to.deep.equal({ from: 1_793_491_200, to: 1_796_083_200 });
    expect(periodOf("2026-11-26", "2026-11-26")).to.deep.equal({ from: 1_795_651_200, to: 1_795_737_600 });
    expect(periodOf("2026-11-27", "2026-11-26")).to.equal(null);
    expect(periodOf("", "2026-11-26")).to.equal(null);
    expect(dayOf(1_795_737_599_000)).to.equal("2026-11-26");
  });

  it("sums each figure over the partners, negatives included, and writes amounts with 6 decimals", () => {
    const line = (issued: string, net: string) => ({ brand: "0x", issued, reversed: "1", redeemed: "2", valueCredited: "20000", liabilityOutstanding: "3", netSettlement: net });
    expect(totals([line("100", "-600000"), line("5", "10000")])).to.deep.equal({
      issued: "105",
      reversed: "2",
      redeemed: "4",
      valueCredited: "40000",
      liabilityOutstanding: "6",
      netSettlement: "-590000",
    });
    expect(totals([])).to.deep.equal({ issued: "0", reversed: "0", redeemed: "0", valueCredited: "0", liabilityOutstanding: "0", netSettlement: "0" });
    expect([asAmount("-600000"), asAmount("10000"), asAmount("0")]).to.deep.equal(["-0.6", "0.01", "0"]);
  });

  it("has the English keys in French, each with the same parameters, none empty", () => {
    expect(Object.keys(messages.fr).sort()).to.deep.equal(Object.keys(messages.en).sort());
    for (const [key, text] of Object.entries(messages.en)) {
      expect(params(messages.fr[key as keyof typeof messages.en]), key).to.deep.equal(params(text));
      expect(messages.fr[key as keyof typeof messages.en].trim()).to.not.equal("");
    }
  });
});
