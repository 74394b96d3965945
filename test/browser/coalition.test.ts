import fs from "node:fs";
import { expect } from "chai";
import type { Page } from "playwright-core";
import { keccak256, toHex } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import { testAccount } from "../support/chain";
import { ADMIN_TOKEN } from "../server/relay-harness";
import { browserSuite, DESKTOP, expectAccessible, expectText, PHONE, screenshot } from "./support/browser";

const CSV_HEADER = "brand,issued,reversed,redeemed,valueCredited,liabilityOutstanding,netSettlement";

/** The cells of the report table's row for `brand` (its header cell, then the six figures). */
async function rowOf(page: Page, brand: string): Promise<string[]> {
  const row = page.getByTestId("coalition-report").locator(`tbody tr[data-brand="${brand}"]`);
  await row.waitFor();
  return (await row.locator("th, td").allTextContents()).map((s) => s.trim());
}

describe("Browser: the coalition report", function () {
  this.timeout(240_000);
  const app = browserSuite();
  const customer = testAccount(15);
  let day = "";

  before(async function () {
    this.timeout(120_000);
    const h = app.harness;
    const wait = async (hash: `0x${string}`) => expect((await h.chain.client.waitForTransactionReceipt({ hash })).status).to.equal("success");
    const points = h.deployment.points;
    const receipt = keccak256(toHex("coalition-1"));
    await wait(await h.a.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "issue", args: [h.a.address, customer.address, 100n, receipt] }));
    await wait(await h.a.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "reverse", args: [receipt, customer.address, 10n] }));
    await wait(await h.chain.wallet(15).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "redeem", args: [h.a.address, 30n, keccak256(toHex("order-coalition"))] }));
    await h.indexed();
    const block = await h.chain.client.getBlock();
    day = new Date(Number(block.timestamp) * 1000).toISOString().slice(0, 10);
  });

  const unit = () => BigInt(app.harness.deployment.unitValue);

  it("refuses a wrong token, then shows a partner's figures after an issuance, a reversal and a redemption, with the totals", async () => {
    const h = app.harness;
    const { page, errors } = await app.open("/coalition", { wallet: false, viewport: PHONE });
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    await expectText(page.getByRole("heading", { level: 1 }), "Coalition report");
    await expectAccessible(page);
    await page.getByLabel("Admin token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: /^The relay refused this token: / }).waitFor();
    expect(errors.splice(0)).to.deep.equal([`Failed to load resource: the server responded with a status of 401 (Unauthorized) ${h.url}/v1/admin/report?from=0&to=1&format=json`]);
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    // The chain's day, so that the period holds the movements whatever the local clock says.
    await page.getByLabel("From (first day)").fill(day);
    await page.getByLabel("To (last day, included)").fill(day);
    await page.getByRole("button", { name: "Show the report" }).click();
    const brand = h.a.address.toLowerCase();
    await expectText(page.locator("#coalition-caption"), `Partners from ${day} to ${day} (points, and settlement units of value ${Number(unit()) / 1e6} per point)`);
    const amount = (units: bigint) => (Number(units) / 1e6).toString();
    expect(await rowOf(page, brand)).to.deep.equal([`Brand a ${brand}`, "100", "10", "30", amount(30n * unit()), "60", amount(-60n * unit())]);
    const json = await h.http("GET", `/v1/admin/report?from=${Date.parse(`${day}T00:00:00Z`) / 1000}&to=${Date.parse(`${day}T00:00:00Z`) / 1000 + 86400}`, { auth: ADMIN_TOKEN });
    // The JSON of the same period says the same (every admitted partner has a line, brand b's all zeros here).
    expect(json.body.partners).to.deep.equal([
      { brand, issued: "100", reversed: "10", redeemed: "30", valueCredited: String(30n * unit()), liabilityOutstanding: "60", netSettlement: String(-60n * unit()) },
      { brand: h.b.address.toLowerCase(), issued: "0", reversed: "0", redeemed: "0", valueCredited: "0", liabilityOutstanding: "0", netSettlement: "0" },
    ].sort((x, y) => x.brand.localeCompare(y.brand)));
    const foot = (await page.getByTestId("coalition-report").locator("tfoot tr").locator("th, td").allTextContents()).map((s) => s.trim());
    expect(foot).to.deep.equal(["Totals", "100", "10", "30", amount(30n * unit()), "60", amount(-60n * unit())]);
    await expectText(page.getByTestId("coalition-expired"), "Points expired in the period (the coalition's, not a partner's): 0");
    await expectAccessible(page);
    // The table scrolls inside its region at a phone's width; the page itself does not.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).to.equal(true);
    // The token lives in this tab only and never travels in an address.
    expect(await page.evaluate(() => [sessionStorage.getItem("confiance.adminToken"), localStorage.getItem("confiance.adminToken")])).to.deep.equal([ADMIN_TOKEN, null]);
    expect(urls.filter((u) => u.includes(ADMIN_TOKEN))).to.deep.equal([]);
    if (process.env.SCREENSHOTS === "1") await screenshot(page, "coalition-report");

    // A period with nothing in it.
    await page.getByLabel("From (first day)").fill("2020-01-01");
    await page.getByLabel("To (last day, included)").fill("2020-01-31");
    await page.getByRole("button", { name: "Show the report" }).click();
    await expectText(page.getByText("No partner activity in this period."), "No partner activity in this period.");
  });

  it("in French, keyboard only: downloads the period's CSV with its header and the partner's row", async () => {
    const h = app.harness;
    const { page } = await app.open("/coalition", { wallet: false, locale: "fr-FR", viewport: DESKTOP });
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    await page.getByLabel("Jeton d'administration").focus();
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press("Enter");
    await page.getByLabel("Du (premier jour)").fill(day);
    await page.getByLabel("Au (dernier jour, inclus)").fill(day);
    await page.getByLabel("Au (dernier jour, inclus)").press("Enter");
    await rowOf(page, h.a.address.toLowerCase());
    await page.getByRole("button", { name: "Télécharger en CSV" }).focus();
    const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    expect(download.suggestedFilename()).to.equal(`coalition-report-${day}-${day}.csv`);
    const csv = fs.readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
    expect(csv[0]).to.equal(CSV_HEADER);
    expect(csv).to.include(`${h.a.address.toLowerCase()},100,10,30,${30n * unit()},60,${-60n * unit()}`);
    expect(csv.at(-1)).to.equal("expired,0,,,,,");
    await expectText(page.getByTestId("csv-status"), `coalition-report-${day}-${day}.csv téléchargé.`);
    expect(urls.filter((u) => u.includes(ADMIN_TOKEN))).to.deep.equal([]);
    await expectAccessible(page);
  });
});
