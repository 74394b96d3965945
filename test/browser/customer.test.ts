import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import type { Locator, Page } from "playwright-core";
import { keccak256, toHex, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { parseReceipt } from "../../client/receipts";
import pino from "pino";
import { Registry } from "prom-client";
import { createRelay } from "../../server/relay";
import { WEB_DIST } from "../../scripts/lib/webBuild";
import { signDeviceRequest } from "../../client";
import type { Harness } from "../server/relay-harness";
import { browserSuite, DESKTOP, expectAccessible, expectText, screenshot, SCREENSHOTS } from "./support/browser";
import { TEST_WALLET_NAME } from "./support/testWallet";

/** The journey's customer, the same at every run so that the screenshots change only with the app. */
const CUSTOMER = privateKeyToAccount(keccak256(toHex("confiance wallet journey")));

/** docs/screenshots/<name>.png, only with SCREENSHOTS=1 (they are committed). */
async function shot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS === "1") await screenshot(page, name);
}
void SCREENSHOTS;

/** Describes brand A's and B's purposes to customers (discovery), as a brand does once. */
async function describePurposes(h: Harness): Promise<void> {
  const purposes = [
    { name: "in-store-recognition", categories: ["identity", "location"] },
    { name: "loyalty", categories: ["identity", "purchase-history"] },
    { name: "shopping-list", categories: ["preferences"] },
  ];
  for (const apiKey of [h.a.apiKey, h.b.apiKey]) {
    for (const p of purposes) {
      const r = await h.http("POST", "/v1/brand/purposes", { auth: apiKey, body: p });
      if (r.status !== 200) throw new Error(`purpose: ${JSON.stringify(r.body)}`);
    }
  }
}

async function connect(page: Page): Promise<void> {
  await page.getByRole("button", { name: `Connect ${TEST_WALLET_NAME}` }).click();
  await page.getByTestId("account").waitFor();
}

/** Brand `address`'s card on the wallet page, and one purpose row in it. */
const brandCard = (page: Page, address: Address) => page.locator(`li.brand[data-brand="${address.toLowerCase()}"]`);
const purposeRow = (page: Page, brand: Address, name: string) => brandCard(page, brand).locator(`li.purpose[data-purpose="${name}"]`);

/** Waits until the row's action is confirmed on chain; returns the transaction hash it shows. */
async function confirmed(part: Locator): Promise<`0x${string}`> {
  const status = part.locator('.action-status[data-stage="confirmed"]');
  await status.waitFor({ timeout: 30_000 });
  return (await status.locator(".hash").textContent()) as `0x${string}`;
}

