import { expect } from "chai";
import type { Page } from "playwright-core";
import { newCustomer } from "../server/relay-harness";
import { browserSuite, expectAccessible } from "./support/browser";
import { TEST_WALLET_NAME } from "./support/testWallet";

async function connect(page: Page): Promise<void> {
  await page.getByRole("button", { name: `Connect ${TEST_WALLET_NAME}` }).click();
  await page.getByTestId("account").waitFor();
}

describe("Browser: the wallet's \"Your data\" section", function () {
  this.timeout(180_000);
  const app = browserSuite();

  it("downloads what the relay holds about the wallet, then erases it with the report, each by one signature", async () => {
    const customer = newCustomer();
    const h = app.harness;
    await h.consent(customer, h.a.address, ["in-store-recognition"]);
    const seen = await h.deviceEvent(h.a.device, { eventId: `yd-${customer.address}`, kind: "presence", customer: { wallet: customer.address } });
    expect(seen.body.dropped).to.equal(undefined);
    const subject = customer.address.toLowerCase();
    expect(await h.count("relay_visits", "subject = $1", [subject])).to.equal(1);

    const { page } = await app.open("/", { wallet: { account: customer } });
    await connect(page);
    const section = page.getByTestId("your-data");
    await section.getByRole("button", { name: "Download my data" }).click();
    await section.getByText("Your data is ready:", { exact: false }).waitFor();
    const link = section.getByRole("link", { name: "Save the file" });
    expect(await link.getAttribute("download")).to.equal(`confiance-${subject}.json`);
    expect(await h.count("data_requests", "subject = $1 AND kind = 'access'", [subject])).to.equal(1);
    await expectAccessible(page);

    const erase = section.getByRole("button", { name: "Erase my data" });
    expect(await erase.isDisabled()).to.equal(true);
    await section.getByLabel("I understand", { exact: false }).check();
    await erase.click();
    await section.getByText("Erased:", { exact: false }).waitFor();
    await section.getByText("On chain: Records on the chain cannot be erased", { exact: false }).waitFor();
    expect(await h.count("relay_visits", "subject = $1", [subject])).to.equal(0);
    expect(await h.count("data_requests", "subject = $1 AND kind = 'erase'", [subject])).to.equal(1);
  });

  it("says so when the wallet declines, and sends nothing", async () => {
    const customer = newCustomer();
    const { page, wallet } = await app.open("/", { wallet: { account: customer } });
    await connect(page);
    wallet.refuse("sign");
    const section = page.getByTestId("your-data");
    await section.getByRole("button", { name: "Download my data" }).click();
    await section.getByText("You declined the signature in your wallet", { exact: false }).waitFor();
    expect(await app.harness.count("data_requests", "subject = $1", [customer.address.toLowerCase()])).to.equal(0);
  });
});
