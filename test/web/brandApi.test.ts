import { expect } from "chai";
import { barScale, formatUnits6, historyExportUrl, parseAmount } from "../../web/brand/brandApi";

describe("web/brand: the console's pure helpers", () => {
  it("formats settlement-asset base units with six decimals, trailing zeros dropped", () => {
    expect([formatUnits6("0"), formatUnits6("1"), formatUnits6("12500000"), formatUnits6("100000000000000"), formatUnits6("-2500000")]).to.deep.equal(["0", "0.000001", "12.5", "100000000", "-2.5"]);
  });

  it("parses a typed amount into base units, refusing what is not a positive amount of at most six decimals", () => {
    expect([parseAmount("12.5"), parseAmount(" 1 "), parseAmount("0.000001")]).to.deep.equal([12_500_000n, 1_000_000n, 1n]);
    for (const bad of ["", "0", "0.0", "1.0000001", "-1", "1e3", "1,5", "abc"]) expect(parseAmount(bad), bad).to.equal(undefined);
  });

  it("scales bars to the largest value, all zero when nothing happened", () => {
    expect(barScale([0, 5, 10])).to.deep.equal([0, 0.5, 1]);
    expect(barScale([0, 0])).to.deep.equal([0, 0]);
  });

  it("points the export at the audit API's verified history", () => {
    expect(historyExportUrl("0xabc", "csv")).to.equal("/v1/audit/controllers/0xabc/history?format=csv&verify=true");
  });
});
