import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import axe from "axe-core";
import { buildWeb, WEB_DIST } from "../../../scripts/lib/webBuild";
import { Harness } from "../../server/relay-harness";
import { TestWallet, type TestWalletOptions } from "./testWallet";

/**
 * The browser suites' harness: the built app (built once per run, when stale), served by a real relay
 * over a real local chain and database, in headless Chromium (the system's: CHROMIUM_PATH, default
 * /usr/bin/chromium) with a test wallet injected. Every page fails its test on a console error.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = path.resolve(__dirname, "../../../docs/screenshots");
/** A phone's screen (CSS pixels), and a laptop's. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

let built: Promise<unknown> | undefined;

/** Builds web/ into web/dist once per test run (only if web/, client/ or the lock file changed). */
export function webAppBuilt(): Promise<unknown> {
  built ??= buildWeb({ ifStale: true, quiet: true });
  return built;
}

export function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

export interface OpenOptions {
  /** The test wallet's options (chain and RPC default to the relay's); `false` for a browser with none. */
  wallet?: Partial<TestWalletOptions> | false;
  /** Browser languages, first preferred (Accept-Language and navigator.languages). */
  locale?: string;
  viewport?: { width: number; height: number };
}

/** One tab of the app with its wallet, and the console errors it logged. */
export interface AppPage {
  page: Page;
  wallet: TestWallet;
  errors: string[];
}

/**
 * A suite's app: call in a `describe`. Starts the relay (PGlite) serving the built app and Chromium
 * before the suite, stops them after, and checks after each test that no page logged a console error.
 */
export function browserSuite() {
  const state: { harness?: Harness; browser?: Browser; contexts: BrowserContext[]; pages: AppPage[] } = { contexts: [], pages: [] };

  before(async function () {
    this.timeout(180_000);
    await webAppBuilt();
    state.browser = await launchChromium();
    state.harness = await Harness.start("pglite", { web: { dir: WEB_DIST } });
  });

  afterEach(async function () {
    const pages = state.pages.splice(0);
    for (const c of state.contexts.splice(0)) await c.close();
    if (this.currentTest?.state === "failed") return;
    // Until the relay has GET /v1/brands, the wallet's request for it is a 404 that the browser logs.
    const brandsMissing = pages.length > 0 && (await state.harness!.http("GET", "/v1/brands")).status === 404;
    const missingBrands = (e: string) => brandsMissing && /status of 404 .* \S+\/v1\/brands$/.test(e);
    for (const p of pages) expect(p.errors.filter((e) => !missingBrands(e)), "console errors").to.deep.equal([]);
  });

  after(async () => {
    await state.browser?.close();
    await state.harness?.stop();
  });

  return {
    get harness(): Harness {
      return state.harness!;
    },
    /** Opens `path` in a fresh browser profile with a test wallet (unless `wallet: false`). */
    async open(urlPath = "/", options: OpenOptions = {}): Promise<AppPage> {
      const h = state.harness!;
      const context = await state.browser!.newContext({ viewport: options.viewport ?? PHONE, locale: options.locale ?? "en-GB" });
      state.contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`${m.text()} ${m.location().url}`.trim());
      });
      page.on("pageerror", (e) => errors.push(`${e.name}: ${e.message}`));
      const { chainId } = h.deployment;
      const wallet = new TestWallet({ chainId, chains: { [chainId]: h.chain.url }, ...(options.wallet || {}) });
      if (options.wallet !== false) await wallet.install(page);
      await page.goto(h.url + urlPath);
      const app: AppPage = { page, wallet, errors };
      state.pages.push(app);
      return app;
    },
  };
}

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical violation (WCAG 2.x A
 * and AA rules), listing each with the elements it found.
 */
export async function expectAccessible(page: Page): Promise<void> {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy stays in force for the app.
  await page.evaluate(axe.source);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const lines = serious.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(lines, "serious or critical accessibility violations").to.deep.equal([]);
}

/**
 * Saves a screenshot of the whole page as docs/screenshots/<name>.png, only when SCREENSHOTS=1 (a normal
 * test run leaves docs/ as it is); returns the file, or undefined when none was written.
 */
export async function screenshot(page: Page, name: string): Promise<string | undefined> {
  if (process.env.SCREENSHOTS !== "1") return undefined;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  return file;
}

/** Waits until the first element `locator` finds reads `text` (trimmed), and fails with what it read. */
export async function expectText(locator: Locator, text: string, timeoutMs = 10_000): Promise<void> {
  const first = locator.first();
  await first.waitFor({ timeout: timeoutMs });
  const until = Date.now() + timeoutMs;
  let read: string | undefined;
  for (;;) {
    read = (await first.textContent())?.trim();
    if (read === text || Date.now() > until) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(read).to.equal(text);
}
