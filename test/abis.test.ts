import fs from "node:fs";
import { expect } from "chai";
import hre from "hardhat";
import { ABIS_FILE, renderAbis } from "../scripts/export-abis";

describe("client/abis.ts", () => {
  it("matches the compiled contracts (run `npm run abis` after an interface change)", async () => {
    await hre.run("compile", { quiet: true });
    expect(fs.readFileSync(ABIS_FILE, "utf8")).to.equal(renderAbis());
  });
});
