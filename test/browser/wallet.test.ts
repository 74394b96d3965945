import { expect } from "chai";
import type { Page } from "playwright-core";
import { keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { consentLedgerAbi } from "../../client/abis";
import { newCustomer } from "../server/relay-harness";
import { browserSuite, DESKTOP, expectAccessible, expectText, screenshot } from "./support/browser";
import { TEST_WALLET_NAME } from "./support/testWallet";

/** The account of the screenshots' wallet, the same at every run so that they change only with the app. */
const SCREENSHOT_ACCOUNT = privateKeyToAccount(keccak256(toHex("confiance screenshots")));

/** The chain a test wallet is on when it is on the wrong one (Ethereum mainnet; never reached). */
const OTHER_CHAIN = 1;

async function connect(page: Page, name = TEST_WALLET_NAME): Promise<void> {
  await page.getByRole("button", { name: `Connect ${name}` }).click();
  await page.getByTestId("account").waitFor();
}

/** A date input's value `days` from today. */
function daysFromNow(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

describe("Browser: the wallet room", function () {
  this.timeout(120_000);
  const app = browserSuite();

  describe("connecting", () => {
    it("connects the wallet announced by EIP-6963 and shows its address, the relay's chain and the brands", async () => {
      const { page, wallet } = await app.open("/", { wallet: { account: SCREENSHOT_ACCOUNT } });
      await expectText(page.getByRole("heading", { level: 1 }), "Your consents and points");
      await expectAccessible(page);
      await connect(page);
      expect(await page.getByTestId("account").textContent()).to.equal(wallet.address);
      expect(await page.getByTestId("chain").textContent()).to.contain(`chain ${app.harness.deployment.chainId}`);
      const brands = await app.harness.http("GET", "/v1/brands");
      if (brands.status === 404) await page.getByText("No brand is listed on this relay yet.").waitFor();
      else for (const b of brands.body.brands as { name: string }[]) await page.getByRole("heading", { name: b.name }).waitFor();
      await expectAccessible(page);
      await screenshot(page, "wallet-phone");
    });

    it("connects a wallet that only sets window.ethereum (a mobile wallet's browser), reconnects after a reload, disconnects", async () => {
      const { page, wallet } = await app.open("/", { wallet: { announce: false } });
      await connect(page, "browser wallet");
      expect(await page.getByTestId("account").textContent()).to.equal(wallet.address);
      await page.reload();
      await expectText(page.getByTestId("account"), wallet.address);
      await page.getByRole("button", { name: "Disconnect" }).click();
      await page.getByRole("button", { name: "Connect browser wallet" }).waitFor();
      expect(wallet.connected).to.equal(false);
    });

    it("says so when the browser has no wallet", async () => {
      const { page } = await app.open("/", { wallet: false });
      await page.getByText("No wallet found in this browser.", { exact: false }).waitFor();
      expect(await page.getByRole("button", { name: /^Connect/ }).count()).to.equal(0);
    });

    it("says in words that the person declined the connection", async () => {
      const { page, wallet } = await app.open("/");
      wallet.refuse("connect");
      await page.getByRole("button", { name: `Connect ${TEST_WALLET_NAME}` }).click();
      await expectText(page.getByRole("alert"), "You declined the connection in your wallet.");
    });
  });

  describe("when the wallet is on another chain", () => {
    it("detects it and switches the wallet to the relay's chain", async () => {
      const { chainId } = app.harness.deployment;
      const { page, wallet } = await app.open("/", { wallet: { chainId: OTHER_CHAIN, chains: { [OTHER_CHAIN]: undefined, [chainId]: app.harness.chain.url } } });
      await connect(page);
      await page.getByTestId("wrong-chain").waitFor();
      expect(await page.getByTestId("wrong-chain").textContent()).to.contain(`chain ${OTHER_CHAIN}`);
      expect(await page.getByLabel("Delegate's address").count(), "no action offered on the wrong chain").to.equal(0);
      await expectAccessible(page);
      await page.getByRole("button", { name: /^Switch to/ }).click();
      await page.getByTestId("chain").waitFor();
      expect(wallet.chainId).to.equal(chainId);
      expect(wallet.calls).to.include("wallet_switchEthereumChain").and.not.include("wallet_addEthereumChain");
    });

    it("adds the relay's chain (its RPC URL from GET /v1/config) when the wallet does not know it", async () => {
      const { chainId } = app.harness.deployment;
      const { page, wallet } = await app.open("/", { wallet: { chainId: OTHER_CHAIN, chains: { [OTHER_CHAIN]: undefined } } });
      await connect(page);
      await page.getByRole("button", { name: /^Switch to/ }).click();
      await page.getByTestId("chain").waitFor();
      expect(wallet.chainId).to.equal(chainId);
      expect(wallet.calls.filter((c) => /^wallet_(switch|add)EthereumChain$/.test(c))).to.deep.equal(["wallet_switchEthereumChain", "wallet_addEthereumChain"]);
      expect(wallet.chains.get(chainId)).to.equal(app.harness.chain.url);
      // The wallet now reads the chain through the URL the relay published.
      expect(await page.evaluate(() => (window as unknown as { ethereum: { request(a: unknown): Promise<string> } }).ethereum.request({ method: "eth_blockNumber" }))).to.match(/^0x[0-9a-f]+$/);
    });

    it("notices when the person moves the wallet to another chain, and says the switch was declined", async () => {
      const { page, wallet } = await app.open("/");
      await connect(page);
      await wallet.userSwitchesTo(OTHER_CHAIN);
      await page.getByTestId("wrong-chain").waitFor();
      wallet.refuse("switchChain");
      await page.getByRole("button", { name: /^Switch to/ }).click();
      await expectText(page.getByRole("alert"), "You declined the network switch.");
    });
  });

  describe("a signed action (appointing a delegate)", () => {
    it("says in words that the wallet refused to sign, and sends nothing to the relay", async () => {
      const { page, wallet } = await app.open("/");
      await connect(page);
      const before = await app.harness.count("operations");
      wallet.refuse("sign");
      await page.getByLabel("Delegate's address").fill(newCustomer().address);
      await page.getByLabel("Until").fill(daysFromNow(30));
      await page.getByRole("button", { name: "Appoint" }).click();
      const alert = page.getByRole("alert");
      await expectText(alert, "You declined to sign in your wallet. Nothing was sent.");
      expect(await alert.getAttribute("data-code")).to.equal("wallet_refused");
      expect(wallet.calls).to.include("eth_signTypedData_v4");
      expect(await app.harness.count("operations")).to.equal(before);
      expect(await page.getByRole("button", { name: "Appoint" }).isEnabled(), "the person may try again").to.equal(true);
      await expectAccessible(page);
    });

    it("follows an accepted signature from the wallet to the chain, with the transaction hash", async () => {
      const { page, wallet } = await app.open("/", { viewport: DESKTOP });
      await connect(page);
      const delegate = newCustomer().address;
      await page.getByLabel("Delegate's address").fill(delegate);
      await page.getByLabel("Until").fill(daysFromNow(30));
      await page.getByRole("button", { name: "Appoint" }).click();
      const status = page.locator('.action-status[data-stage="confirmed"]');
      await status.waitFor({ timeout: 30_000 });
      const hash = (await status.locator(".hash").textContent()) as `0x${string}`;
      const receipt = await app.harness.chain.client.getTransactionReceipt({ hash });
      expect(receipt.status).to.equal("success");
      const until = await app.harness.chain.client.readContract({ address: app.harness.deployment.ledger, abi: consentLedgerAbi, functionName: "delegateUntil", args: [wallet.address, delegate] });
      expect(until).to.be.greaterThan(Math.floor(Date.now() / 1000) + 29 * 86_400);
      await screenshot(page, "wallet-delegate-confirmed");
    });

    it("refuses a delegate that is not an address, before the wallet is asked", async () => {
      const { page, wallet } = await app.open("/");
      await connect(page);
      await page.getByLabel("Delegate's address").fill("0x1234");
      await page.getByRole("button", { name: "Appoint" }).click();
      await page.getByText("Enter an address", { exact: false }).waitFor();
      expect(await page.getByLabel("Delegate's address").getAttribute("aria-invalid")).to.equal("true");
      expect(wallet.calls).to.not.include("eth_signTypedData_v4");
    });
  });

  describe("languages", () => {
    it("follows the browser's French, switches to English and keeps the choice", async () => {
      const { page } = await app.open("/", { locale: "fr-FR", wallet: { account: SCREENSHOT_ACCOUNT } });
      await expectText(page.getByRole("heading", { level: 1 }), "Vos consentements et vos points");
      expect(await page.locator("html").getAttribute("lang")).to.equal("fr");
      await page.getByRole("button", { name: `Connecter ${TEST_WALLET_NAME}` }).click();
      await page.getByText("Compte connecté").waitFor();
      await expectAccessible(page);
      await screenshot(page, "wallet-phone-fr");
      await page.getByRole("button", { name: "English" }).click();
      await expectText(page.getByRole("heading", { level: 1 }), "Your consents and points");
      expect(await page.locator("html").getAttribute("lang")).to.equal("en");
      await page.reload();
      await expectText(page.getByRole("heading", { level: 1 }), "Your consents and points");
      expect(await page.getByRole("button", { name: "English" }).getAttribute("aria-pressed")).to.equal("true");
    });
  });

  describe("keyboard", () => {
    it("reaches the skip link, the rooms, the languages and the wallet with Tab, and connects with Enter", async () => {
      const { page, wallet } = await app.open("/");
      await page.getByRole("button", { name: `Connect ${TEST_WALLET_NAME}` }).waitFor();
      const focused: string[] = [];
      for (let i = 0; i < 9; i++) {
        await page.keyboard.press("Tab");
        focused.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ""));
      }
      expect(focused).to.deep.equal(["Skip to content", "Wallet", "Staff", "Brand", "Audit", "Coalition", "English", "Français", `Connect ${TEST_WALLET_NAME}`]);
      await page.keyboard.press("Enter");
      await expectText(page.getByTestId("account"), wallet.address);
    });
  });
});
