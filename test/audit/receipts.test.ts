import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { encodeFunctionData } from "viem";
import { LocalChain, testAccount } from "../support/chain";
import type { Deployment } from "../../server/chain/deployment";
import { consentLedgerAbi } from "../../client/abis";
import {
  fetchControllerHistory,
  InvalidReceiptError,
  parseReceipt,
  receiptFromRecord,
  signCustomerMessage,
  verifyReceipt,
  type ConsentReceipt,
  type HistoryRecord,
} from "../../client";
import { addr, deployScenario, grant, noticeOf, PURPOSES, send } from "../indexer/fixture";

const [RECOGNITION, LOYALTY] = PURPOSES;
const BRAND = 1;
const DELEGATE = 10;

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

describe("audit: consent receipts verified against the chain alone", function () {
  this.timeout(300_000);
  let chain: LocalChain;
  let dep: Deployment;
  let records: HistoryRecord[];
  let receipts: ConsentReceipt[];
  let dir: string;

  before(async () => {
    chain = await LocalChain.start();
    dep = await deployScenario(chain);
    await grant(chain, dep, 4, BRAND, LOYALTY, 5n, 2_000_000_000); // seq 1: by the app, with an expiry
    // seq 2: a delegate signs the grant for customer 5; anyone submits it.
    await send(chain, 5, dep.ledger, consentLedgerAbi, "setDelegate", [addr(DELEGATE), 2_000_000_000]);
    const notice = await noticeOf(chain, dep, addr(BRAND), RECOGNITION);
    const nonce = await chain.client.readContract({ address: dep.ledger, abi: consentLedgerAbi, functionName: "nonces", args: [addr(5)] });
    const message = { subject: addr(5), controller: addr(BRAND), purpose: RECOGNITION, categories: 1n, expiresAt: 0, noticeHash: notice, nonce, deadline: 2_000_000_000n };
    const signature = await signCustomerMessage({ signer: testAccount(DELEGATE), contracts: dep, primaryType: "Grant", message });
    await send(chain, 0, dep.ledger, consentLedgerAbi, "grantBySig", [addr(5), addr(BRAND), RECOGNITION, 1n, 0, notice, message.deadline, signature]);
    // seq 3 and 4 in one transaction (one block): a grant and its revocation, batched by customer 6.
    const loyaltyNotice = await noticeOf(chain, dep, addr(BRAND), LOYALTY);
    await send(chain, 6, dep.ledger, consentLedgerAbi, "multicall", [
      [
        encodeFunctionData({ abi: consentLedgerAbi, functionName: "grant", args: [addr(BRAND), LOYALTY, 3n, 0, loyaltyNotice] }),
        encodeFunctionData({ abi: consentLedgerAbi, functionName: "revoke", args: [addr(BRAND), LOYALTY] }),
      ],
    ]);
    await send(chain, 4, dep.ledger, consentLedgerAbi, "revokeAll", [addr(BRAND)]); // seq 5
    records = (await fetchControllerHistory({ client: chain.client, ledger: dep.ledger, controller: addr(BRAND) })).records;
    receipts = records.map((record, i) => receiptFromRecord({ record, chainId: dep.chainId, ledger: dep.ledger, recordId: `r-${i + 1}`, purposeName: null }));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "receipts-"));
  });
  after(async () => {
    await chain.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("builds receipts that follow the schema, from real chain actions", () => {
    expect(records.map((r) => [Number(r.seq), r.action])).to.deep.equal([[1, 1], [2, 1], [3, 1], [4, 2], [5, 3]]);
    for (const r of receipts) expect(parseReceipt(JSON.stringify(r))).to.deep.equal(r);
    expect(receipts.map((r) => [r.event.type, r.collectionMethod])).to.deep.equal([
      ["grant", "app"],
      ["grant", "delegate"],
      ["grant", "app"],
      ["revoke", "app"],
      ["revoke-all", "app"],
    ]);
    expect(receipts[0]).to.deep.include({ expiresAt: "2033-05-18T03:33:20Z", legalBasis: "consent" });
    expect(receipts[0].categories).to.deep.equal({ bitmap: "5", names: ["identity", "purchase-history"] });
  });

  it("verifies every receipt: the log is that action, its seq and head match, and the head chains from the previous one", async () => {
    const results = await Promise.all(receipts.map((receipt) => verifyReceipt({ client: chain.client, receipt })));
    for (const [i, v] of results.entries()) {
      expect(v.firstFailure, `receipt ${i + 1}`).to.equal(null);
      expect(v.ok).to.equal(true);
      expect(v.chain!.blockNumber).to.equal(records[i].blockNumber);
    }
    // seq 1 starts the chain; seq 4 follows seq 3 in the same block; the others read historyHead at the block before.
    expect(results.map((v) => v.chain!.previousHeadFrom)).to.deep.equal(["start", "history-head", "history-head", "same-block", "history-head"]);
    expect(results[3].chain!.previousHead).to.equal(records[2].head);
  });

  const tamper: [string, (r: ConsentReceipt) => ConsentReceipt, string][] = [
    ["a later expiry", (r) => ({ ...r, expiresAt: "2034-01-01T00:00:00Z" }), "expiresAt"],
    ["another customer", (r) => ({ ...r, subject: addr(7) }), "subject"],
    ["another purpose", (r) => ({ ...r, purpose: { id: RECOGNITION, name: "in-store-recognition" } }), "purpose.id"],
    ["more categories", (r) => ({ ...r, categories: { bitmap: "7", names: ["identity", "contact", "purchase-history"] } }), "categories.bitmap"],
    ["names that are not the bitmap's", (r) => ({ ...r, categories: { ...r.categories, names: ["identity"] } }), "categories.names"],
    ["an earlier time", (r) => ({ ...r, event: { ...r.event, time: "2020-01-01T00:00:00Z" } }), "event.time"],
    ["a revocation called a grant", (r) => ({ ...r, event: { ...r.event, type: "revoke" } }), "event.type"],
    ["another position", (r) => ({ ...r, evidence: { ...r.evidence, seq: "2" } }), "evidence.seq"],
    ["another head", (r) => ({ ...r, evidence: { ...r.evidence, head: receipts[1].evidence.head } }), "evidence.head"],
    ["a delegate where the customer acted", (r) => ({ ...r, collectionMethod: "delegate" }), "collectionMethod"],
    ["another chain", (r) => ({ ...r, evidence: { ...r.evidence, chainId: 1 } }), "evidence.chainId"],
    ["another ledger", (r) => ({ ...r, evidence: { ...r.evidence, ledger: dep.points.toLowerCase() } }), "evidence.ledger"],
    ["a log index past the transaction's logs", (r) => ({ ...r, evidence: { ...r.evidence, logIndex: 99 } }), "evidence.logIndex"],
    ["a transaction that does not exist", (r) => ({ ...r, evidence: { ...r.evidence, transactionHash: `0x${"ab".repeat(32)}` } }), "evidence.transactionHash"],
  ];
  for (const [what, change, field] of tamper) {
    it(`rejects a receipt with ${what}, at ${field}`, async () => {
      const v = await verifyReceipt({ client: chain.client, receipt: change(receipts[0]) });
      expect(v.ok).to.equal(false);
      expect(v.firstFailure!.field).to.equal(field);
      expect(v.checks.filter((c) => !c.ok).map((c) => c.field)).to.deep.equal([field]);
    });
  }

  it("rejects a receipt that breaks the format, naming the field", () => {
    const bad = { ...receipts[0], evidence: { ...receipts[0].evidence, logIndex: -1 } };
    expect(() => parseReceipt(bad)).to.throw(InvalidReceiptError, "evidence.logIndex");
    expect(() => parseReceipt({ ...receipts[0], extra: 1 })).to.throw(InvalidReceiptError);
    expect(() => parseReceipt({ ...receipts[0], event: { ...receipts[0].event, time: "2026-11-25T04:01:10.500Z" } })).to.throw(InvalidReceiptError, "event.time");
  });

  it("npm run audit -- --receipt: exit 0 for a true receipt, 1 for a tampered one (naming the field), 2 for a malformed one", async () => {
    const files = ["good", "tampered", "malformed"].map((n) => path.join(dir, `${n}.json`));
    fs.writeFileSync(files[0], JSON.stringify(receipts[1], null, 2));
    fs.writeFileSync(files[1], JSON.stringify({ ...receipts[1], expiresAt: "2030-01-01T00:00:00Z" }, null, 2));
    fs.writeFileSync(files[2], JSON.stringify({ ...receipts[1], legalBasis: "contract" }));
    const report = path.join(dir, "receipt.md");
    const [good, tampered, malformed] = await Promise.all([
      cli(["--rpc", chain.url, "--receipt", files[0], "--report", report]),
      cli(["--rpc", chain.url, "--receipt", files[1], "--json"]),
      cli(["--rpc", chain.url, "--receipt", files[2]]),
    ]);
    expect(good.code, good.stderr).to.equal(0);
    expect(good.stdout).to.contain("RECEIPT VERIFIED");
    const md = fs.readFileSync(report, "utf8");
    expect(md).to.contain("RECEIPT VERIFIED: the chain recorded this grant at position 2");
    expect(md).to.contain(records[1].txHash);
    expect(tampered.code).to.equal(1);
    expect(JSON.parse(tampered.stdout).firstFailure).to.deep.include({ field: "expiresAt", receipt: "2030-01-01T00:00:00Z", chain: "never" });
    expect(malformed.code).to.equal(2);
    expect(malformed.stderr).to.contain("receipt field legalBasis");
  });
});

