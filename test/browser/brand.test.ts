import { expect } from "chai";
import type { Page } from "playwright-core";
import { erc20Abi, formatUnits, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { coalitionPointsAbi, mockStablecoinAbi } from "../../client/abis";
import { testAccount, testPrivateKey } from "../support/chain";
import { browserSuite, DESKTOP, expectAccessible, expectText, screenshot } from "./support/browser";
import { TEST_WALLET_NAME as WALLET } from "./support/testWallet";

/** Where the money section shows the figure under `label`. */
function figureAt(page: Page, label: string) {
  return page.getByTestId("money").locator("div").filter({ has: page.locator("dt", { hasText: new RegExp(`^${label.replace(/[()]/g, "\\$&")}$`) }) }).locator("dd");
}

/** The figure shown under `label` in the money section. */
async function figure(page: Page, label: string): Promise<string> {
  return ((await figureAt(page, label).textContent()) ?? "").trim();
}

describe("Browser: the brand's console", function () {
  this.timeout(240_000);
  const app = browserSuite();
  const customer = testAccount(15);

  before(async function () {
    this.timeout(120_000);
    const h = app.harness;
    const wait = async (hash: `0x${string}`) => expect((await h.chain.client.waitForTransactionReceipt({ hash })).status).to.equal("success");
    const points = h.deployment.points;
    const receipt = keccak256(toHex("console-1"));
    await wait(await h.a.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "issue", args: [h.a.address, customer.address, 100n, receipt] }));
    await wait(await h.a.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "reverse", args: [receipt, customer.address, 10n] }));
    await wait(await h.chain.wallet(15).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "redeem", args: [h.a.address, 30n, keccak256(toHex("order-console"))] }));
    await h.indexed();
  });

  const backingOnChain = async () =>
    (await app.harness.chain.client.readContract({ address: app.harness.deployment.points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [app.harness.a.address] })) as bigint;

  /** The settlement asset's decimals as the chain answers them (the console reads the same). */
  const assetDecimals = () => app.harness.chain.client.readContract({ address: app.harness.deployment.settlement, abi: erc20Abi, functionName: "decimals" });

  async function signIn(page: Page, key: string) {
    await page.getByLabel("Brand API key").fill(key);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  it("refuses a wrong key, then shows the figures the chain holds after issue, reverse and redeem", async () => {
    const h = app.harness;
    const { page, errors } = await app.open("/brand", { wallet: false });
    await expectText(page.getByRole("heading", { level: 1 }), "Brand console");
    await expectAccessible(page);
    await signIn(page, "cfk_not-a-key");
    await page.getByRole("alert").filter({ hasText: /^The relay refused this key: / }).waitFor();
    // The browser logs the refused request; that one, and only it, is expected.
    expect(errors.splice(0)).to.deep.equal([`Failed to load resource: the server responded with a status of 401 (Unauthorized) ${h.url}/v1/brand`]);
    await page.getByLabel("Brand API key").fill("");
    await signIn(page, h.a.apiKey);
    await expectText(page.getByTestId("brand-name"), "Brand a");
    await page.getByTestId("money").waitFor();
    expect(await figure(page, "Points issued")).to.equal("100");
    expect(await figure(page, "Points reversed")).to.equal("10");
    expect(await figure(page, "Points redeemed here")).to.equal("30");
    expect(await figure(page, "Outstanding liability (points)")).to.equal("60");
    // Written with the decimals the page read from the chain (shown as "…" until they are known).
    await expectText(figureAt(page, "Backing"), formatUnits(await backingOnChain(), await assetDecimals()));
    // The daily table carries today's flows.
    const today = page.locator("table.brand-days tbody tr");
    expect(await today.count()).to.equal(1);
    expect((await today.first().locator("td").allTextContents()).slice(0, 3)).to.deep.equal(["100", "10", "30"]);
    await expectText(page.getByTestId("store-store-a").getByRole("heading", { level: 3 }), "Store a (store-a)");
    await expectAccessible(page);
    // The key lives in this tab only.
    expect(await page.evaluate(() => [sessionStorage.getItem("confiance.brandApiKey") !== null, localStorage.getItem("confiance.brandApiKey")])).to.deep.equal([true, null]);
    if (process.env.SCREENSHOTS === "1") await screenshot(page, "brand-console");
  });

  it("deposits backing with the brand's own wallet (approve, then deposit) and the figure follows", async () => {
    const h = app.harness;
    const brandKey = privateKeyToAccount(testPrivateKey(1));
    // The brand's allowance is already unlimited in the harness: start from none, so the page approves.
    await h.chain.client.waitForTransactionReceipt({ hash: await h.a.wallet.writeContract({ address: h.deployment.settlement, abi: mockStablecoinAbi, functionName: "approve", args: [h.deployment.points, 0n] }) });
    const before = await backingOnChain();
    const { page, wallet } = await app.open("/brand", { wallet: { account: brandKey }, viewport: DESKTOP });
    await signIn(page, h.a.apiKey);
    await page.getByRole("button", { name: `Connect ${WALLET}` }).click();
    await page.getByLabel("Amount").fill("12.5");
    await page.getByRole("button", { name: "Deposit" }).click();
    const status = page.getByTestId("backing-status");
    await status.filter({ hasText: /^(Confirmed|Failed|You declined)/ }).waitFor({ timeout: 60_000 });
    expect((await status.textContent())!).to.match(/^Confirmed in transaction 0x[0-9a-f]{64}\.$/);
    const decimals = await assetDecimals();
    expect(await backingOnChain()).to.equal(before + 125n * 10n ** BigInt(decimals - 1));
    expect(wallet.calls.filter((c) => c === "eth_sendTransaction" || c === "eth_sendRawTransaction").length).to.equal(2);
    await h.indexed();
    await page.getByTestId("money").locator("dd").first().filter({ hasText: formatUnits(before + 125n * 10n ** BigInt(decimals - 1), decimals) }).waitFor({ timeout: 20_000 });

    // Another wallet than the brand's is told so and offered nothing to send.
    const other = await app.open("/brand", { wallet: {}, viewport: DESKTOP });
    await signIn(other.page, h.a.apiKey);
    await other.page.getByRole("button", { name: `Connect ${WALLET}` }).click();
    await expectText(other.page.getByRole("alert").filter({ hasText: /is not the brand/ }), `This wallet (${other.wallet.address}) is not the brand (${h.a.address}). Connect the brand's wallet.`);
  });

  it("in French, keyboard only: adds a store; the consent counts and the export are there", async () => {
    const h = app.harness;
    const { page } = await app.open("/brand", { wallet: false, locale: "fr-FR" });
    await page.getByLabel("Clé d'API de la marque").focus();
    await page.keyboard.type(h.a.apiKey);
    await page.keyboard.press("Enter");
    await expectText(page.getByTestId("brand-name"), "Brand a");
    await page.getByLabel("Identifiant du magasin").focus();
    await page.keyboard.type("lyon-1");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Lyon Part-Dieu");
    await page.keyboard.press("Enter");
    await expectText(page.getByTestId("store-lyon-1").getByRole("heading", { level: 3 }), "Lyon Part-Dieu (lyon-1)");
    expect((await h.http("GET", "/v1/brand/stores", { auth: h.a.apiKey })).body.stores.map((s: { id: string }) => s.id)).to.deep.equal(["store-a", "lyon-1"]);
    expect(await page.getByRole("link", { name: "Télécharger en CSV" }).getAttribute("href")).to.equal(`/v1/audit/controllers/${h.a.address}/history?format=csv&verify=true`);
    await expectAccessible(page);
  });
});
