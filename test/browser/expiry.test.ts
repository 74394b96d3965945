import { expect } from "chai";
import { keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { coalitionPointsAbi } from "../../client/abis";
import { testAccount, testPrivateKey } from "../support/chain";
import { browserSuite, DESKTOP, expectAccessible, expectText } from "./support/browser";
import { TEST_WALLET_NAME } from "./support/testWallet";

const DAY = 86_400;

describe("Browser: expiry warnings (the brand's console and the wallet)", function () {
  this.timeout(240_000);
  const app = browserSuite();
  const customer = testAccount(16);
  let expiresAt = 0;
  let snapshot: string | undefined;

  before(async function () {
    this.timeout(120_000);
    const h = app.harness;
    const wait = async (hash: `0x${string}`) => expect((await h.chain.client.waitForTransactionReceipt({ hash })).status).to.equal("success");
    const points = h.deployment.points;
    await wait(await h.a.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "issue", args: [h.a.address, customer.address, 70n, keccak256(toHex("expiry-1"))] }));
    // The chain is shared by the run's suites: its clock comes back (after the relay stops) for those that follow.
    snapshot = await h.chain.rpc<string>("evm_snapshot");
    // A 40-day period; turning expiry on applies only after the 30-day notice, so the chain moves 31 days on.
    await wait(await h.chain.wallet(0).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "setExpiryPeriod", args: [40 * DAY] }));
    await h.chain.increaseTime(31 * DAY);
    await h.syncClock();
    await h.indexed();
    const last = await h.chain.client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "lastActivity", args: [customer.address] });
    expiresAt = Number(last) + 40 * DAY;
  });

  after(async () => {
    if (snapshot) expect(await app.harness.chain.rpc<boolean>("evm_revert", [snapshot])).to.equal(true);
  });

  it("lists in the brand's console the balance that expires within 30 days, with its date", async () => {
    const h = app.harness;
    const { page } = await app.open("/brand", { wallet: false });
    await page.getByLabel("Brand API key").fill(h.a.apiKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    const section = page.getByTestId("expiring");
    await expectText(section.getByRole("heading", { level: 2 }), "Points about to expire");
    const row = section.locator(`tbody tr[data-customer="${customer.address.toLowerCase()}"]`);
    await row.waitFor();
    expect((await row.locator("th, td").allTextContents())[0]!.trim()).to.equal(customer.address.toLowerCase());
    expect((await row.locator("td").first().textContent())!.trim()).to.equal("70");
    expect(await row.locator("time").getAttribute("datetime")).to.equal(new Date(expiresAt * 1000).toISOString());
    await expectText(section.locator("p.muted"), "Expiry period in force: 40 days without activity.");
    await expectAccessible(page);
  });

  it("shows the customer's wallet its balance's expiry date, in French too", async () => {
    const account = privateKeyToAccount(testPrivateKey(16));
    const { page } = await app.open("/", { wallet: { account }, locale: "fr-FR", viewport: DESKTOP });
    await page.getByRole("button", { name: `Connecter ${TEST_WALLET_NAME}` }).click();
    await expectText(page.getByTestId("balance"), "70", 15_000);
    const expiry = page.getByTestId("points-expiry");
    expect(await expiry.locator("time").getAttribute("datetime")).to.equal(new Date(expiresAt * 1000).toISOString());
    const label = await page.locator("dl.figures div", { has: expiry }).locator("dt").textContent();
    expect(label).to.equal("Expire sans activité le");
    await expectAccessible(page);
  });
});
