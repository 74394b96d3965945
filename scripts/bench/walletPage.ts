/**
 * The customer's wallet page in headless Chromium against a relay process serving the build, with the
 * browser tests' injected wallet (test/browser/support/testWallet.ts, a viem local account):
 *
 * - JavaScript shipped for `/`: gzip (level 9) of the scripts index.html loads (webBundleSize);
 * - navigation to an interactive wallet page: from `page.goto("/")` (wallet already connected once in
 *   this profile, so wagmi reconnects) to the first consent button of the brand's purposes on screen,
 *   i.e. configuration, wallet, brands and consents read and rendered;
 * - the click on "Revoke" to "Confirmed on chain." in that purpose's row (the wallet signs, the relay
 *   queues, the submitter sends, the chain mines, the relay reports the operation confirmed), after a
 *   grant made through the page and a reload (not timed).
 */
import type { Address } from "viem";
import { relayRequest } from "../../client/relay/relayRequest";
import { createRelayClient } from "../../client";
import { buildWeb, webBundleSize } from "../lib/webBuild";
import { launchChromium } from "../../test/browser/support/browser";
import { TestWallet, TEST_WALLET_NAME } from "../../test/browser/support/testWallet";

export interface WalletPageTimes {
  /** gzip bytes of the JavaScript loaded for `/`. */
  jsGzip: number;
  /** Navigation to the first consent button on screen, ms, per run. */
  interactive: number[];
  /** Click on "Revoke" to "Confirmed on chain.", ms, per run. */
  revoke: number[];
}

export async function timeWalletPage(o: { url: string; apiKey: string; brand: Address; chainId: number; rpcUrl: string; runs: number }): Promise<WalletPageTimes> {
  await buildWeb({ ifStale: true, quiet: true });
  const relay = createRelayClient({ url: o.url });
  // The page grants what the brand describes: the purpose's data categories, as a brand tells them once.
  await relayRequest(relay, { method: "POST", path: "/v1/brand/purposes", bearer: o.apiKey, body: { name: "in-store-recognition", categories: ["identity", "location"] } });
  const out: WalletPageTimes = { jsGzip: webBundleSize().jsGzip, interactive: [], revoke: [] };
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "en-GB" });
    const page = await context.newPage();
    const wallet = new TestWallet({ chainId: o.chainId, chains: { [o.chainId]: o.rpcUrl } });
    await wallet.install(page);
    // What the page said, for the error should it never offer the wallet.
    const said: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && said.push(`console: ${m.text()}`)));
    page.on("pageerror", (err) => void said.push(`page error: ${err.message}`));
    page.on("requestfailed", (r) => void said.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
    await page.goto(`${o.url}/`);
    try {
      await page.getByRole("button", { name: `Connect ${TEST_WALLET_NAME}` }).click();
    } catch (err) {
      const text = (await page.locator("body").innerText().catch(() => "")).slice(0, 2000);
      throw new Error(`the wallet page never offered "Connect ${TEST_WALLET_NAME}": ${(err as Error).message}\npage text: ${text}\n${said.join("\n")}`);
    }
    const row = page.locator(`li.brand[data-brand="${o.brand.toLowerCase()}"] li.purpose[data-purpose="in-store-recognition"]`);
    await row.waitFor({ timeout: 30_000 });
    for (let i = 0; i < o.runs; i++) {
      const t0 = performance.now();
      await page.goto(`${o.url}/`);
      await page.locator("li.purpose button.choice").first().waitFor({ timeout: 30_000 });
      out.interactive.push(performance.now() - t0);

      await row.getByRole("button", { name: "Grant" }).click();
      await row.locator('.action-status[data-stage="confirmed"]').waitFor({ timeout: 60_000 });
      await page.reload();
      await row.locator('[data-testid="purpose-state"][data-state="granted"]').waitFor({ timeout: 60_000 });
      const t1 = performance.now();
      await row.getByRole("button", { name: "Revoke" }).click();
      await row.locator('.action-status[data-stage="confirmed"]').waitFor({ timeout: 60_000 });
      out.revoke.push(performance.now() - t1);
      await row.locator('[data-testid="purpose-state"][data-state="revoked"]').waitFor({ timeout: 60_000 });
    }
    await context.close();
  } finally {
    await browser.close();
  }
  return out;
}
