import { expect } from "chai";
import { browserSuite, DESKTOP, expectAccessible, expectText } from "./support/browser";

describe("Browser: the rooms", function () {
  this.timeout(120_000);
  const app = browserSuite();

  for (const [path, heading, link] of [
    ["/staff", "Staff screen", "Staff"],
    ["/brand/stores/store-a", "Brand console", "Brand"],
    ["/audit/0x0000000000000000000000000000000000000001", "Audit", "Audit"],
    ["/coalition", "Coalition report", "Coalition"],
  ] as const) {
    it(`opens ${path} directly, its room marked as the current one`, async () => {
      const { page } = await app.open(path, { wallet: false });
      await expectText(page.getByRole("heading", { level: 1 }), heading);
      expect(await page.getByRole("link", { name: link, exact: true }).getAttribute("aria-current")).to.equal("page");
      expect(await page.getByRole("link", { name: "Wallet" }).getAttribute("aria-current")).to.equal(null);
      await expectAccessible(page);
    });
  }

  it("moves between the rooms in the page, without reloading it", async () => {
    const { page } = await app.open("/", { viewport: DESKTOP });
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    for (const [link, heading, path] of [
      ["Staff", "Staff screen", "/staff"],
      ["Brand", "Brand console", "/brand"],
      ["Audit", "Audit", "/audit"],
      ["Coalition", "Coalition report", "/coalition"],
      ["Wallet", "Your consents and points", "/"],
    ] as const) {
      await page.getByRole("link", { name: link, exact: true }).click();
      await expectText(page.getByRole("heading", { level: 1 }), heading);
      expect(new URL(page.url()).pathname).to.equal(path);
    }
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).to.equal(42);
  });

  it("loads only the wallet's code for /, and a room's code when it is visited", async () => {
    const { page } = await app.open("/", { wallet: false });
    const scripts = () => page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname).filter((p) => p.endsWith(".js")));
    await expectText(page.getByRole("heading", { level: 1 }), "Your consents and points");
    expect((await scripts()).some((p) => p.includes("StaffPage"))).to.equal(false);
    await page.getByRole("link", { name: "Staff", exact: true }).click();
    await expectText(page.getByRole("heading", { level: 1 }), "Staff screen");
    expect((await scripts()).some((p) => p.includes("StaffPage"))).to.equal(true);
  });
});
