import http from "node:http";
import zlib from "node:zlib";
import { Writable } from "node:stream";
import { expect } from "chai";
import pino from "pino";
import { Registry } from "prom-client";
import { signCustomerMessage, signDeviceRequest } from "../../client";
import { pruneRetained } from "../../server/store/retention";
import { loadConfig } from "../../server/config";
import { createRelay, StartupError } from "../../server/relay";
import { errorHandler } from "../../server/http/errors";
import { ChainChangedError } from "../../server/startup/chainIdentity";
import { testPrivateKey } from "../support/chain";
import { openTestDb, testDbKinds } from "../support/db";
import { Harness, newCustomer, NOTICE } from "./relay-harness";

/** Sends raw bytes as one HTTP request and resolves with the status and parsed body. */
function rawRequest(url: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: "POST", headers: { ...headers, "content-length": String(body.length) } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

for (const kind of testDbKinds()) {
  describe(`relay hardening: input, device requests, receipts (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind);
    });
    after(async () => {
      await h?.stop();
    });

    it("refuses control characters in store, device and brand names with 400 invalid_name", async () => {
      const store = await h.http("POST", "/v1/brand/stores", { auth: h.a.apiKey, body: { id: "store-nul", name: "Shop\u0000One" } });
      expect([store.status, store.body.error.code]).to.deep.equal([400, "invalid_name"]);
      const device = await h.http("POST", `/v1/brand/stores/${h.a.storeId}/devices`, { auth: h.a.apiKey, body: { id: "dev-bell", name: "till\u0007", publicKey: "A".repeat(43) } });
      expect([device.status, device.body.error.code]).to.deep.equal([400, "invalid_name"]);
      const line = await h.http("POST", "/v1/brand/stores", { auth: h.a.apiKey, body: { id: "store-nl", name: "Shop\nForged log line" } });
      expect([line.status, line.body.error.code]).to.deep.equal([400, "invalid_name"]);
      expect(await h.count("relay_stores", "id IN ('store-nul', 'store-nl')")).to.equal(0);
    });

    it("answers audit cursors out of range, broken percent-encoding and corrupt compressed bodies with typed 400s", async () => {
      const history = await h.http("GET", `/v1/audit/controllers/${h.a.address}/history?after=99999999999999999999`);
      expect([history.status, history.body.error.code]).to.deep.equal([400, "invalid_after"]);
      const customer = await h.http("GET", `/v1/audit/customers/${h.a.address}/history?after=99999999999999999999:1`);
      expect([customer.status, customer.body.error.code]).to.deep.equal([400, "invalid_after"]);
      const path = await h.http("GET", "/v1/operations/%E0%A4%A");
      expect([path.status, path.body.error.code]).to.deep.equal([400, "malformed_path"]);
      const br = await rawRequest(h.url, "/v1/consents/grant", { "content-type": "application/json", "content-encoding": "br" }, Buffer.from("not brotli at all"));
      expect([br.status, br.body.error.code]).to.deep.equal([400, "malformed_body"]);
      const gzip = zlib.gzipSync(Buffer.from('{"a":1}')).subarray(0, 12);
      const cut = await rawRequest(h.url, "/v1/consents/grant", { "content-type": "application/json", "content-encoding": "gzip" }, gzip);
      expect([cut.status, cut.body.error.code]).to.deep.equal([400, "malformed_body"]);
    });

    it("answers an unknown device exactly as a bad signature", async () => {
      const event = { eventId: "u-1", kind: "presence", customer: { wallet: newCustomer().address } };
      const unknown = await h.deviceEvent({ ...h.a.device, id: "no-such-device" }, event);
      const forged = await h.deviceEvent(h.a.device, event, { signAs: h.b.device });
      expect(unknown.status).to.equal(401);
      expect(unknown.body).to.deep.equal(forged.body);
      expect(unknown.body.error.code).to.equal("bad_device_signature");
    });

    it("records a refused device request's signature: sent again once the state changed, it is a replay", async () => {
      const buyer = newCustomer();
      const path = `/v1/stores/${h.a.storeId}/events`;
      const raw = JSON.stringify({ eventId: "ret-early", kind: "return", customer: { wallet: buyer.address }, receipt: "EARLY-1", amount: "5" });
      const headers = { "content-type": "application/json", ...signDeviceRequest({ privateKey: h.a.device.privateKeyPem, deviceId: h.a.device.id, method: "POST", path, body: raw }) };
      const first = await h.http("POST", path, { raw, headers });
      expect([first.status, first.body.error.code]).to.deep.equal([404, "receipt_not_found"]);
      await h.consent(buyer, h.a.address, ["loyalty"]);
      const bought = await h.deviceEvent(h.a.device, { eventId: "buy-early", kind: "purchase", customer: { wallet: buyer.address }, receipt: "EARLY-1", amount: "5" });
      expect(bought.status).to.equal(202);
      const again = await h.http("POST", path, { raw, headers });
      expect([again.status, again.body.error.code]).to.deep.equal([409, "replayed_signature"]);
    });

    it("answers concurrent purchases of one receipt with one 202 and 409 duplicate_receipt for the rest", async () => {
      const buyer = newCustomer();
      await h.consent(buyer, h.a.address, ["loyalty"]);
      const answers = await Promise.all(
        [0, 1, 2, 3, 4].map((i) => h.deviceEvent(h.a.device, { eventId: `race-${i}`, kind: "purchase", customer: { wallet: buyer.address }, receipt: "RACE-1", amount: "10" })),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).to.deep.equal([202, 409, 409, 409, 409]);
      for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).to.equal("duplicate_receipt");
      expect(await h.count("relay_purchases", "subject = $1", [buyer.address.toLowerCase()])).to.equal(1);
    });

    it("reverses a return for the customer the purchase recorded, even after the card was unlinked", async () => {
      const dana = newCustomer();
      await h.consent(dana, h.a.address, ["loyalty"]);
      expect((await h.http("POST", "/v1/cards/link", { body: await h.linkCardBody(dana, h.a.address, "CARD-DANA-0001") })).status).to.equal(201);
      const bought = await h.deviceEvent(h.a.device, { eventId: "dana-buy", kind: "purchase", customer: { cardToken: "CARD-DANA-0001" }, receipt: "DANA-1", amount: "10" });
      expect([bought.status, bought.body.points]).to.deep.equal([202, "20"]);
      expect((await h.settled(bought.body.operationId)).status).to.equal("confirmed");
      const unlink = await h.http("POST", "/v1/cards/unlink", { body: await h.linkCardBody(dana, h.a.address, "CARD-DANA-0001", "UnlinkCard") });
      expect(unlink.body).to.deep.equal({ erased: 1 });
      const back = await h.deviceEvent(h.a.device, { eventId: "dana-return", kind: "return", customer: { cardToken: "CARD-DANA-0001" }, receipt: "DANA-1", amount: "10" });
      expect(back.status, JSON.stringify(back.body)).to.equal(202);
      expect(back.body.dropped).to.equal(undefined);
      expect(back.body.points).to.equal("20");
      expect((await h.settled(back.body.operationId)).status).to.equal("confirmed");
      const other = newCustomer();
      const wrong = await h.deviceEvent(h.a.device, { eventId: "dana-return-2", kind: "return", customer: { wallet: other.address }, receipt: "DANA-1", amount: "1" });
      expect([wrong.status, wrong.body.error.code]).to.deep.equal([422, "receipt_customer_mismatch"]);
    });

    it("prunes failed operations, used signatures, old event answers and till amounts after their retention; table sizes are metrics", async () => {
      const buyer = newCustomer();
      await h.consent(buyer, h.a.address, ["loyalty"]);
      const bought = await h.deviceEvent(h.a.device, { eventId: "keep-buy", kind: "purchase", customer: { wallet: buyer.address }, receipt: "KEEP-1", amount: "10" });
      expect(bought.status).to.equal(202);
      await h.settled(bought.body.operationId);
      await h.t.db.query("INSERT INTO operations (kind, contract, function_name, args, status, updated_at) VALUES ('grant', 'ledger', 'grantBySig', '[]', 'failed', now() - interval '31 days')");
      await h.t.db.query("INSERT INTO operations (kind, contract, function_name, args, status, updated_at) VALUES ('grant', 'ledger', 'grantBySig', '[]', 'failed', now() - interval '29 days')");
      await h.t.db.query("UPDATE relay_device_events SET created_at = now() - interval '31 days' WHERE event_id = 'keep-buy'");
      const config = { ...h.config, RETURN_WINDOW_DAYS: 90 };
      const before = { failed: await h.count("operations", "status = 'failed'"), answers: await h.count("relay_device_events") };
      const pruned = await pruneRetained(h.t.db, config);
      expect(pruned.failedOperations).to.equal(1);
      expect(pruned.eventAnswers).to.equal(1);
      expect(pruned.purchaseAmounts).to.equal(0);
      expect(await h.count("operations", "status = 'failed'")).to.equal(before.failed - 1);
      expect(await h.count("relay_device_events")).to.equal(before.answers - 1);
      // Past the return window the amount goes, the points stay, and a return is refused rather than guessed.
      const later = await pruneRetained(h.t.db, config, new Date(Date.now() + 91 * 86_400_000));
      expect(later.purchaseAmounts).to.be.at.least(1);
      const row = await h.t.db.query<{ amount: string | null; points: string }>("SELECT amount, points::text AS points FROM relay_purchases WHERE subject = $1", [buyer.address.toLowerCase()]);
      expect(row.rows[0]).to.deep.equal({ amount: null, points: "20" });
      const back = await h.deviceEvent(h.a.device, { eventId: "keep-return", kind: "return", customer: { wallet: buyer.address }, receipt: "KEEP-1", amount: "10" });
      expect([back.status, back.body.error.code]).to.deep.equal([409, "return_window_closed"]);
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).to.match(/^relay_table_bytes\{table="relay_purchases"\} [1-9]\d*$/m);
      expect(metrics).to.match(/^relay_table_rows\{table="operations"\} [1-9]\d*$/m);
    });

    it("erases till amounts with the rest of a customer's data", async () => {
      const fay = newCustomer();
      await h.consent(fay, h.a.address, ["loyalty"]);
      const bought = await h.deviceEvent(h.a.device, { eventId: "fay-buy", kind: "purchase", customer: { wallet: fay.address }, receipt: "FAY-1", amount: "7" });
      expect(bought.status).to.equal(202);
      const deadline = h.deadline(600);
      const message = { subject: fay.address, brand: h.a.address, deadline };
      const signature = await signCustomerMessage({ signer: fay, contracts: h.deployment, primaryType: "EraseData", message });
      const erased = await h.http("POST", "/v1/customers/erase", { body: { ...message, deadline: deadline.toString(), signature } });
      expect(erased.status).to.equal(200);
      const row = await h.t.db.query<{ amount: string | null }>("SELECT amount FROM relay_purchases WHERE subject = $1", [fay.address.toLowerCase()]);
      expect(row.rows).to.deep.equal([{ amount: null }]);
    });

    it("accepts a signed LinkCard once, with a short deadline, and never one signed before the customer's last unlink", async () => {
      const gus = newCustomer();
      const link = await h.linkCardBody(gus, h.a.address, "CARD-GUS-0001");
      expect((await h.http("POST", "/v1/cards/link", { body: link })).status).to.equal(201);
      const twice = await h.http("POST", "/v1/cards/link", { body: link });
      expect([twice.status, twice.body.error.code]).to.deep.equal([409, "signature_used"]);
      const far = await h.http("POST", "/v1/cards/link", { body: await h.linkCardBody(gus, h.a.address, "CARD-GUS-0002", "LinkCard", h.deadline(3600)) });
      expect([far.status, far.body.error.code]).to.deep.equal([400, "deadline_too_far"]);
      // Signed now, kept by someone, sent after the customer unlinked the card: refused.
      await h.syncClock();
      const kept = await h.linkCardBody(gus, h.a.address, "CARD-GUS-0001", "LinkCard", h.deadline(590));
      const unlink = await h.http("POST", "/v1/cards/unlink", { body: await h.linkCardBody(gus, h.a.address, "CARD-GUS-0001", "UnlinkCard") });
      expect(unlink.body).to.deep.equal({ erased: 1 });
      const replayed = await h.http("POST", "/v1/cards/link", { body: kept });
      expect([replayed.status, replayed.body.error.code]).to.deep.equal([409, "signed_before_erasure"]);
      expect(await h.count("relay_card_links", "subject = $1", [gus.address.toLowerCase()])).to.equal(0);
      // A link signed afresh, with the full validity, is accepted.
      await new Promise((r) => setTimeout(r, 1100));
      await h.syncClock();
      const fresh = await h.http("POST", "/v1/cards/link", { body: await h.linkCardBody(gus, h.a.address, "CARD-GUS-0001", "LinkCard", h.deadline(600)) });
      expect(fresh.status, JSON.stringify(fresh.body)).to.equal(201);
    });

    it("logs an unexpected error by its class and database code and constraint only", () => {
      const lines: string[] = [];
      const log = pino({ level: "info" }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
      const err = Object.assign(new Error('duplicate key value violates unique constraint "relay_purchases_pkey"'), {
        code: "23505",
        constraint: "relay_purchases_pkey",
        detail: "Key (brand, receipt_id)=(0xabc, 0xdef) already exists.",
      });
      let status = 0;
      let body: unknown;
      const res = { headersSent: false, status: (s: number) => ((status = s), res), json: (b: unknown) => (body = b) };
      errorHandler(err, { log } as never, res as never, () => undefined);
      expect(status).to.equal(500);
      expect(body).to.deep.equal({ error: { code: "internal_error", message: "internal error" } });
      expect(lines).to.have.length(1);
      const logged = JSON.parse(lines[0]!);
      expect(logged.err).to.deep.equal({ name: "Error", code: "23505", constraint: "relay_purchases_pkey" });
      expect(lines[0]).to.not.include("0xabc");
      expect(lines[0]).to.not.include("at ");
    });

    it("answers any error that carries a 4xx status with that status and a typed code, never a 500, and logs nothing", () => {
      const lines: string[] = [];
      const log = pino({ level: "info" }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
      for (const [err, expected] of [
        [Object.assign(new Error("range not satisfiable"), { status: 416 }), 416],
        [Object.assign(new Error("teapot"), { statusCode: 418 }), 418],
      ] as const) {
        let status = 0;
        let body: unknown;
        const res = { headersSent: false, status: (v: number) => ((status = v), res), json: (b: unknown) => (body = b) };
        errorHandler(err, { log } as never, res as never, () => undefined);
        expect([status, body]).to.deep.equal([expected, { error: { code: "bad_request", message: "the request cannot be handled as sent" } }]);
      }
      expect(lines).to.deep.equal([]);
    });

    it("keeps no wallet address in the access log: each one in a path is logged as 0x…", async () => {
      const lines: string[] = [];
      const logger = pino({ level: "info" }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
      const second = await createRelay(
        h.relayDeps({ logger }),
        { submitter: false, indexer: false },
      );
      try {
        const url = await second.listen(0, "127.0.0.1");
        const wallet = newCustomer().address;
        await fetch(`${url}/v1/customers/${wallet}/consents?brand=${wallet}`);
        await fetch(`${url}/v1/audit/customers/${wallet.toUpperCase().replace("0X", "0x")}/history`);
        const access = lines.map((l) => JSON.parse(l)).filter((l) => l.req?.path);
        expect(access.map((l) => l.req.path)).to.deep.equal(["/v1/customers/0x…/consents", "/v1/audit/customers/0x…/history"]);
        expect(lines.join("\n").toLowerCase()).to.not.include(wallet.toLowerCase().slice(2));
      } finally {
        await second.stop();
      }
    });
  });

  describe(`relay on a chain that mines a block per transaction, default confirmations (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind, { env: { INDEXER_CONFIRMATIONS: "1", CONFIRMATIONS: "1" } });
    });
    after(async () => {
      await h?.stop();
    });

    it("never drops a customer whose grant the relay reports confirmed", async () => {
      const erin = newCustomer();
      const grant = await h.grant(erin, h.a.address, "in-store-recognition");
      expect(grant.status).to.equal(202);
      expect((await h.settled(grant.body.operationId)).status).to.equal("confirmed");
      // Nothing else is mined now: the index must reach the block that holds the grant.
      await h.indexed();
      const seen = await h.deviceEvent(h.a.device, { eventId: "erin-1", kind: "presence", customer: { wallet: erin.address } });
      expect([seen.status, seen.body.dropped]).to.deep.equal([202, undefined]);
    });
  });

  describe(`relay start: signer key, read-only, chain identity (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind);
    });
    after(async () => {
      await h?.stop();
    });

    const chainOf = () => ({ client: h.chain.client, chainId: h.deployment.chainId, deployment: h.deployment, rpcUrl: h.chain.url });

    it("refuses to start without a signer key unless READ_ONLY, and a read-only relay refuses to queue", async () => {
      const t = await openTestDb(kind);
      try {
        const base = { LOG_LEVEL: "silent" as const, ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}) };
        const deps = (env: Record<string, string>) => ({ config: loadConfig({ ...base, ...env }), db: t.db, chain: chainOf(), logger: pino({ level: "silent" }), registry: new Registry() });
        const refused = await createRelay(deps({}), { indexer: false }).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(refused).to.be.instanceOf(StartupError);
        expect(refused!.message).to.equal("no signer key configured: set SIGNER_KEYS or KEYSTORE_FILE; or set READ_ONLY=true to serve reads only");
        const reader = await createRelay(deps({ READ_ONLY: "true" }), { indexer: false });
        try {
          const url = await reader.listen(0, "127.0.0.1");
          const grant = await fetch(`${url}/v1/consents/grant`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
          expect(grant.status).to.equal(503);
          expect(((await grant.json()) as any).error.code).to.equal("read_only");
          expect((await fetch(`${url}/v1/config`)).status).to.equal(200);
        } finally {
          await reader.stop();
        }
      } finally {
        await t.drop();
      }
    });

    it("refuses a database built on another chain with the command to start afresh, and starts afresh when told to", async () => {
      const deps = (env: Record<string, string> = {}) => ({
        config: { ...h.config, ...loadConfig({ ...env }), SIGNER_KEYS: [testPrivateKey(2)] },
        db: h.t.db,
        chain: chainOf(),
        logger: pino({ level: "silent" }),
        registry: new Registry(),
      });
      const genesis = await h.t.db.query<{ value: string }>("SELECT value FROM meta WHERE key = 'genesis_hash'");
      expect(genesis.rows[0]!.value).to.match(/^0x[0-9a-f]{64}$/);
      // As after `npm run node` was restarted and the contracts deployed again under the kept database.
      await h.t.db.query("UPDATE meta SET value = $1 WHERE key = 'deploy_block_hash'", [`0x${"ab".repeat(32)}`]);
      const refused = await createRelay(deps(), { indexer: false, submitter: false }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(refused).to.be.instanceOf(ChainChangedError);
      expect(refused!.message).to.include("RESET_ON_CHAIN_CHANGE=true npm run relay");
      expect(await h.count("relay_brands")).to.equal(2);
      const fresh = await createRelay(deps({ RESET_ON_CHAIN_CHANGE: "true" }), { indexer: false, submitter: false });
      await fresh.stop();
      expect(await h.count("relay_brands")).to.equal(0);
      expect(await h.count("operations")).to.equal(0);
      const recorded = await h.t.db.query<{ value: string }>("SELECT value FROM meta WHERE key = 'deploy_block_hash'");
      expect(recorded.rows[0]!.value).to.not.equal(`0x${"ab".repeat(32)}`);
      void NOTICE;
    });
  });
}

describe("chain time (server/chain/clock.ts)", function () {
  it("reads the latest block once per CHAIN_CACHE_MS, shared by concurrent callers", async () => {
    const { createPublicClient, http: httpTransport } = await import("viem");
    const { chainNow, setChainTimeCache } = await import("../../server/chain/clock");
    const { localChain } = await import("./relay-harness");
    const chain = await localChain();
    let calls = 0;
    const client = createPublicClient({
      transport: httpTransport(chain.url, {
        onFetchRequest: async (request) => {
          if (String(await request.clone().text()).includes("eth_getBlockByNumber")) calls += 1;
        },
      }),
    });
    setChainTimeCache(5000);
    const nows = await Promise.all(Array.from({ length: 20 }, () => chainNow(client as never)));
    expect(new Set(nows.map(String)).size).to.equal(1);
    await chainNow(client as never);
    expect(calls).to.equal(1);
    await chainNow(client as never, { fresh: true });
    expect(calls).to.equal(2);
    setChainTimeCache(1000);
  });
});
