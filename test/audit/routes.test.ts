import { expect } from "chai";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import pino from "pino";
import { Registry } from "prom-client";
import { keccak256, toHex } from "viem";
import { LocalChain } from "../support/chain";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";
import { loadConfig } from "../../server/config";
import type { Deployment } from "../../server/chain/deployment";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import type { RelayDeps } from "../../server/deps";
import { startIndexer, type Indexer } from "../../server/indexer";
import { auditRouter } from "../../server/audit/routes";
import { runAudit } from "../../server/audit/auditor";
import { parseExport } from "../../server/audit/exportFormat";
import { addr, deployScenario, grant, lc, PURPOSES, send } from "../indexer/fixture";

const [RECOGNITION, LOYALTY] = PURPOSES;

for (const kind of testDbKinds()) {
  describe(`audit API (${kind})`, function () {
    this.timeout(600_000);
    let chain: LocalChain;
    let dep: Deployment;
    let t: TestDb;
    let indexer: Indexer;
    let server: Server;
    let base: string;
    const tx: Record<string, `0x${string}`> = {};
    const times: Record<string, number> = {};

    before(async () => {
      chain = await LocalChain.start();
      dep = await deployScenario(chain);
      const stamp = async (name: string, hash: `0x${string}`) => {
        tx[name] = hash;
        times[name] = Number((await chain.client.getBlock()).timestamp);
        await chain.increaseTime(60);
      };
      await stamp("grant1", await grant(chain, dep, 4, 1, LOYALTY));
      await stamp("grant2", await grant(chain, dep, 4, 2, RECOGNITION));
      await stamp("revoke1", await send(chain, 4, dep.ledger, consentLedgerAbi, "revoke", [addr(1), LOYALTY]));
      for (const c of [5, 6, 7, 8, 9]) await grant(chain, dep, c, 1, RECOGNITION);
      await stamp("regrant1", await grant(chain, dep, 4, 1, LOYALTY, 7n));
      await stamp("revokeAll2", await send(chain, 4, dep.ledger, consentLedgerAbi, "revokeAll", [addr(2)]));
      await stamp("issue", await send(chain, 1, dep.points, coalitionPointsAbi, "issue", [addr(1), addr(4), 120n, keccak256(toHex("till-1"))]));
      await stamp("redeem", await send(chain, 4, dep.points, coalitionPointsAbi, "redeem", [addr(2), 20n, keccak256(toHex("order-1"))]));
      await grant(chain, dep, 5, 1, LOYALTY);

      t = await openTestDb(kind);
      const config = loadConfig({ INDEXER_CONFIRMATIONS: "0", INDEXER_POLL_MS: "20", INDEXER_MAX_RANGE: "10", LOG_LEVEL: "silent" });
      const deps: RelayDeps = {
        config,
        db: t.db,
        chain: { client: chain.client, chainId: 31337, deployment: dep, rpcUrl: chain.url },
        logger: pino({ level: "silent" }),
        registry: new Registry(),
      };
      indexer = startIndexer(deps);
      await indexer.caughtUp();
      const app = express();
      app.use("/v1/audit", auditRouter(deps));
      server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/audit`;
    });
    after(async () => {
      server?.close();
      await indexer?.stop();
      await t?.drop();
      await chain.stop();
    });

    const get = async (path: string) => {
      const res = await fetch(base + path);
      const text = await res.text();
      return { status: res.status, type: res.headers.get("content-type") ?? "", headers: res.headers, text, json: () => JSON.parse(text) };
    };

    it("serves a controller's history in chain order, paginated by seq, and verifies it against historyHead", async () => {
      const all: { seq: number; head: string; action: string; subject: string; txHash: string }[] = [];
      let after = 0;
      let pages = 0;
      for (;;) {
        const r = await get(`/controllers/${addr(1)}/history?limit=3&after=${after}`);
        expect(r.status).to.equal(200);
        const body = r.json();
        all.push(...body.records);
        pages++;
        if (body.page.nextAfter === null) break;
        after = body.page.nextAfter;
      }
      expect(pages).to.equal(3);
      expect(all.map((r) => r.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(all.map((r) => r.action)).to.deep.equal(["grant", "revoke", "grant", "grant", "grant", "grant", "grant", "grant", "grant"]);
      expect([all[0].txHash, all[1].txHash, all[7].txHash]).to.deep.equal([tx.grant1, tx.revoke1, tx.regrant1]);

      const v = (await get(`/controllers/${addr(1)}/history?verify=true`)).json();
      const [head, length] = await chain.client.readContract({ address: dep.ledger, abi: consentLedgerAbi, functionName: "historyHead", args: [addr(1)] });
      expect(v.verification).to.deep.include({ verified: true, recomputed: { head, length: 9 }, onChain: { head, length: Number(length) }, firstBrokenPosition: null });
      expect(v.verification.atIndexedBlock.matches).to.equal(true);
      expect(v.records[8].head).to.equal(head);

      // The API's export, JSON or CSV, is what the auditor's check accepts.
      const csv = await get(`/controllers/${addr(1)}/history?format=csv&verify=true`);
      expect(csv.type).to.match(/^text\/csv/);
      expect(csv.headers.get("x-history-verified")).to.equal("true");
      expect(parseExport(csv.text, addr(1))).to.deep.equal(parseExport(JSON.stringify(v), addr(1)));
      for (const text of [csv.text, JSON.stringify(v)]) {
        const report = await runAudit({ client: chain.client, ledger: dep.ledger, controller: addr(1), exportText: text });
        expect([report.ok, report.export!.discrepancies]).to.deep.equal([true, []]);
      }
    });

    it("answers the state of one consent at a past time or block with the deciding records", async () => {
      const at = async (q: string) => (await get(`/consents/${addr(4)}/${addr(1)}/${q}`)).json();
      const during = await at(`loyalty?at=${times.grant1}`);
      expect([during.active, during.reason, during.records.map((r: { txHash: string }) => r.txHash)]).to.deep.equal([true, "granted", [tx.grant1]]);
      expect(during.purpose).to.equal(LOYALTY);
      const revoked = await at(`${LOYALTY}?at=${new Date(times.revoke1 * 1000).toISOString()}`);
      expect([revoked.active, revoked.reason, revoked.records.map((r: { txHash: string }) => r.txHash)]).to.deep.equal([false, "revoked", [tx.grant1, tx.revoke1]]);
      const receipt = await chain.client.getTransactionReceipt({ hash: tx.regrant1 });
      const byBlock = await at(`loyalty?block=${receipt.blockNumber}`);
      expect([byBlock.active, byBlock.state.categories, byBlock.records.map((r: { txHash: string }) => r.txHash)]).to.deep.equal([true, "7", [tx.regrant1]]);
      const before = await at(`loyalty?block=${receipt.blockNumber - 1n}`);
      expect([before.active, before.reason]).to.deep.equal([false, "revoked"]);
      const all = (await get(`/consents/${addr(4)}/${addr(2)}/in-store-recognition?at=${times.revokeAll2}`)).json();
      expect([all.active, all.reason, all.records.map((r: { txHash: string }) => r.txHash)]).to.deep.equal([false, "revoked-all", [tx.grant2, tx.revokeAll2]]);
    });

    it("serves a customer's whole history across brands, consents and points, in chain order", async () => {
      const body = (await get(`/customers/${addr(4)}/history`)).json();
      const summary = body.entries.map((e: { type: string; action: string; counterparty: string; amount: string | null }) => [e.type, e.action, e.counterparty, e.amount]);
      expect(summary).to.deep.equal([
        ["consent", "grant", lc(addr(1)), null],
        ["consent", "grant", lc(addr(2)), null],
        ["consent", "revoke", lc(addr(1)), null],
        ["consent", "grant", lc(addr(1)), null],
        ["consent", "revoke-all", lc(addr(2)), null],
        ["points", "issued", lc(addr(1)), "120"],
        ["points", "redeemed", lc(addr(2)), "20"],
      ]);
      const first = (await get(`/customers/${addr(4)}/history?limit=4`)).json();
      const rest = (await get(`/customers/${addr(4)}/history?limit=4&after=${first.page.nextAfter}`)).json();
      expect([...first.entries, ...rest.entries]).to.deep.equal(body.entries);
      expect(rest.page.nextAfter).to.equal(null);
      const csv = await get(`/customers/${addr(4)}/history?format=csv`);
      expect(csv.text.trim().split("\n")).to.have.length(8);
    });

    it("refuses bad input with a 4xx JSON error code", async () => {
      const cases: [string, number, string][] = [
        [`/controllers/0x123/history`, 400, "invalid_address"],
        [`/controllers/${addr(1)}/history?format=xml`, 400, "invalid_format"],
        [`/controllers/${addr(1)}/history?limit=0`, 400, "invalid_limit"],
        [`/controllers/${addr(1)}/history?colour=red`, 400, "invalid_query"],
        [`/consents/${addr(4)}/${addr(1)}/loyalty`, 400, "invalid_query"],
        [`/consents/${addr(4)}/${addr(1)}/loyalty?at=1&block=2`, 400, "invalid_query"],
        [`/consents/${addr(4)}/${addr(1)}/loyalty?at=yesterday`, 400, "invalid_at"],
        [`/consents/${addr(4)}/${addr(1)}/loyalty?block=99999999`, 404, "block_not_found"],
        [`/customers/nobody/history`, 400, "invalid_address"],
        [`/customers/${addr(4)}/history?after=7`, 400, "invalid_after"],
        [`/nothing`, 404, "route_not_found"],
      ];
      for (const [path, status, code] of cases) {
        const r = await get(path);
        expect([r.status, r.json().error.code], path).to.deep.equal([status, code]);
        expect(r.json().error.message, path).to.be.a("string").and.not.equal("");
      }
    });
  });
}
