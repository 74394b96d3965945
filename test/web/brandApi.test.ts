import { expect } from "chai";
import { barScale, formatAssetAmount, historyExportUrl, parseAmount } from "../../web/brand/brandApi";

describe("web/brand: the console's pure helpers", () => {
  it("writes settlement-asset base units with the asset's decimals (six here), trailing zeros dropped", () => {
    const six = (v: string) => formatAssetAmount(v, 6);
    expect([six("0"), six("1"), six("12500000"), six("100000000000000"), six("-2500000")]).to.deep.equal(["0", "0.000001", "12.5", "100000000", "-2.5"]);
  });

  it("writes the same base units differently for an asset of 18, 2 or 0 decimals", () => {
    expect(formatAssetAmount("12500000000000000000", 18)).to.equal("12.5");
    expect(formatAssetAmount("12500000", 18)).to.equal("0.0000000000125");
    expect(formatAssetAmount("12500000", 2)).to.equal("125000");
    expect(formatAssetAmount("1250", 2)).to.equal("12.5");
    expect(formatAssetAmount("1250", 0)).to.equal("1250");
  });

  it("parses a typed amount into base units, refusing what is not a positive amount of at most six decimals", () => {
    expect([parseAmount("12.5", 6), parseAmount(" 1 ", 6), parseAmount("0.000001", 6)]).to.deep.equal([12_500_000n, 1_000_000n, 1n]);
    for (const bad of ["", "0", "0.0", "1.0000001", "-1", "1e3", "1,5", "abc", "1.", ".5"]) expect(parseAmount(bad, 6), bad).to.equal(undefined);
  });

  it("parses a typed amount for an asset of 18, 2 or 0 decimals, with that many decimals at most", () => {
    expect(parseAmount("12.5", 18)).to.equal(12_500_000_000_000_000_000n);
    expect(parseAmount("0.000000000000000001", 18)).to.equal(1n);
    expect(parseAmount("0.0000000000000000001", 18)).to.equal(undefined);
    expect(parseAmount("12.5", 2)).to.equal(1250n);
    expect(parseAmount("12.345", 2)).to.equal(undefined);
    expect(parseAmount("12", 0)).to.equal(12n);
    expect(parseAmount("12.5", 0)).to.equal(undefined);
  });

  it("scales bars to the largest value, all zero when nothing happened", () => {
    expect(barScale([0, 5, 10])).to.deep.equal([0, 0.5, 1]);
    expect(barScale([0, 0])).to.deep.equal([0, 0]);
  });

  it("points the export at the audit API's verified history", () => {
    expect(historyExportUrl("0xabc", "csv")).to.equal("/v1/audit/controllers/0xabc/history?format=csv&verify=true");
  });
});
