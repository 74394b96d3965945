import { expect } from "chai";
import type { Page } from "playwright-core";
import { erc20Abi, formatUnits, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { coalitionPointsAbi, mockStablecoinAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { testAccount, testPrivateKey } from "../support/chain";
import { newCustomer } from "../server/relay-harness";
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

  it("stops and resumes taking points as payment with the brand's own wallet; customers see it once indexed", async () => {
    const h = app.harness;
    const accepts = () => h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "acceptsRedemptions", args: [h.a.address] });
    const listed = async () => ((await h.http("GET", "/v1/brands")).body.brands as { address: string; acceptsRedemptions: boolean }[]).find((b) => b.address.toLowerCase() === h.a.address.toLowerCase())?.acceptsRedemptions;
    const { page } = await app.open("/brand", { wallet: { account: privateKeyToAccount(testPrivateKey(1)) }, viewport: DESKTOP });
    await signIn(page, h.a.apiKey);
    // Before a wallet is connected, the card says where to connect it (once for the page, in the backing card).
    await page.getByText("Connect the brand's wallet (in the backing card above) to see and change it.", { exact: true }).waitFor();
    await page.getByRole("button", { name: `Connect ${WALLET}` }).click();
    await expectText(page.getByTestId("redemptions"), "Your shops take points as payment.");
    expect(await accepts()).to.equal(true);

    await page.getByRole("button", { name: "Stop taking points" }).click();
    await expectText(page.getByTestId("redemptions"), "Your shops do not take points as payment.");
    expect(await page.getByTestId("redemptions-status").textContent()).to.match(/^Confirmed in transaction 0x[0-9a-f]{64}\.$/);
    expect(await accepts()).to.equal(false);
    await h.indexed();
    expect(await listed()).to.equal(false);
    await expectAccessible(page);

    await page.getByRole("button", { name: "Take points again" }).click();
    await expectText(page.getByTestId("redemptions"), "Your shops take points as payment.");
    expect(await accepts()).to.equal(true);
    await h.indexed();
    expect(await listed()).to.equal(true);
  });

  it("says how many rewards for consent wait for backing, and that none do once a deposit covered them", async () => {
    const h = app.harness;
    const points = h.deployment.points;
    const wait = async (hash: `0x${string}`) => expect((await h.chain.client.waitForTransactionReceipt({ hash })).status).to.equal("success");
    const balance = () => h.chain.client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [h.b.address] });
    const unit = await h.chain.client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "unitValue" });
    const waiting = async () => (await h.http("GET", "/v1/brand/programme", { auth: h.b.apiKey })).body.rewardsWaitingForBacking as { count: number; points: string };
    async function until(what: string, fn: () => Promise<boolean>): Promise<void> {
      for (let i = 0; i < 1500 && !(await fn()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await fn(), what).to.equal(true);
    }
    // Brand b rewards consent to "shopping-list" with 200 points and keeps the backing of 150: a reward fails on chain.
    expect((await h.http("POST", "/v1/brand/rewards", { auth: h.b.apiKey, body: { purpose: purposeId("shopping-list"), points: "200" } })).status).to.equal(200);
    const withdrawn = (await balance()) - 150n * unit;
    await wait(await h.b.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "withdraw", args: [withdrawn, h.b.address] }));
    await h.consent(newCustomer(), h.b.address, ["shopping-list"]);
    await until("the reward to wait for backing", async () => (await waiting()).count === 1);

    const { page } = await app.open("/brand", { wallet: false });
    await signIn(page, h.b.apiKey);
    await expectText(page.getByTestId("rewards-waiting"), "Rewards for consent waiting for backing: 1 (200 points). They are paid, oldest first, as soon as your backing covers them.");
    await expectAccessible(page);

    // The brand deposits back what it withdrew: the relay pays the reward and the console says none waits.
    await wait(await h.b.wallet.writeContract({ address: h.deployment.settlement, abi: mockStablecoinAbi, functionName: "approve", args: [points, withdrawn] }));
    await wait(await h.b.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "deposit", args: [withdrawn] }));
    await until("the reward to be paid", async () => (await waiting()).count === 0);
    await page.reload();
    await expectText(page.getByTestId("rewards-waiting"), "No reward for consent is waiting for backing.");
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

  it("webhooks: adds an endpoint, shows its secret once, disables it, rotates the secret, deletes it after a confirmation", async () => {
    const h = app.harness;
    const list = async () => (await h.http("GET", "/v1/brand/webhooks/endpoints", { auth: h.a.apiKey })).body.endpoints as { id: string; url: string; eventTypes: string[]; enabled: boolean }[];
    expect(await list()).to.deep.equal([]);
    const { page } = await app.open("/brand", { wallet: false, viewport: DESKTOP });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: h.url });
    await signIn(page, h.a.apiKey);
    await expectText(page.getByTestId("brand-name"), "Brand a");
    // A public host name that is never contacted: no event is queued for the endpoint while it exists.
    const url = "https://crm.brand-a.example/hooks/confiance";
    const types = (await h.http("GET", "/v1/brand/webhooks/event-types", { auth: h.a.apiKey })).body.eventTypes as string[];
    await page.getByLabel("Endpoint URL").fill(url);
    await page.getByLabel("Description (optional)").fill("CRM");
    await page.getByRole("checkbox", { name: "points.redeemed" }).uncheck();
    await page.getByLabel("Endpoint URL").press("Enter");

    // The secret, once, with the warning; it matches nothing kept in the tab.
    const shown = page.getByTestId("webhook-secret");
    await expectText(shown.getByRole("heading"), `Signing secret of ${url}`);
    await expectText(shown.locator("strong"), "Copy it now and keep it in your receiving system: it will not be shown again.");
    const secret = await page.getByRole("textbox", { name: "Signing secret" }).inputValue();
    expect(secret).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await expectAccessible(page);
    await shown.getByRole("button", { name: "Copy the secret" }).click();
    await expectText(shown.getByRole("status"), "Copied.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(secret);
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }))).not.to.include(secret);

    // The endpoint as the relay holds it, and listed on the page.
    const [created] = await list();
    expect(created).to.include({ url, enabled: true });
    expect(created!.eventTypes).to.deep.equal(types.filter((t) => t !== "points.redeemed"));
    const card = page.getByTestId(`webhook-${created!.id}`);
    await expectText(card.getByRole("heading", { level: 3 }), url);
    await expectText(card.getByTestId("webhook-state"), `Enabled · receives ${created!.eventTypes.join(", ")}`);
    await expectText(card.getByRole("heading", { level: 4 }), `Deliveries to ${url}`);
    await shown.getByRole("button", { name: "I have kept it: hide it" }).click();
    expect(await page.getByTestId("webhook-secret").count()).to.equal(0);

    // Disabled, then enabled again.
    await card.getByRole("button", { name: `Disable ${url}` }).click();
    await card.getByRole("button", { name: `Enable ${url}` }).waitFor();
    expect((await list())[0]!.enabled).to.equal(false);
    await card.getByRole("button", { name: `Enable ${url}` }).click();
    await card.getByRole("button", { name: `Disable ${url}` }).waitFor();
    expect((await list())[0]!.enabled).to.equal(true);

    // A rotation asks first, then shows the new secret once.
    page.once("dialog", (d) => void d.accept());
    await card.getByRole("button", { name: `Rotate the secret of ${url}` }).click();
    await expectText(page.getByTestId("webhook-secret").getByRole("heading"), `New signing secret of ${url}`);
    const rotated = await page.getByRole("textbox", { name: "Signing secret" }).inputValue();
    expect(rotated).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rotated).not.to.equal(secret);

    // Deleting asks first: declined, the endpoint stays; accepted, it is gone.
    let asked = "";
    page.once("dialog", (d) => ((asked = d.message()), void d.dismiss()));
    await card.getByRole("button", { name: `Delete ${url}` }).click();
    expect(asked).to.equal(`Delete the endpoint ${url} with its deliveries and their log? This cannot be undone.`);
    expect((await list()).map((e) => e.id)).to.deep.equal([created!.id]);
    page.once("dialog", (d) => void d.accept());
    await card.getByRole("button", { name: `Delete ${url}` }).click();
    await expectText(page.getByText("No endpoint.", { exact: true }), "No endpoint.");
    expect(await list()).to.deep.equal([]);
    await expectAccessible(page);
  });

  it("webhooks: a URL the relay refuses is said so, nothing is added", async () => {
    const h = app.harness;
    const { page, errors } = await app.open("/brand", { wallet: false, locale: "fr-FR" });
    await page.getByLabel("Clé d'API de la marque").fill(h.a.apiKey);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByLabel("URL du point de réception").fill("http://crm.brand-a.example/hooks");
    await page.getByRole("button", { name: "Ajouter le point de réception" }).click();
    await expectText(
      page.getByRole("alert").filter({ hasText: /^Le point de réception/ }),
      "Le point de réception n'a pas été ajouté : the URL must be https:// (http:// only on loopback, when allowed)",
    );
    // The browser logs the refused request; that one, and only it, is expected.
    expect(errors.splice(0)).to.deep.equal([`Failed to load resource: the server responded with a status of 400 (Bad Request) ${h.url}/v1/brand/webhooks/endpoints`]);
    expect(await page.getByTestId("webhook-secret").count()).to.equal(0);
    expect((await h.http("GET", "/v1/brand/webhooks/endpoints", { auth: h.a.apiKey })).body.endpoints).to.deep.equal([]);
    await expectAccessible(page);
  });
});
