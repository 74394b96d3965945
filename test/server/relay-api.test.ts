import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { testAccount } from "../support/chain";
import { coalitionPointsAbi } from "../../client/abis";
import { testDbKinds } from "../support/db";
import { generateDeviceKey, signDeviceRequest } from "../../client";
import { ADMIN_TOKEN, Harness, newCustomer } from "./relay-harness";
import { waitFor } from "../../scripts/demo/wait";

const KEY = generateDeviceKey().publicKey;

/** Tables the refused requests below must leave untouched (an authenticated device request's signature is recorded all the same: see relay-hardening.test.ts). */
const TABLES = ["relay_brands", "relay_stores", "relay_devices", "relay_device_events", "relay_visits", "relay_scans", "relay_purchases", "relay_card_links", "operations"];

for (const kind of testDbKinds()) {
  describe(`relay HTTP API (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind);
    });
    after(async () => {
      await h?.stop();
    });

    function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        const proc = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/devices.ts", ...args, "--relay", h.url], {
          cwd: path.join(__dirname, "..", ".."),
          env: { PATH: process.env.PATH ?? "", ...env },
        });
        let stdout = "";
        let stderr = "";
        proc.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
        proc.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
        proc.on("exit", (code) => resolve({ code, stdout, stderr }));
      });
    }

    async function snapshot(): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      for (const t of TABLES) out[t] = await h.count(t);
      return out;
    }

    /** Runs `fn`, expects the exact error answer, and that no table changed. */
    async function refused(status: number, code: string, fn: () => Promise<{ status: number; body: any }>): Promise<void> {
      const before = await snapshot();
      const r = await fn();
      expect(r.status, JSON.stringify(r.body)).to.equal(status);
      expect(r.body).to.have.keys("error");
      expect(r.body.error.code).to.equal(code);
      expect(r.body.error.message).to.be.a("string").and.not.equal("");
      expect(await snapshot()).to.deep.equal(before);
    }

    it("GET /healthz reports the database, the RPC endpoint and the indexer", async () => {
      await h.indexed();
      const r = await h.http("GET", "/healthz");
      expect(r.status).to.equal(200);
      expect(r.body.status).to.equal("ok");
      expect(r.body.database).to.deep.equal({ ok: true, kind });
      expect(r.body.rpc.ok).to.equal(true);
      expect(r.body.rpc.chainId).to.equal(31337);
      expect(r.body.rpc.blockNumber).to.be.a("number");
      expect(r.body.indexer.ok).to.equal(true);
      expect(r.body.indexer.lag).to.equal(r.body.indexer.headBlock - r.body.indexer.indexedBlock);
      expect(r.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
      const again = await h.http("GET", "/healthz", { headers: { "x-request-id": "trace-42" } });
      expect(again.headers.get("x-request-id")).to.equal("trace-42");
    });

    it("GET /healthz lists each signer's balance and warns, still 200, when one falls below SIGNER_LOW_BALANCE_ETH", async () => {
      const first = await h.http("GET", "/healthz");
      expect(first.status).to.equal(200);
      expect(first.body.signers.ok).to.equal(true);
      expect(first.body.signers.lowBalanceEther).to.equal("0.05");
      expect(first.body.signers.balances.map((b: { address: string }) => b.address)).to.deep.equal([2, 3, 6].map((i) => testAccount(i).address));
      expect(first.body.warnings).to.deep.equal([]);
      const poor = testAccount(3).address;
      const kept = await h.chain.client.getBalance({ address: poor });
      await h.chain.rpc("hardhat_setBalance", [poor, "0x" + (10n ** 16n).toString(16)]);
      try {
        let r = await h.http("GET", "/healthz");
        for (let i = 0; i < 40 && r.body.warnings.length === 0; i++) {
          await new Promise((f) => setTimeout(f, 250));
          r = await h.http("GET", "/healthz");
        }
        expect(r.status).to.equal(200);
        expect(r.body.status).to.equal("ok");
        expect(r.body.signers.ok).to.equal(false);
        expect(r.body.signers.balances.find((b: { address: string }) => b.address === poor)).to.deep.equal({ address: poor, wei: (10n ** 16n).toString(), low: true });
        expect(r.body.warnings).to.deep.equal([`signer ${poor} holds 0.01 ETH, below SIGNER_LOW_BALANCE_ETH 0.05: fund it before it cannot pay for gas`]);
        const metrics = await fetch(`${h.url}/metrics`).then((m) => m.text());
        expect(metrics).to.include(`relay_signer_balance_low{signer="${poor}"} 1`);
        expect(metrics).to.include(`relay_signer_balance_wei{signer="${poor}"} 10000000000000000`);
      } finally {
        await h.chain.rpc("hardhat_setBalance", [poor, "0x" + kept.toString(16)]);
      }
    });

    it("GET /healthz answers 503 while the RPC endpoint is down, 200 when it is back", async () => {
      await h.chain.stop();
      try {
        const down = await h.http("GET", "/healthz");
        expect(down.status).to.equal(503);
        expect(down.body.status).to.equal("degraded");
        expect(down.body.database).to.deep.equal({ ok: true, kind });
        expect(down.body.rpc.ok).to.equal(false);
        expect(down.body.rpc.error).to.be.a("string");
      } finally {
        await h.chain.start();
      }
      // Back within a few checks: the first call after the endpoint restarts may still meet a connection the
      // restart closed (seen once in CI on a slow machine), the next ones reach the new endpoint.
      const up = await waitFor(async () => {
        const r = await h.http("GET", "/healthz");
        return r.status === 200 && r;
      }, "GET /healthz to answer 200 once the endpoint is back", 5_000, 100);
      expect([up.status, up.body.rpc.ok]).to.deep.equal([200, true]);
    });

    it("GET /openapi.json describes every route the relay serves", async () => {
      const r = await h.http("GET", "/openapi.json");
      expect(r.status).to.equal(200);
      expect(r.body.openapi).to.equal("3.1.0");
      const documented = new Set<string>();
      for (const [path, item] of Object.entries(r.body.paths as Record<string, Record<string, unknown>>)) {
        for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
      }
      const mine = [
        "GET /healthz",
        "GET /metrics",
        "GET /openapi.json",
        "GET /v1/config",
        "POST /v1/admin/brands",
        "GET /v1/admin/brands",
        "POST /v1/admin/brands/{address}/api-key",
        "GET /v1/brand",
        "POST /v1/brand/earning-rule",
        "GET /v1/brand/stores",
        "POST /v1/brand/stores",
        "GET /v1/brand/stores/{storeId}/devices",
        "POST /v1/brand/stores/{storeId}/devices",
        "POST /v1/brand/devices/{deviceId}/state",
        "GET /v1/brand/stores/{storeId}/stream",
        "POST /v1/stores/{storeId}/events",
        "POST /v1/consents/grant",
        "POST /v1/consents/revoke",
        "POST /v1/consents/revoke-all",
        "POST /v1/consents/set-delegate",
        "POST /v1/points/redeem",
        "POST /v1/cards/link",
        "POST /v1/cards/unlink",
        "POST /v1/customers/erase",
        "GET /v1/operations/{id}",
        "GET /v1/customers/{address}/nonces",
        "GET /v1/customers/{address}/consents",
        "GET /v1/customers/{address}/points",
      ];
      for (const route of mine) expect(documented.has(route), route).to.equal(true);
      const served = h.relay.docs.routes.map((x) => `${x.method.toUpperCase()} ${x.path.replace(/:(\w+)/g, "{$1}")}`);
      expect([...documented].sort()).to.deep.equal([...new Set(served)].sort());
      expect(served.filter((x) => x.startsWith("GET /v1/audit") || x.startsWith("POST /v1/audit")).length).to.be.greaterThan(0);
      expect(r.body.paths["/v1/stores/{storeId}/events"].post.requestBody.content["application/json"].schema).to.be.an("object");
    });

    it("refuses malformed JSON, an oversized body and a wrong content type, storing nothing", async () => {
      await refused(400, "malformed_json", () => h.http("POST", "/v1/admin/brands", { raw: "{\"address\":", auth: ADMIN_TOKEN, headers: { "content-type": "application/json" } }));
      await refused(413, "body_too_large", () =>
        h.http("POST", "/v1/admin/brands", { body: { name: "x".repeat(20_000) }, auth: ADMIN_TOKEN }),
      );
      await refused(415, "unsupported_media_type", () => h.http("POST", "/v1/admin/brands", { raw: "address=0x", auth: ADMIN_TOKEN, headers: { "content-type": "text/plain" } }));
      await refused(404, "route_not_found", () => h.http("GET", "/v1/nothing-here"));
    });

    it("admin API: token checks, invalid input, duplicates, unknown operator", async () => {
      const brand = testAccount(7).address;
      const good = { address: brand, name: "Seven", pointsPerUnit: "1.5", operator: testAccount(2).address };
      await refused(401, "missing_admin_token", () => h.http("POST", "/v1/admin/brands", { body: good }));
      await refused(401, "invalid_admin_token", () => h.http("POST", "/v1/admin/brands", { body: good, auth: "not-the-admin-token-at-all" }));
      await refused(400, "invalid_address", () => h.http("POST", "/v1/admin/brands", { body: { ...good, address: "0x1234" }, auth: ADMIN_TOKEN }));
      await refused(400, "invalid_address", () => h.http("POST", "/v1/admin/brands", { body: { ...good, operator: brand.toLowerCase().replace("0x", "0X") }, auth: ADMIN_TOKEN }));
      await refused(400, "invalid_earning_rule", () => h.http("POST", "/v1/admin/brands", { body: { ...good, pointsPerUnit: "-1" }, auth: ADMIN_TOKEN }));
      await refused(400, "invalid_request", () => h.http("POST", "/v1/admin/brands", { body: { ...good, extra: 1 }, auth: ADMIN_TOKEN }));
      await refused(422, "unknown_operator", () => h.http("POST", "/v1/admin/brands", { body: { ...good, operator: testAccount(9).address }, auth: ADMIN_TOKEN }));
      await refused(409, "brand_exists", () => h.http("POST", "/v1/admin/brands", { body: { ...good, address: h.a.address }, auth: ADMIN_TOKEN }));

      await h.onboard(7, 2);
      const created = await h.http("POST", "/v1/admin/brands", { body: good, auth: ADMIN_TOKEN });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect(created.body.brand).to.include({ address: brand.toLowerCase(), name: "Seven", pointsPerUnit: "1.5", operator: testAccount(2).address.toLowerCase() });
      expect(created.body.apiKey).to.match(/^cfk_[A-Za-z0-9_-]{43}$/);
      const stored = await h.t.db.query<{ api_key_hash: string }>("SELECT api_key_hash FROM relay_brands WHERE address = $1", [brand.toLowerCase()]);
      expect(stored.rows[0]!.api_key_hash).to.match(/^[0-9a-f]{64}$/).and.not.equal(created.body.apiKey);
      const me = await h.http("GET", "/v1/brand", { auth: created.body.apiKey });
      expect(me.body).to.deep.equal(created.body.brand);

      const rotated = await h.http("POST", `/v1/admin/brands/${brand}/api-key`, { auth: ADMIN_TOKEN });
      expect(rotated.status).to.equal(201);
      expect((await h.http("GET", "/v1/brand", { auth: created.body.apiKey })).body.error.code).to.equal("invalid_api_key");
      expect((await h.http("GET", "/v1/brand", { auth: rotated.body.apiKey })).status).to.equal(200);
    });

    it("brand API: key checks, its own stores and devices only, earning rule", async () => {
      await refused(401, "missing_api_key", () => h.http("GET", "/v1/brand/stores"));
      await refused(401, "invalid_api_key", () => h.http("GET", "/v1/brand/stores", { auth: "cfk_nope" }));
      await refused(404, "store_not_found", () => h.http("POST", `/v1/brand/stores/${h.b.storeId}/devices`, { auth: h.a.apiKey, body: { id: "intruder", name: "x", publicKey: KEY } }));
      await refused(404, "store_not_found", () => h.http("GET", `/v1/brand/stores/${h.b.storeId}/devices`, { auth: h.a.apiKey }));
      await refused(404, "device_not_found", () => h.http("POST", `/v1/brand/devices/${h.b.device.id}/state`, { auth: h.a.apiKey, body: { disabled: true } }));
      await refused(400, "invalid_public_key", () => h.http("POST", `/v1/brand/stores/${h.a.storeId}/devices`, { auth: h.a.apiKey, body: { id: "d-x", name: "x", publicKey: "not a key" } }));
      await refused(400, "invalid_device_id", () => h.http("POST", `/v1/brand/stores/${h.a.storeId}/devices`, { auth: h.a.apiKey, body: { id: "bad id!", name: "x", publicKey: KEY } }));
      await refused(409, "store_exists", () => h.http("POST", "/v1/brand/stores", { auth: h.a.apiKey, body: { id: h.a.storeId, name: "taken" } }));
      await refused(409, "device_exists", () => h.http("POST", `/v1/brand/stores/${h.a.storeId}/devices`, { auth: h.a.apiKey, body: { id: h.a.device.id, name: "x", publicKey: KEY } }));
      await refused(400, "invalid_earning_rule", () => h.http("POST", "/v1/brand/earning-rule", { auth: h.a.apiKey, body: { pointsPerUnit: "1.1234567" } }));

      const stores = await h.http("GET", "/v1/brand/stores", { auth: h.a.apiKey });
      expect(stores.body.stores.map((s: { id: string }) => s.id)).to.deep.equal([h.a.storeId]);
      const devices = await h.http("GET", `/v1/brand/stores/${h.a.storeId}/devices`, { auth: h.a.apiKey });
      expect(devices.body.devices.map((d: { id: string; disabled: boolean }) => [d.id, d.disabled])).to.deep.equal([[h.a.device.id, false]]);
      const rule = await h.http("POST", "/v1/brand/earning-rule", { auth: h.a.apiKey, body: { pointsPerUnit: "2.500" } });
      expect(rule.body.pointsPerUnit).to.equal("2.5");
      const back = await h.http("POST", "/v1/brand/earning-rule", { auth: h.a.apiKey, body: { pointsPerUnit: "2" } });
      expect(back.body.pointsPerUnit).to.equal("2");
    });

    it("device requests: every authentication failure has its own code and stores nothing", async () => {
      const customer = newCustomer();
      const event = (id: string) => ({ eventId: id, kind: "presence", customer: { wallet: customer.address } });
      const now = Math.floor(Date.now() / 1000);
      await refused(401, "missing_device_auth", () => h.http("POST", `/v1/stores/${h.a.storeId}/events`, { body: event("e-1") }));
      await refused(401, "bad_device_signature", () => h.deviceEvent(h.a.device, event("e-1"), { signAs: h.b.device }));
      await refused(401, "bad_device_signature", () =>
        h.deviceEvent(h.a.device, event("e-1"), { headers: { "x-signature": "A".repeat(86) } }),
      );
      await refused(401, "stale_timestamp", () => h.deviceEvent(h.a.device, event("e-1"), { timestamp: now - 301 }));
      await refused(401, "stale_timestamp", () => h.deviceEvent(h.a.device, event("e-1"), { timestamp: now + 400 }));
      await refused(401, "invalid_timestamp", () => h.deviceEvent(h.a.device, event("e-1"), { headers: { "x-timestamp": "yesterday" } }));
      await refused(401, "invalid_device_nonce", () => h.deviceEvent(h.a.device, event("e-1"), { headers: { "x-nonce": "short" } }));
      await refused(401, "bad_device_signature", () => h.deviceEvent({ ...h.a.device, id: "no-such-device" }, event("e-1")));
      await refused(403, "device_store_mismatch", () => h.deviceEvent(h.a.device, event("e-1"), { storeId: h.b.storeId }));
      await refused(400, "invalid_event_kind", () => h.deviceEvent(h.a.device, { ...event("e-1"), kind: "teleport" }));
      await refused(400, "invalid_address", () => h.deviceEvent(h.a.device, { ...event("e-1"), customer: { wallet: "0xnope" } }));
      await refused(400, "invalid_customer", () => h.deviceEvent(h.a.device, { ...event("e-1"), customer: {} }));
      await refused(400, "invalid_event_id", () => h.deviceEvent(h.a.device, { ...event("e 1") }));
      await refused(400, "invalid_amount", () =>
        h.deviceEvent(h.a.device, { eventId: "p-1", kind: "purchase", customer: { wallet: customer.address }, receipt: "R-1", amount: "-3" }),
      );
      await refused(400, "invalid_amount", () =>
        h.deviceEvent(h.a.device, { eventId: "p-1", kind: "purchase", customer: { wallet: customer.address }, receipt: "R-1", amount: "0" }),
      );
      await refused(400, "malformed_json", () => h.deviceEvent(h.a.device, undefined, { raw: "{\"eventId\"" }));

      const extra = await h.addDevice(h.a.apiKey, h.a.storeId, "device-a-2");
      const off = await h.http("POST", `/v1/brand/devices/${extra.id}/state`, { auth: h.a.apiKey, body: { disabled: true } });
      expect(off.body.disabled).to.equal(true);
      await refused(403, "device_disabled", () => h.deviceEvent(extra, event("e-1")));

      // A replay: the same signed request twice.
      const path = `/v1/stores/${h.a.storeId}/events`;
      const raw = JSON.stringify(event("e-replay"));
      const headers = { "content-type": "application/json", ...signDeviceRequest({ privateKey: h.a.device.privateKeyPem, deviceId: h.a.device.id, method: "POST", path, body: raw }) };
      const first = await h.http("POST", path, { raw, headers });
      expect(first.status).to.equal(202);
      expect(first.body).to.deep.equal({ accepted: true, eventId: "e-replay", kind: "presence", dropped: "no_consent" });
      await refused(409, "replayed_signature", () => h.http("POST", path, { raw, headers }));
    });

    it("npm run devices registers a brand, a store and a device whose generated key then signs accepted events", async function () {
      this.timeout(400_000); // seven command runs, each a fresh ts-node
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "devices-cli-"));
      try {
        const brand = testAccount(8).address;
        const addBrand = () => cli(["add-brand", "--address", brand, "--name", "Cafe Huit", "--points-per-unit", "3", "--operator", testAccount(2).address], { RELAY_ADMIN_TOKEN: ADMIN_TOKEN });
        const early = await addBrand();
        expect([early.code, early.stdout]).to.deep.equal([3, ""]);
        expect(early.stderr).to.match(/^devices: 422 brand_not_admitted: governance has not admitted 0x[0-9a-f]{40} on CoalitionPoints/);
        // The relay key 2 serves brand 7 (the admin test): brand 7 lets it go on chain and leaves the relay.
        await h.chain.client.waitForTransactionReceipt({
          hash: await h.chain.wallet(7).writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "setOperator", args: [testAccount(2).address, false] }),
        });
        const removed = await cli(["remove-brand", "--address", testAccount(7).address], { RELAY_ADMIN_TOKEN: ADMIN_TOKEN });
        expect(removed.code, removed.stderr).to.equal(0);
        expect(JSON.parse(removed.stdout)).to.deep.equal({ removed: true, stores: 0, devices: 0, purposes: 0, webhookEndpoints: 0, personalData: 0, operationsInFlight: 0 });
        await h.onboard(8, 2);
        const added = await addBrand();
        expect(added.code, added.stderr).to.equal(0);
        expect(JSON.parse(added.stdout).chain).to.deep.include({ status: "admitted", ready: true, problems: [] });
        const apiKey = JSON.parse(added.stdout).apiKey as string;
        const limited = await cli(["set-brand-limits", "--address", brand, "--max-purchase-amount", "75"], { RELAY_ADMIN_TOKEN: ADMIN_TOKEN });
        expect([limited.code, JSON.parse(limited.stdout).maxPurchaseAmount], limited.stderr).to.deep.equal([0, "75"]);
        const unlimited = await cli(["set-brand-limits", "--address", brand, "--max-purchase-amount", "default"], { RELAY_ADMIN_TOKEN: ADMIN_TOKEN });
        expect([unlimited.code, JSON.parse(unlimited.stdout).maxPurchaseAmount], unlimited.stderr).to.deep.equal([0, null]);
        const store = await cli(["add-store", "--id", "cafe-8", "--name", "Cafe 8"], { BRAND_API_KEY: apiKey });
        expect(JSON.parse(store.stdout)).to.include({ id: "cafe-8", brand: brand.toLowerCase() });
        const keyFile = path.join(dir, "till.pem");
        const device = await cli(["add-device", "--store", "cafe-8", "--id", "cafe-8-till", "--name", "Till", "--key-out", keyFile], { BRAND_API_KEY: apiKey });
        expect(JSON.parse(device.stdout)).to.include({ id: "cafe-8-till", storeId: "cafe-8", disabled: false });
        const refused = await cli(["add-store", "--id", "cafe-8", "--name", "again"], { BRAND_API_KEY: apiKey });
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.include("409 store_exists");

        const till = { id: "cafe-8-till", storeId: "cafe-8", privateKeyPem: fs.readFileSync(keyFile, "utf8") };
        const r = await h.deviceEvent(till, { eventId: "cli-1", kind: "presence", customer: { wallet: newCustomer().address } });
        expect([r.status, r.body]).to.deep.equal([202, { accepted: true, eventId: "cli-1", kind: "presence", dropped: "no_consent" }]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("GET /metrics counts requests by route and device events by outcome, beside the submitter's and indexer's", async () => {
      const healthzCount = async () => {
        const m = /relay_http_requests_total\{method="GET",route="\/healthz",status="200"\} (\d+)/.exec((await h.http("GET", "/metrics")).body as string);
        return m ? Number(m[1]) : 0;
      };
      const before = await healthzCount();
      await h.http("GET", "/healthz");
      await h.http("GET", "/healthz");
      expect(await healthzCount()).to.equal(before + 2);
      const customer = newCustomer();
      await h.deviceEvent(h.a.device, { eventId: "m-1", kind: "scan", customer: { wallet: customer.address }, productCode: "4006381333931" });
      const r = await h.http("GET", "/metrics");
      expect(r.status).to.equal(200);
      expect(r.headers.get("content-type")).to.match(/^text\/plain/);
      const text = r.body as string;
      expect(text).to.include('relay_device_events_total{kind="scan",outcome="dropped",reason="no_consent"} 1');
      expect(text).to.include('relay_device_events_total{kind="presence",outcome="dropped",reason="no_consent"} 2');
      expect(text).to.include('relay_http_requests_total{method="POST",route="/v1/stores/:storeId/events",status="401"}');
      expect(text).to.include("relay_submitter_transactions_total");
      expect(text).to.include("confiance_indexer_block");
    });
  });
}
