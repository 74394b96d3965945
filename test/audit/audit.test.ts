import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getAddress, keccak256, parseEventLogs, toHex, type Hex } from "viem";
import { LocalChain } from "../support/chain";
import { writeDeployment, type Deployment } from "../../server/chain/deployment";
import { consentLedgerAbi } from "../../client/abis";
import { decodeConsentLog, fetchControllerHistory } from "../../server/audit/chainHistory";
import { compareExport } from "../../server/audit/compareExport";
import { parseExport, toCsv, toExportRecord, toJsonExport, type ExportRecord } from "../../server/audit/exportFormat";
import { runAudit, purposeId } from "../../server/audit/auditor";
import type { HistoryRecord } from "../../server/audit/historyChain";
import { addr, deployScenario, grant, lc, PURPOSES, send } from "../indexer/fixture";

const [RECOGNITION, LOYALTY, LIST] = PURPOSES;
const BRAND = 1;

/** Runs the auditor's command as a child process; resolves with its exit code and output. */
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

describe("audit: independent verification from chain logs", function () {
  this.timeout(600_000);
  let chain: LocalChain;
  let dep: Deployment;
  let records: HistoryRecord[];
  let honest: ExportRecord[];
  let dir: string;
  const times: number[] = [];

  before(async () => {
    chain = await LocalChain.start();
    dep = await deployScenario(chain);
    const now = async () => Number((await chain.client.getBlock()).timestamp);
    const step = async (f: () => Promise<unknown>) => {
      await f();
      times.push(await now());
      await chain.increaseTime(100);
    };
    const t0 = await now();
    await step(() => grant(chain, dep, 4, BRAND, LOYALTY)); // 1
    await step(() => grant(chain, dep, 5, BRAND, RECOGNITION, 3n, t0 + 100_000)); // 2
    await step(() => grant(chain, dep, 4, BRAND, RECOGNITION)); // 3
    await step(() => send(chain, 5, dep.ledger, consentLedgerAbi, "revoke", [addr(BRAND), RECOGNITION])); // 4
    await step(() => grant(chain, dep, 6, BRAND, LOYALTY, 5n, t0 + 200_000)); // 5
    await step(() => send(chain, 4, dep.ledger, consentLedgerAbi, "revokeAll", [addr(BRAND)])); // 6
    await step(() => grant(chain, dep, 6, BRAND, LIST)); // 7
    await step(() => grant(chain, dep, 7, BRAND, LOYALTY)); // 8
    await step(() => send(chain, 6, dep.ledger, consentLedgerAbi, "revoke", [addr(BRAND), LOYALTY])); // 9
    await step(() => grant(chain, dep, 7, BRAND, RECOGNITION, 1n)); // 10
    await grant(chain, dep, 4, 2, LOYALTY); // another controller's history: not part of this one
    records = (await fetchControllerHistory({ client: chain.client, ledger: dep.ledger, controller: addr(BRAND), maxRange: 5 })).records;
    honest = records.map(toExportRecord);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-"));
  });
  after(async () => {
    await chain.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tampered = {
    omittedRevocation: () => honest.filter((r) => r.seq !== 4),
    alteredExpiry: () => honest.map((r) => (r.seq === 5 ? { ...r, expiresAt: r.expiresAt + 86_400 } : r)),
    swapped: () => [...honest.slice(0, 6), honest[7], honest[6], ...honest.slice(8)],
    inserted: () => [
      ...honest.slice(0, 2),
      { ...honest[0], subject: lc(addr(8)), timestamp: honest[1].timestamp, txHash: null, blockNumber: null, logIndex: null },
      ...honest.slice(2),
    ],
  };
  const expected: Record<string, object[]> = {
    omittedRevocation: [{ kind: "omitted", position: 4, seq: 4 }],
    swapped: [{ kind: "moved", position: 7, seq: 8, expectedPosition: 8 }],
    inserted: [{ kind: "inserted", position: 3 }],
  };
  const strip = (ds: ReturnType<typeof compareExport>) =>
    ds.map((d) => {
      if (d.kind === "omitted") return { kind: d.kind, position: d.position, seq: d.seq };
      if (d.kind === "inserted") return { kind: d.kind, position: d.position };
      return d;
    });

  it("decodes the consent logs exactly as viem's ABI decoder does", async () => {
    const logs = await chain.client.getLogs({ address: dep.ledger, fromBlock: 0n });
    const ours = logs.map(decodeConsentLog).filter((l) => l !== null);
    const viems = parseEventLogs({ abi: consentLedgerAbi, logs, eventName: ["ConsentGranted", "ConsentRevoked", "AllConsentsRevoked"] });
    expect(ours.length).to.equal(11);
    expect(ours).to.deep.equal(viems.map((l) => ({ eventName: l.eventName, args: l.args, blockNumber: l.blockNumber, transactionHash: l.transactionHash, logIndex: l.logIndex })));
    expect(logs.length - ours.length).to.be.above(10); // the other events (PurposeDefined, the points' events) are skipped
  });

  it("reads the controller's whole history from the logs, and it recomputes to historyHead", async () => {
    expect(records.map((r) => Number(r.seq))).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(records.map((r) => r.action)).to.deep.equal([1, 1, 1, 2, 1, 3, 1, 1, 2, 1]);
    expect(records.map((r) => r.timestamp)).to.deep.equal(times);
    const report = await runAudit({ client: chain.client, ledger: dep.ledger, controller: addr(BRAND), maxRange: 3 });
    expect(report.ok).to.equal(true);
    expect(report.chain.verified).to.equal(true);
    expect(report.chain.recomputed).to.deep.equal(report.chain.onChain);
    expect(report.chain.onChain.length).to.equal(10n);
    expect(report.chain.summary).to.deep.include({ actions: 10, grants: 7, revocations: 2, revokeAlls: 1, subjects: 4, purposes: 3, firstTime: times[0], lastTime: times[9] });
  });

  it("passes an honest export, as JSON and as CSV", async () => {
    for (const text of [toJsonExport(addr(BRAND), honest), toCsv(honest)]) {
      expect(parseExport(text, addr(BRAND))).to.deep.equal(records.map((r) => ({ ...r, controller: addr(BRAND), subject: lc(r.subject), actor: lc(r.actor) })));
      const report = await runAudit({ client: chain.client, ledger: dep.ledger, controller: addr(BRAND), exportText: text });
      expect(report.export).to.deep.include({ records: 10, discrepancies: [], ok: true });
      expect(report.export!.verification.verified).to.equal(true);
      expect(report.ok).to.equal(true);
    }
  });

  it("detects an omitted revocation, an altered expiry, two swapped records and an inserted record, each at its position", async () => {
    for (const [name, make] of Object.entries(tampered)) {
      const exported = parseExport(toJsonExport(addr(BRAND), make()), addr(BRAND));
      const found = strip(compareExport(records, exported));
      if (name === "alteredExpiry") {
        const chainExpiry = String(honest[4].expiresAt);
        expect(found, name).to.deep.equal([
          { kind: "altered", position: 5, seq: 5, fields: [{ field: "expiresAt", exported: String(honest[4].expiresAt + 86_400), chain: chainExpiry }] },
        ]);
      } else {
        expect(found, name).to.deep.equal(expected[name]);
      }
      const report = await runAudit({ client: chain.client, ledger: dep.ledger, controller: addr(BRAND), exportText: toCsv(make()) });
      expect(report.ok, name).to.equal(false);
      expect(report.chain.verified, name).to.equal(true);
      expect(report.export!.verification.verified, name).to.equal(false);
      expect(strip(report.export!.discrepancies), name).to.deep.equal(found);
    }
  });

  it("answers whether a consent was active at a time, with the deciding transactions", async () => {
    const q = (subject: number, purpose: Hex, time: number) =>
      runAudit({ client: chain.client, ledger: dep.ledger, controller: addr(BRAND), at: { subject: addr(subject), purpose, time } });
    const tx = (seq: number) => records[seq - 1].txHash;
    const between = (await q(5, RECOGNITION, times[2])).consentAt!;
    expect([between.active, between.reason, between.evidence.map((e) => e.txHash)]).to.deep.equal([true, "granted", [tx(2)]]);
    const after = (await q(5, RECOGNITION, times[3])).consentAt!;
    expect([after.active, after.reason, after.evidence.map((e) => e.txHash)]).to.deep.equal([false, "revoked", [tx(2), tx(4)]]);
    const all = (await q(4, LOYALTY, times[9])).consentAt!;
    expect([all.active, all.reason, all.evidence.map((e) => e.txHash)]).to.deep.equal([false, "revoked-all", [tx(1), tx(6)]]);
    const before = (await q(4, LOYALTY, times[0] - 1)).consentAt!;
    expect([before.active, before.reason, before.evidence]).to.deep.equal([false, "never-granted", []]);
    expect(purposeId("loyalty")).to.equal(keccak256(toHex("loyalty")));
  });

  it("the CLI exits 0 on an honest export and 1 on each tampered one, naming the position", async () => {
    const base = ["--rpc", chain.url, "--ledger", dep.ledger, "--controller", addr(BRAND)];
    const files: Record<string, string> = { honest: path.join(dir, "honest.csv") };
    fs.writeFileSync(files.honest, toCsv(honest));
    for (const [name, make] of Object.entries(tampered)) {
      files[name] = path.join(dir, `${name}.json`);
      fs.writeFileSync(files[name], toJsonExport(addr(BRAND), make()));
    }
    const results = await Promise.all(
      Object.entries(files).map(async ([name, file]) => [name, await cli([...base, "--export", file, "--json"])] as const),
    );
    for (const [name, r] of results) {
      const report = JSON.parse(r.stdout);
      if (name === "honest") {
        expect([r.code, report.ok, report.export.discrepancies]).to.deep.equal([0, true, []]);
        continue;
      }
      expect(r.code, `${name}: ${r.stderr}`).to.equal(1);
      const first = report.export.discrepancies[0];
      const want = name === "alteredExpiry" ? { kind: "altered", position: 5, seq: 5 } : expected[name][0];
      expect(first, name).to.deep.include(want);
      expect(report.export.discrepancies.length, name).to.equal(1);
    }
  });

  it("the CLI prints a human summary, answers --at, refuses bad input with exit 2 and reports an unreachable endpoint with exit 3", async () => {
    const base = ["--rpc", chain.url, "--ledger", dep.ledger, "--controller", addr(BRAND)];
    const [plain, at, bad, badExport, partial, down] = await Promise.all([
      cli(base),
      cli([...base, "--at", new Date(times[2] * 1000).toISOString(), "--subject", addr(5), "--purpose", "in-store-recognition"]),
      cli([...base.slice(0, 4), "--controller", "0x1234"]),
      cli([...base, "--export", path.join(dir, "missing.csv")]),
      cli([...base, "--from-block", String(Number(records[1].blockNumber))]),
      cli(["--rpc", "http://127.0.0.1:1", ...base.slice(2)]),
    ]);
    expect(plain.code).to.equal(0);
    expect(plain.stdout).to.contain("History: 10 actions (7 grants, 2 revocations, 1 revoke-alls), 4 subjects, 3 purposes");
    expect(plain.stdout).to.contain("VERIFIED: the logs recompute to historyHead.");
    expect(plain.stderr).to.match(/logs: block \d+\/\d+, 10 records/);
    expect(at.code).to.equal(0);
    expect(at.stdout).to.contain("ACTIVE (granted)");
    expect(at.stdout).to.contain(`tx ${records[1].txHash}`);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("--controller must be an address");
    expect(badExport.code).to.equal(2);
    // Logs that start after the first action cannot reproduce the head: the command says so.
    expect(partial.code).to.equal(1);
    expect(partial.stdout).to.contain("NOT VERIFIED");
    // No endpoint: exit 3.
    expect([down.code, down.stderr]).to.deep.equal([3, "audit failed: the endpoint http://127.0.0.1:1 failed: HTTP request failed.\n"]);
  });

  it("the CLI takes the ledger and first block from --deployment, and refuses a deployment of another chain", async () => {
    const file = path.join(dir, "deployment.json");
    writeDeployment(file, dep);
    const other = path.join(dir, "other-chain.json");
    writeDeployment(other, { ...dep, chainId: 1 });
    const [ok, wrongChain, wrongLedger, missing] = await Promise.all([
      cli(["--rpc", chain.url, "--deployment", file, "--controller", addr(BRAND), "--json"]),
      cli(["--rpc", chain.url, "--deployment", other, "--controller", addr(BRAND)]),
      cli(["--rpc", chain.url, "--deployment", file, "--ledger", addr(9), "--controller", addr(BRAND)]),
      cli(["--rpc", chain.url, "--deployment", path.join(dir, "none.json"), "--controller", addr(BRAND)]),
    ]);
    const report = JSON.parse(ok.stdout);
    expect([ok.code, report.ok, report.ledger, report.fromBlock, report.chain.onChain.length]).to.deep.equal([0, true, dep.ledger, String(dep.deployBlock), "10"]);
    expect([wrongChain.code, wrongChain.stderr.split("\n")[0]]).to.deep.equal([2, `the deployment file is for chain 1, but the endpoint ${chain.url.replace(/\/$/, "")} serves chain ${dep.chainId}`]);
    expect([wrongLedger.code, wrongLedger.stderr.split("\n")[0]]).to.deep.equal([2, `--ledger ${addr(9)} is not the deployment's ledger ${getAddress(dep.ledger)}`]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain("cannot read deployment file");
  });

  it("the CLI answers --at now and --at block:N, exits 4 for a verified history whose consent was not active, 1 when verification fails", async () => {
    const base = ["--rpc", chain.url, "--ledger", dep.ledger, "--controller", addr(BRAND), "--json"];
    const tampered = path.join(dir, "for-at.json");
    fs.writeFileSync(tampered, toJsonExport(addr(BRAND), honest.filter((r) => r.seq !== 4)));
    const [activeNow, endedNow, atBlock, atBlockBefore, failedAndEnded] = await Promise.all([
      cli([...base, "--at", "now", "--subject", addr(7), "--purpose", "in-store-recognition"]),
      cli([...base, "--at", "now", "--subject", addr(4), "--purpose", "loyalty"]),
      cli([...base, "--at", `block:${records[1].blockNumber}`, "--subject", addr(5), "--purpose", RECOGNITION]),
      cli([...base, "--at", `block:${records[1].blockNumber! - 1n}`, "--subject", addr(5), "--purpose", RECOGNITION]),
      cli([...base, "--export", tampered, "--at", "now", "--subject", addr(4), "--purpose", "loyalty"]),
    ]);
    const answer = (r: { stdout: string }) => {
      const c = JSON.parse(r.stdout).consentAt;
      return [c.active, c.reason, c.block, c.evidence.map((e: { txHash: string }) => e.txHash)];
    };
    const head = JSON.parse(activeNow.stdout);
    expect([activeNow.code, ...answer(activeNow)]).to.deep.equal([0, true, "granted", head.toBlock, [records[9].txHash]]);
    expect(head.consentAt.time).to.equal(head.toBlockTime);
    expect([endedNow.code, ...answer(endedNow)]).to.deep.equal([4, false, "revoked-all", head.toBlock, [records[0].txHash, records[5].txHash]]);
    expect([atBlock.code, ...answer(atBlock)]).to.deep.equal([0, true, "granted", String(records[1].blockNumber), [records[1].txHash]]);
    expect(JSON.parse(atBlock.stdout).consentAt.time).to.equal(records[1].timestamp);
    expect([atBlockBefore.code, ...answer(atBlockBefore)]).to.deep.equal([4, false, "never-granted", String(records[1].blockNumber! - 1n), []]);
    expect(failedAndEnded.code).to.equal(1);
  });

  it("the CLI writes the same report as HTML and Markdown: chain, block, result and evidence", async () => {
    const exported = path.join(dir, "report-export.json");
    fs.writeFileSync(exported, toJsonExport(addr(BRAND), tampered.omittedRevocation()));
    const html = path.join(dir, "report.html");
    const md = path.join(dir, "report.md");
    const args = ["--rpc", chain.url, "--ledger", dep.ledger, "--controller", addr(BRAND), "--export", exported, "--at", String(times[3]), "--subject", addr(5), "--purpose", "in-store-recognition"];
    const [a, b] = await Promise.all([cli([...args, "--report", html, "--json"]), cli([...args, "--report", md, "--explorer", "https://explorer.example/tx/{tx}"])]);
    expect([a.code, b.code]).to.deep.equal([1, 1]);
    const report = JSON.parse(a.stdout);
    const htmlText = fs.readFileSync(html, "utf8");
    const mdText = fs.readFileSync(md, "utf8");
    for (const text of [htmlText, mdText]) {
      for (const fact of [
        `Consent history audit of ${lc(addr(BRAND))}`,
        "NOT VERIFIED: the export differs from the chain (1 difference(s)).",
        String(dep.chainId),
        dep.ledger,
        `${report.toBlock}, hash ${report.toBlockHash}`,
        `${records[9].head} (length 10)`,
        "EXPORT REJECTED: 1 difference(s) from the chain",
        `position 4: chain record seq 4 (revoke by ${records[3].subject} at ${records[3].timestamp}, tx ${records[3].txHash}) is missing from the export`,
        "NOT ACTIVE (revoked)",
        records[1].txHash!,
        records[3].txHash!,
      ]) {
        expect(text, fact).to.contain(fact);
      }
    }
    expect(htmlText).to.contain("@media print");
    expect(mdText).to.contain(`[${records[3].txHash}](https://explorer.example/tx/${records[3].txHash})`);
  });
});
