/**
 * The auditor's page in headless Chromium, timed on a history the benchmark built: from the click on
 * "Verify the history" to the verdict on screen (logs read over HTTP JSON-RPC by the page's worker, block
 * times, the 10,000-link recomputation in the browser's JavaScript, historyHead, the first page of the
 * timeline rendered), with a fresh page (and worker) each run. Also the longest main-thread task seen
 * meanwhile (Long Tasks API; tasks under 50 ms are not reported, so 0 means none that long): the worker keeps the page
 * responsive.
 *
 * The page is served as the relay serves it (webAppRouter: the same files and Content-Security-Policy), by
 * a bare HTTP server with no relay behind it: the page needs the endpoint and the ledger's address only,
 * given in its URL (`/audit?rpc=...&ledger=...&from=...&controller=...`).
 */
import http from "node:http";
import express from "express";
import type { Address } from "viem";
import { buildWeb, WEB_DIST } from "../lib/webBuild";
import { webAppRouter } from "../../server/http/webApp";
import { launchChromium } from "../../test/browser/support/browser";

export interface AuditPageTimes {
  /** Click to verdict on screen, ms, per run. */
  samples: number[];
  /** The worker's own time (request to answer), ms, per run. */
  workerSamples: number[];
  /** The longest main-thread task during each run, ms (0: none of 50 ms or more). */
  longestTask: number[];
}

export async function timeAuditPage(opts: { rpcUrl: string; ledger: Address; controller: Address; fromBlock: number; actions: number; runs: number }): Promise<AuditPageTimes> {
  await buildWeb({ ifStale: true, quiet: true });
  const app = express().use(webAppRouter({ dir: WEB_DIST, rpcUrl: opts.rpcUrl }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const browser = await launchChromium();
  const out: AuditPageTimes = { samples: [], workerSamples: [], longestTask: [] };
  try {
    const query = new URLSearchParams({ rpc: opts.rpcUrl, ledger: opts.ledger, from: String(opts.fromBlock), controller: opts.controller });
    for (let i = 0; i < opts.runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/audit?${query}`);
      await page.getByRole("button", { name: "Verify the history" }).waitFor();
      await page.evaluate(() => {
        const w = window as unknown as { longest: number };
        w.longest = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
        }).observe({ type: "longtask" });
      });
      const t0 = performance.now();
      await page.getByRole("button", { name: "Verify the history" }).click();
      const verdict = page.getByTestId("history-result");
      await verdict.waitFor({ timeout: 120_000 });
      out.samples.push(performance.now() - t0);
      const text = (await verdict.textContent()) ?? "";
      if (!text.startsWith(`VERIFIED: the ${opts.actions.toLocaleString("en")} actions`)) throw new Error(`the page did not verify: ${text}`);
      out.workerSamples.push(Number(await page.getByTestId("history-took").getAttribute("data-ms")));
      out.longestTask.push(await page.evaluate(() => (window as unknown as { longest: number }).longest));
      await context.close();
    }
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
  return out;
}
