import { expect } from "chai";
import { execFile } from "node:child_process";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import type { Address } from "viem";
import { categoryNames, fetchControllerHistory, receiptFromRecord, toExportRecord, toJsonExport, type HistoryRecord } from "../../client";
import { toCsv } from "../../server/audit/exportFormat";
import { newCustomer } from "../server/relay-harness";
import { browserSuite, DESKTOP, expectAccessible, expectText, screenshot, SCREENSHOTS } from "./support/browser";

/** The auditor's command as a child process, for the same question the page answers. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "scripts/audit.ts", ...args],
      { cwd: path.join(__dirname, "../.."), env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

/** docs/screenshots/<name>.png, of the page or of one part of it, written only with SCREENSHOTS=1 (they are committed). */
async function shot(page: Page, name: string, part?: Locator): Promise<void> {
  if (process.env.SCREENSHOTS !== "1") return;
  if (!part) return void (await screenshot(page, name));
  await part.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), animations: "disabled" });
}

describe("Browser: the auditor's page", function () {
  this.timeout(240_000);
  const app = browserSuite();
  let brand: Address;
  let records: HistoryRecord[];

  before(async function () {
    this.timeout(180_000);
    const h = app.harness;
    brand = h.a.address;
    const [alice, bob] = [newCustomer(), newCustomer()];
    await h.consent(alice, brand, ["loyalty", "in-store-recognition"]);
    await h.consent(bob, brand, ["loyalty"]);
    const revoked = await h.revoke(alice, brand, "loyalty");
    expect((await h.settled(revoked.body.operationId)).status).to.equal("confirmed");
    await h.consent(bob, h.b.address, ["loyalty"]); // another brand's history: not part of A's
    records = (await fetchControllerHistory({ client: h.chain.client, ledger: h.deployment.ledger, controller: brand, fromBlock: BigInt(h.deployment.deployBlock) })).records;
    expect(records.map((r) => r.action)).to.deep.equal([1, 1, 1, 2]);
  });

  /** Opens the page, waits for the relay's prefill, then types the endpoint, ledger and first block itself. */
  async function openAndVerify(viewport = DESKTOP) {
    const h = app.harness;
    const opened = await app.open("/audit", { wallet: false, viewport });
    const { page } = opened;
    await expectText(page.getByRole("heading", { level: 1 }), "Audit");
    await page.getByText("Prefilled from the relay").waitFor();
    expect((await page.getByLabel("ConsentLedger address").inputValue()).toLowerCase()).to.equal(h.deployment.ledger.toLowerCase());
    await page.getByLabel("JSON-RPC endpoint").fill(h.chain.url);
    await page.getByLabel("ConsentLedger address").fill(h.deployment.ledger);
    await page.getByLabel("First block (the ledger's deployment)").fill(String(h.deployment.deployBlock));
    await page.getByRole("button", { name: "List the brands on this ledger" }).click();
    await page.getByLabel("Brands seen on the ledger").selectOption(brand.toLowerCase());
    expect(await page.getByLabel("Brand (controller) address").inputValue()).to.equal(brand.toLowerCase());
    await page.getByRole("button", { name: "Verify the history" }).click();
    await expectText(page.getByTestId("history-result"), "VERIFIED: the 4 actions in the ledger's logs recompute to historyHead.", 60_000);
    return opened;
  }

  it("verifies an honest history from the endpoint alone, with its timeline and a printable report", async () => {
    const { page } = await openAndVerify();
    const rows = page.locator("table.timeline tbody tr");
    expect(await rows.count()).to.equal(4);
    const cells = await rows.nth(3).locator("td").allTextContents();
    expect([cells[0], cells[2], cells[4], cells[5]]).to.deep.equal(["4", "revocation", "loyalty", records[3].txHash]);
    const options = await page.getByLabel("Brands seen on the ledger").locator("option").allTextContents();
    expect(options).to.deep.equal(["Brand a: 4 actions, 3 purposes", "Brand b: 1 actions, 3 purposes"]);
    const report = page.locator(".audit-report .report-doc").first();
    // The audited block is the latest when the page read it.
    const result = (await report.locator(".report-result").textContent())!;
    expect(result).to.match(/^VERIFIED: 4 actions recompute to historyHead at block \d+\.$/);
    expect(BigInt(/block (\d+)/.exec(result)![1]) >= records[3].blockNumber!).to.equal(true);
    expect(await report.textContent()).to.contain(app.harness.deployment.ledger).and.contain(String(app.harness.deployment.chainId));
    await expectAccessible(page);
    await shot(page, "audit-verified");
    await page.emulateMedia({ media: "print" });
    expect(await page.getByRole("heading", { level: 1 }).isVisible()).to.equal(false);
    expect(await report.isVisible()).to.equal(true);
    await shot(page, "audit-report-print");
  });

  it("works from the relay's prefill alone, takes the brand and the explorer from the URL, and links each transaction", async () => {
    const explorer = "https://explorer.example/tx/{tx}";
    const { page } = await app.open(`/audit/${brand}?explorer=${encodeURIComponent(explorer)}`, { wallet: false, viewport: DESKTOP });
    await page.getByText("Prefilled from the relay").waitFor();
    expect(await page.getByLabel("Brand (controller) address").inputValue()).to.equal(brand);
    expect(await page.getByLabel("JSON-RPC endpoint").inputValue()).to.equal(app.harness.chain.url);
    await page.getByRole("button", { name: "Verify the history" }).click();
    await expectText(page.getByTestId("history-result"), "VERIFIED: the 4 actions in the ledger's logs recompute to historyHead.", 60_000);
    const links = await page.locator("table.timeline a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(links).to.deep.equal(records.map((r) => explorer.replace("{tx}", r.txHash!)));
  });

  it("catches a tampered export at the right record (JSON pages and CSV)", async () => {
    const { page } = await openAndVerify();
    const honest = records.map(toExportRecord);
    const omitted = honest.filter((r) => r.seq !== 2);
    // Two JSON pages in one file, as the paginated audit API hands them over.
    const pages = JSON.stringify([JSON.parse(toJsonExport(brand, omitted.slice(0, 1))), JSON.parse(toJsonExport(brand, omitted.slice(1)))]);
    await page.getByLabel("Export files").setInputFiles({ name: "brand-a.json", mimeType: "application/json", buffer: Buffer.from(pages) });
    await expectText(page.getByRole("alert").filter({ hasText: "EXPORT" }).locator("p").first(), "EXPORT REJECTED: 1 difference(s) from the chain.");
    const diffs = page.locator("ol.differences li");
    expect(await diffs.count()).to.equal(1);
    expect([await diffs.first().getAttribute("data-kind"), await diffs.first().getAttribute("data-position")]).to.deep.equal(["omitted", "2"]);
    expect(await diffs.first().textContent()).to.contain(`chain record seq 2`).and.contain(records[1].txHash!);
    // Altered categories, in an export handed over as two CSV files: position 3, the field named.
    const more = String(records[2].categories + 8n);
    const altered = honest.map((r) => (r.seq === 3 ? { ...r, categories: more } : r));
    await page.getByLabel("Export files").setInputFiles([
      { name: "page-1.csv", mimeType: "text/csv", buffer: Buffer.from(toCsv(altered.slice(0, 2))) },
      { name: "page-2.csv", mimeType: "text/csv", buffer: Buffer.from(toCsv(altered.slice(2))) },
    ]);
    await expectText(page.locator("ol.differences li").first(), `position 3: chain record seq 3 was altered: categories ${more} (chain ${records[2].categories})`);
    expect(await page.locator(".audit-report").textContent()).to.contain("EXPORT REJECTED: 1 difference(s) from the chain").and.contain("page-1.csv, page-2.csv");
    await expectAccessible(page);
    await shot(page, "audit-export-rejected", page.locator("section[aria-labelledby='export-title']"));
  });

  it("answers a past-time question exactly as the CLI does, with the transactions as evidence", async () => {
    const { page } = await openAndVerify();
    const h = app.harness;
    const time = records[3].timestamp; // the moment loyalty was revoked
    const subject = records[3].subject;
    const answer = await cli(["--rpc", h.chain.url, "--ledger", h.deployment.ledger, "--controller", brand, "--from-block", String(h.deployment.deployBlock), "--at", String(time), "--subject", subject, "--purpose", "loyalty", "--json"]);
    expect(answer.code, answer.stderr).to.equal(4);
    const fromCli = JSON.parse(answer.stdout).consentAt;
    expect([fromCli.active, fromCli.reason]).to.deep.equal([false, "revoked"]);

    await page.getByLabel("Customer's address").fill(subject);
    await page.getByLabel("Purpose", { exact: true }).selectOption({ label: "loyalty" });
    const local = await page.evaluate((t) => {
      const d = new Date(t * 1000);
      const p = (n: number) => String(n).padStart(2, "0");
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    }, time);
    await page.getByLabel("Date and time").fill(local);
    await page.getByRole("button", { name: "Answer" }).click();
    const verdict = page.locator(".consent-answer strong");
    await verdict.waitFor();
    expect(await verdict.textContent()).to.match(/^NOT ACTIVE \(revoked\) at /);
    const evidence = await page.locator(".consent-answer ul.evidence li").allTextContents();
    expect(evidence.map((e) => /0x[0-9a-f]{64}/.exec(e)?.[0])).to.deep.equal(fromCli.evidence.map((e: { txHash: string }) => e.txHash));
    // The same question by block, and the report carries it.
    await page.getByRole("radio", { name: "A block" }).check();
    await page.getByLabel("Block number").fill(String(records[3].blockNumber! - 1n));
    await page.getByRole("button", { name: "Answer" }).click();
    const byBlock = new RegExp(`^ACTIVE \\(granted\\) at .* \\(block ${records[3].blockNumber! - 1n}\\)$`);
    for (let i = 0; i < 100 && !byBlock.test((await verdict.textContent()) ?? ""); i++) await page.waitForTimeout(100);
    expect(await verdict.textContent()).to.match(byBlock);
    expect(await page.locator(".audit-report").textContent()).to.contain("ACTIVE (granted)");
    await expectAccessible(page);
    await shot(page, "audit-consent-at", page.locator("section[aria-labelledby='consent-title']"));
  });

  it("verifies a receipt built from a chain action, and rejects a tampered one at its field", async () => {
    const h = app.harness;
    const { page } = await app.open("/audit", { wallet: false, viewport: DESKTOP });
    await page.getByText("Prefilled from the relay").waitFor();
    const receipt = receiptFromRecord({ record: records[1], chainId: h.deployment.chainId, ledger: h.deployment.ledger, recordId: "receipt-2", purposeName: "in-store-recognition" });
    await page.getByLabel("Or paste the receipt").fill(JSON.stringify(receipt, null, 2));
    await page.getByRole("button", { name: "Verify the receipt" }).click();
    await expectText(page.locator("section[aria-labelledby='receipt-title'] strong"), `RECEIPT VERIFIED: the chain recorded this grant at position 2 of the brand's history.`, 30_000);
    expect(await page.locator("tr[data-ok='false']").count()).to.equal(0);
    await expectAccessible(page);
    await shot(page, "audit-receipt", page.locator("section[aria-labelledby='receipt-title']"));

    const other = records[1].categories ^ 1n;
    const tampered = { ...receipt, categories: { bitmap: String(other), names: categoryNames(other) } };
    await page.getByLabel("Receipt file").setInputFiles({ name: "receipt.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(tampered)) });
    await expectText(page.locator("section[aria-labelledby='receipt-title'] strong"), `RECEIPT REJECTED at categories.bitmap: other categories on chain`, 30_000);
    expect(await page.locator("tr[data-ok='false']").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-field")))).to.deep.equal(["categories.bitmap"]);
    expect(await page.locator(".audit-report").textContent()).to.contain("RECEIPT REJECTED: categories.bitmap (other categories on chain).");
  });
});