async function staffScreen(app: ReturnType<typeof browserSuite>): Promise<Page> {
  const { page } = await app.open("/staff", { wallet: false, viewport: DESKTOP });
  await page.getByLabel("The brand's API key").fill(app.harness.a.apiKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator('[data-testid="stream-status"][data-status="live"]').waitFor({ timeout: 10_000 });
  return page;
}

describe("Browser: the customer's wallet and the staff screen", function () {
  this.timeout(240_000);
  const app = browserSuite();
  before(async () => describePurposes(app.harness));

  it("grants two purposes on chain, is greeted on the staff screen within a second, revokes, and is never shown again", async () => {
    const h = app.harness;
    const { page, wallet } = await app.open("/", { wallet: { account: CUSTOMER }, viewport: DESKTOP });
    await connect(page);
    await brandCard(page, h.a.address).waitFor();
    expect(await purposeRow(page, h.a.address, "loyalty").getByTestId("purpose-state").textContent()).to.equal("Not granted: nothing is shared for this purpose.");
    await expectAccessible(page);

    const staff = await staffScreen(app);
    await expectAccessible(staff);

    for (const name of ["in-store-recognition", "loyalty"]) {
      const row = purposeRow(page, h.a.address, name);
      await row.getByRole("button", { name: "Grant" }).click();
      const hash = await confirmed(row);
      expect((await h.chain.client.getTransactionReceipt({ hash })).status).to.equal("success");
      expect(await h.chain.client.readContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "isGranted", args: [wallet.address, h.a.address, purposeId(name)] })).to.equal(true);
      await row.locator('[data-testid="purpose-state"][data-state="granted"]').waitFor({ timeout: 10_000 });
    }
    expect(await purposeRow(page, h.a.address, "shopping-list").getByTestId("purpose-state").getAttribute("data-state"), "nothing else granted").to.equal("none");
    await h.indexed();

    // A name for the greeting, shared by signature once in-store recognition is granted.
    const card = brandCard(page, h.a.address);
    await card.locator("summary").click();
    await card.getByLabel("Name to share").fill("Camille");
    await card.getByRole("button", { name: "Share this name" }).click();
    await expectText(card.locator('.action-status[data-stage="done"]').first(), "Shared: staff will see \u201cCamille\u201d.", 15_000);

    const walkIn = Date.now();
    expect((await h.deviceEvent(h.a.device, { eventId: "journey-1", kind: "presence", customer: { wallet: wallet.address } })).status).to.equal(202);
    const shown = staff.locator(`li.customer[data-customer="${wallet.address.toLowerCase()}"]`);
    await shown.waitFor({ timeout: 1000 });
    expect(Date.now() - walkIn, "on the staff screen within a second").to.be.below(1000);
    await expectText(shown.locator("h3"), "Camille");
    expect(await shown.textContent()).to.contain("First visit").and.contain("1 visit(s)");
    await expectAccessible(staff);
    await shot(staff, "staff-screen");
    await shot(page, "wallet-consents");

    const row = purposeRow(page, h.a.address, "in-store-recognition");
    await row.getByRole("button", { name: "Revoke" }).click();
    await confirmed(row);
    expect(await h.chain.client.readContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "isGranted", args: [wallet.address, h.a.address, purposeId("in-store-recognition")] })).to.equal(false);
    expect(await h.count("relay_display_names", "subject = $1", [wallet.address.toLowerCase()]), "the shared name is erased").to.equal(0);

    const again = await h.deviceEvent(h.a.device, { eventId: "journey-2", kind: "presence", customer: { wallet: wallet.address } });
    expect(again.body.dropped).to.equal("no_consent");
    await new Promise((r) => setTimeout(r, 1500));
    expect(await staff.locator("li.customer").count()).to.equal(1);
    expect(await shown.textContent(), "the card did not change").to.contain("1 visit(s)").and.not.contain("2 visit(s)");
  });

  it("redeems at another brand, with both balances moving, and downloads a consent receipt", async () => {
    const h = app.harness;
    const { page, wallet } = await app.open("/", { viewport: DESKTOP });
    await connect(page);
    const row = purposeRow(page, h.a.address, "loyalty");
    await row.getByRole("button", { name: "Grant" }).click();
    await confirmed(row);
    await h.indexed();
    const bought = await h.deviceEvent(h.a.device, { eventId: `buy-${wallet.address}`, kind: "purchase", customer: { wallet: wallet.address }, receipt: `R-${wallet.address}`, amount: "50" });
    expect(bought.body.points).to.equal("100");
    expect((await h.settled(bought.body.operationId)).status).to.equal("confirmed");
    await expectText(page.getByTestId("balance"), "100", 15_000);

    const brandBefore = await h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [h.b.address] });
    await page.getByLabel("Where").selectOption(h.b.address.toLowerCase());
    await page.getByLabel("Points to spend").fill("40");
    await page.getByLabel("Order reference").fill("ORDER-42");
    await page.getByRole("button", { name: "Spend the points" }).click();
    const hash = await confirmed(page.locator("section.sub", { has: page.getByRole("heading", { name: "Spend points at a partner" }) }));
    expect((await h.chain.client.getTransactionReceipt({ hash })).status).to.equal("success");
    await expectText(page.getByTestId("balance"), "60", 15_000);
    const brandAfter = await h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [h.b.address] });
    expect(brandAfter > brandBefore, "brand B was credited the points' backing").to.equal(true);
    await page.getByTestId("movements").getByText("\u221240 spent at Brand b").waitFor({ timeout: 10_000 });
    await page.getByTestId("movements").getByText("+100 earned at Brand a").waitFor();

    const download = page.waitForEvent("download");
    await page.getByTestId("history").getByRole("button", { name: "Download the receipt" }).first().click();
    const file = await (await download).path();
    const receipt = parseReceipt(JSON.parse(fs.readFileSync(file!, "utf8")));
    expect(receipt).to.deep.include({ version: "confiance-receipt/1", subject: wallet.address.toLowerCase(), controller: h.a.address, legalBasis: "consent" });
    expect(receipt.purpose).to.deep.equal({ id: purposeId("loyalty"), name: "loyalty" });
    expect(receipt.event.type).to.equal("grant");
    expect(receipt.categories.names).to.deep.equal(["identity", "purchase-history"]);
    expect((await h.chain.client.getTransactionReceipt({ hash: receipt.evidence.transactionHash as `0x${string}` })).status).to.equal("success");
    void path;
  });

  it("says when the brand published a new notice, and renews on it", async () => {
    const h = app.harness;
    const { page, wallet } = await app.open("/", { viewport: DESKTOP });
    await connect(page);
    const row = purposeRow(page, h.b.address, "shopping-list");
    await row.getByRole("button", { name: "Grant" }).click();
    await confirmed(row);
    const v2 = keccak256(toHex("shopping-list notice v2"));
    const tx = await h.b.wallet.writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "definePurpose", args: [purposeId("shopping-list"), v2, "https://brand.example/shopping-list/v2"] });
    await h.chain.client.waitForTransactionReceipt({ hash: tx });
    await h.indexed();
    await page.reload();
    const prompt = purposeRow(page, h.b.address, "shopping-list").getByTestId("renewal");
    await expectText(prompt.locator("p"), "Brand b published a new notice (version 2) for this purpose. Read it, then renew your consent on it, or revoke it.", 15_000);
    await expectAccessible(page);
    await shot(page, "wallet-renewal");
    await prompt.getByRole("button", { name: "Renew on the new notice" }).click();
    await confirmed(purposeRow(page, h.b.address, "shopping-list"));
    await h.indexed();
    await purposeRow(page, h.b.address, "shopping-list").getByTestId("renewal").waitFor({ state: "detached", timeout: 15_000 });
    const { consents } = (await h.http("GET", `/v1/customers/${wallet.address}/consents`)).body as { consents: { controller: string; purpose: string; noticeHash: string }[] };
    expect(consents.find((c) => c.controller === h.b.address && c.purpose === purposeId("shopping-list"))?.noticeHash).to.equal(v2);
  });

  it("says in words that the wallet refused to sign, sends nothing, and keeps granting and refusing the same weight", async () => {
    const h = app.harness;
    const { page, wallet } = await app.open("/");
    await connect(page);
    const row = purposeRow(page, h.a.address, "loyalty");
    await row.waitFor();
    expect(await page.locator('input[type="checkbox"]:checked').count(), "nothing pre-ticked").to.equal(0);
    const before = await h.count("operations");
    wallet.refuse("sign");
    await row.getByRole("button", { name: "Grant" }).click();
    const alert = row.getByRole("alert");
    await expectText(alert.locator("p").first(), "You declined to sign in your wallet. Nothing was sent.");
    expect(await alert.getAttribute("data-code")).to.equal("wallet_refused");
    expect(await h.count("operations")).to.equal(before);
    expect(await row.getByRole("button", { name: "Grant" }).isEnabled()).to.equal(true);
    await expectAccessible(page);
  });

  it("links and unlinks a loyalty card, and shows and clears the shopping list, each by signature", async () => {
    const h = app.harness;
    const { page, wallet } = await app.open("/", { viewport: DESKTOP });
    await connect(page);
    const row = purposeRow(page, h.a.address, "shopping-list");
    await row.getByRole("button", { name: "Grant" }).click();
    await confirmed(row);
    await h.indexed();
    expect((await h.deviceEvent(h.a.device, { eventId: `scan-${wallet.address}`, kind: "scan", customer: { wallet: wallet.address }, productCode: "3017620422003" })).body.dropped).to.equal(undefined);

    const card = brandCard(page, h.a.address);
    await card.locator("summary").click();
    const list = card.locator("section.sub", { has: page.getByRole("heading", { name: "Shopping list" }) });
    await list.getByRole("button", { name: "Show my list" }).click();
    await expectText(list.getByTestId("shopping-list").locator("code"), "3017620422003", 15_000);
    await list.getByRole("button", { name: "Clear my list" }).click();
    await expectText(list.locator('.action-status[data-stage="done"]'), "List cleared (1 item(s) removed).", 15_000);
    expect((await h.http("GET", `/v1/brand/customers/${wallet.address}/shopping-list`, { auth: h.a.apiKey })).body.items).to.deep.equal([]);

    const cards = card.locator("section.sub", { has: page.getByRole("heading", { name: "Loyalty card" }) });
    await cards.getByLabel("Card number").fill("CARD-0042");
    await cards.getByRole("button", { name: "Link this card", exact: true }).click();
    await expectText(cards.locator('.action-status[data-stage="done"]'), "Card linked to this wallet.", 15_000);
    expect(await h.count("relay_card_links", "subject = $1", [wallet.address.toLowerCase()])).to.equal(1);
    await cards.getByRole("button", { name: "Unlink this card" }).click();
    await expectText(cards.locator('.action-status[data-stage="done"]'), "Card unlinked.", 15_000);
    expect(await h.count("relay_card_links", "subject = $1", [wallet.address.toLowerCase()])).to.equal(0);
    await expectAccessible(page);
  });

  it("fills in a redemption from the till's QR code link", async () => {
    const h = app.harness;
    const { page, errors } = await app.open(`/?redeem=${h.b.address}&order=TILL-7&points=25`);
    await connect(page);
    expect(await page.getByLabel("Where").inputValue()).to.equal(h.b.address.toLowerCase());
    expect(await page.getByLabel("Points to spend").inputValue()).to.equal("25");
    expect(await page.getByLabel("Order reference").inputValue()).to.equal("TILL-7");
    // The relay refuses (the new customer has no points): said in words, with its code.
    await page.getByRole("button", { name: "Spend the points" }).click();
    const alert = page.locator('.action-status[data-stage="failed"]');
    await expectText(alert.locator("p").first(), "You do not have that many points.", 15_000);
    expect(await alert.getAttribute("data-code")).to.equal("insufficient_points");
    // The browser logs the relay's 422 answer as a failed resource; that one line is expected, nothing else.
    expect(errors.splice(0)).to.satisfy((e: string[]) => e.length === 1 && /status of 422 .*\/v1\/points\/redeem$/.test(e[0]!));
    await page.getByLabel("The till's link (from its QR code)").fill("https://example.org/?redeem=0x12&order=x");
    await page.getByRole("button", { name: "Fill in from the link" }).click();
    await page.getByText("This is not a till's link", { exact: false }).waitFor();
  });

  // A refused key is a 401 the browser logs as a console error: the client's watchStore test covers it (test/server/relay-personal.test.ts).
  it("shows the staff screen in French and never shows a customer without consent", async () => {
    const h = app.harness;
    const { page } = await app.open("/staff", { wallet: false, locale: "fr-FR" });
    await page.getByLabel("La clé d'API de la marque").fill(h.a.apiKey);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.locator('[data-testid="stream-status"][data-status="live"]').waitFor({ timeout: 10_000 });
    const stranger = privateKeyToAccount(keccak256(toHex("a stranger")));
    expect((await h.deviceEvent(h.a.device, { eventId: "stranger-1", kind: "presence", customer: { wallet: stranger.address } })).body.dropped).to.equal("no_consent");
    await new Promise((r) => setTimeout(r, 1000));
    expect(await page.locator("li.customer").count()).to.equal(0);
    await page.getByText("Personne de reconnu pour l'instant.").waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("confiance.staff.apiKey"))).to.equal(h.a.apiKey);
    expect(await page.evaluate(() => localStorage.getItem("confiance.staff.apiKey")), "never beyond the tab").to.equal(null);
    await expectAccessible(page);
  });

  it("keeps the staff screen live across a relay restart, by itself", async () => {
    const h = app.harness;
    const deps = () => ({
      config: h.config,
      db: h.t.db,
      chain: { client: h.chain.client, chainId: h.deployment.chainId, deployment: h.deployment, rpcUrl: h.chain.url },
      logger: pino({ level: "silent" }),
      registry: new Registry(),
    });
    // A second relay over the same database serves the app; it is stopped and started again on its port.
    const first = await createRelay(deps(), { submitter: false, indexer: false, web: { dir: WEB_DIST } });
    const url = await first.listen(0, "127.0.0.1");
    const port = Number(new URL(url).port);
    const { page, errors } = await app.open("/staff", { wallet: false });
    await page.goto(`${url}/staff`);
    await page.getByLabel("The brand's API key").fill(h.a.apiKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    const live = page.locator('[data-testid="stream-status"][data-status="live"]');
    await live.waitFor({ timeout: 10_000 });
    await first.stop();
    await page.locator('[data-testid="stream-status"][data-status="reconnecting"]').waitFor({ timeout: 10_000 });
    const second = await createRelay(deps(), { submitter: false, indexer: false, web: { dir: WEB_DIST } });
    try {
      await second.listen(port, "127.0.0.1");
      await live.waitFor({ timeout: 15_000 });
      const customer = privateKeyToAccount(keccak256(toHex("back after the restart")));
      await h.consent(customer, h.a.address, ["in-store-recognition"]);
      const path = `/v1/stores/${h.a.storeId}/events`;
      const body = JSON.stringify({ eventId: "after-restart", kind: "presence", customer: { wallet: customer.address } });
      const headers = signDeviceRequest({ privateKey: h.a.device.privateKeyPem, deviceId: h.a.device.id, method: "POST", path, body });
      const res = await fetch(`${url}${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
      expect(res.status).to.equal(202);
      await staffCard(page, customer.address).waitFor({ timeout: 1000 });
      // While the relay was down the browser logged each refused connection of the stream; nothing else.
      const down = errors.splice(0);
      expect(down.length).to.be.at.least(1);
      for (const e of down) expect(e).to.match(/^Failed to load resource: net::ERR_CONNECTION_REFUSED \S+\/v1\/brand\/stores\/store-a\/stream$/);
    } finally {
      await second.stop();
    }
  });
});

const staffCard = (page: Page, customer: Address) => page.locator(`li.customer[data-customer="${customer.toLowerCase()}"]`);
