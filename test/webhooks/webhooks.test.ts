import { expect } from "chai";
import { keccak256, toHex, type Address } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { consentLedgerAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { ledgerDomain, ledgerTypes } from "../../client/typedData";
import { EVENT_TYPES, emitDataRequestReceived } from "../../server/webhooks";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer, NOTICE, type TestBrand } from "../server/relay-harness";
import { Receiver, verifyStandardWebhook, type Received } from "./receiver";

/**
 * Webhooks end to end: a real relay (in process) on a real local chain and database, a real HTTP receiver.
 * Retries are fast here (20 ms doubling up to 300 ms, 12 attempts) so that a delivery outlives a short
 * outage of the receiver and is given up within seconds when the receiver keeps refusing.
 */
const ENV = {
  WEBHOOK_ALLOW_LOOPBACK: "true",
  WEBHOOK_POLL_MS: "20",
  WEBHOOK_RETRY_BASE_MS: "20",
  WEBHOOK_RETRY_MAX_MS: "300",
  WEBHOOK_MAX_ATTEMPTS: "12",
  WEBHOOK_DISABLE_AFTER_FAILURES: "2",
  WEBHOOK_TIMEOUT_MS: "2000",
  WEBHOOK_EXPIRY_POLL_MS: "100",
  WEBHOOK_MAX_ENDPOINTS: "5",
};

const NOTICE_V2 = keccak256(toHex("notice v2"));

for (const kind of testDbKinds()) {
  describe(`webhooks (${kind})`, function () {
    this.timeout(300_000);
    let h: Harness;
    let rx: Receiver;
    let purchases = 0;

    before(async () => {
      h = await Harness.start(kind, { env: ENV });
      rx = await Receiver.start();
    });
    after(async () => {
      await h?.stop();
      await rx?.down();
    });
    afterEach(async () => {
      for (const brand of [h.a, h.b]) {
        for (const e of (await api(brand, "GET", "/endpoints")).body.endpoints) await api(brand, "DELETE", `/endpoints/${e.id}`);
      }
      rx.statusByPath.clear();
      rx.delayByPath.clear();
    });

    const api = (brand: TestBrand | undefined, method: string, path: string, body?: unknown) =>
      h.http(method, `/v1/brand/webhooks${path}`, { auth: brand?.apiKey, body });

    async function addEndpoint(brand: TestBrand, path: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
      const r = await api(brand, "POST", "/endpoints", { url: rx.url(path), ...extra });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      return r.body;
    }

    async function purchase(customer: Address): Promise<void> {
      const i = ++purchases;
      const r = await h.deviceEvent(h.a.device, { eventId: `wh-p-${i}`, kind: "purchase", customer: { wallet: customer }, receipt: `WH-${i}`, amount: "10.00" });
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
      expect(r.body.dropped).to.equal(undefined);
    }

    /** A grant signed by the customer with an expiry, through the relay. */
    async function grantExpiring(customer: PrivateKeyAccount, brand: Address, purpose: string, expiresAt: number): Promise<string> {
      const nonce = (await h.nonces(customer.address)).ledger;
      const deadline = h.deadline();
      const message = { subject: customer.address, controller: brand, purpose: purposeId(purpose), categories: 5n, expiresAt, noticeHash: NOTICE, nonce, deadline };
      const signature = await customer.signTypedData({ domain: ledgerDomain(h.deployment.chainId, h.deployment.ledger), types: ledgerTypes, primaryType: "Grant", message });
      const r = await h.http("POST", "/v1/consents/grant", {
        body: { ...message, purpose, categories: "5", expiresAt: String(expiresAt), nonce: nonce.toString(), deadline: deadline.toString(), signature },
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
      return r.body.operationId;
    }

    const about = (path: string, subject: string) => rx.at(path).filter((r) => (r.json.data.subject ?? r.json.data.customer) === subject.toLowerCase());
    const types = (list: Received[]) => list.map((r) => r.json.type);
    const deliveries = async (brand: TestBrand, endpointId: string) => (await api(brand, "GET", `/endpoints/${endpointId}/deliveries?limit=200`)).body.deliveries.reverse();
    /** The endpoint's delivery log, oldest first, once none is pending (the relay records an answer just after the receiver sent it). */
    async function finishedLog(brand: TestBrand, endpointId: string) {
      for (let tries = 0; tries < 2000; tries++) {
        const log = await deliveries(brand, endpointId);
        if (log.every((d: { status: string }) => d.status !== "pending")) return log;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error("deliveries still pending");
    }

    it("manages endpoints through the brand API, with the secret shown once; another brand sees none of them", async () => {
      const created = await api(h.a, "POST", "/endpoints", { url: rx.url("/manage"), description: "CRM" });
      expect(created.status).to.equal(201);
      expect(created.body).to.deep.include({ url: rx.url("/manage"), description: "CRM", eventTypes: [...EVENT_TYPES], enabled: true, disabledReason: null, consecutiveFailures: 0, previousSecretExpiresAt: null });
      expect(created.body.secret).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const id = created.body.id as string;

      const listed = await api(h.a, "GET", "/endpoints");
      expect(listed.body.endpoints.map((e: { id: string }) => e.id)).to.deep.equal([id]);
      expect(listed.body.endpoints[0]).to.not.have.property("secret");
      expect((await api(h.a, "GET", `/endpoints/${id}`)).body).to.not.have.property("secret");
      const patched = await api(h.a, "PATCH", `/endpoints/${id}`, { eventTypes: ["consent.revoked"], enabled: false });
      expect([patched.status, patched.body.eventTypes, patched.body.enabled, patched.body.description]).to.deep.equal([200, ["consent.revoked"], false, "CRM"]);
      const rotated = await api(h.a, "POST", `/endpoints/${id}/rotate-secret`, { graceSeconds: 60 });
      expect([rotated.status, rotated.body.secret === created.body.secret]).to.deep.equal([200, false]);
      expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).to.be.within(50_000, 61_000);
      expect((await api(h.a, "POST", `/endpoints/${id}/rotate-secret`)).status).to.equal(200);

      // Brand B: none of A's endpoints, deliveries or secrets.
      expect((await api(h.b, "GET", "/endpoints")).body).to.deep.equal({ endpoints: [] });
      for (const [method, path, body] of [
        ["GET", `/endpoints/${id}`],
        ["PATCH", `/endpoints/${id}`, { enabled: true }],
        ["DELETE", `/endpoints/${id}`],
        ["POST", `/endpoints/${id}/rotate-secret`, {}],
        ["GET", `/endpoints/${id}/deliveries`],
      ] as const) {
        const r = await api(h.b, method, path, body);
        expect([r.status, r.body.error?.code], `${method} ${path}`).to.deep.equal([404, "endpoint_not_found"]);
      }
      expect((await api(h.a, "GET", `/endpoints/${id}`)).body.enabled).to.equal(false);

      const refusals: [string, string, unknown, number, string][] = [
        ["POST", "/endpoints", { url: "http://crm.brand.example/h" }, 400, "invalid_url"],
        ["POST", "/endpoints", { url: "https://169.254.169.254/h" }, 400, "invalid_url"],
        ["POST", "/endpoints", { url: "https://10.0.0.8/h" }, 400, "invalid_url"],
        ["POST", "/endpoints", { url: "https://u:p@crm.brand.example/h" }, 400, "invalid_url"],
        ["POST", "/endpoints", { url: rx.url(), eventTypes: ["consent.granted", "consent.granted"] }, 400, "invalid_event_types"],
        ["POST", "/endpoints", { url: rx.url(), eventTypes: [] }, 400, "invalid_event_types"],
        ["POST", "/endpoints", { url: rx.url(), eventTypes: ["points.stolen"] }, 400, "invalid_event_types"],
        ["POST", "/endpoints", { url: rx.url(), description: "x".repeat(201) }, 400, "invalid_description"],
        ["POST", "/endpoints", { url: rx.url(), secret: "whsec_mine" }, 400, "invalid_request"],
        ["PATCH", `/endpoints/${id}`, {}, 400, "empty_update"],
        ["PATCH", `/endpoints/${id}`, { url: "ftp://crm.brand.example/" }, 400, "invalid_url"],
        ["POST", `/endpoints/${id}/rotate-secret`, { graceSeconds: 7 * 86_400 + 1 }, 400, "invalid_grace"],
        ["GET", `/endpoints/${id}/deliveries?limit=0`, undefined, 400, "invalid_limit"],
        ["GET", `/endpoints/${id}/deliveries?status=lost`, undefined, 400, "invalid_status"],
        ["GET", "/endpoints/not-a-uuid", undefined, 404, "endpoint_not_found"],
        ["GET", "/deliveries/abc", undefined, 404, "delivery_not_found"],
        ["POST", "/deliveries/999999/redeliver", undefined, 404, "delivery_not_found"],
      ];
      for (const [method, path, body, status, code] of refusals) {
        const r = await api(h.a, method, path, body);
        expect([r.status, r.body.error?.code], `${method} ${path} ${JSON.stringify(body)}`).to.deep.equal([status, code]);
      }
      const anonymous = await api(undefined, "GET", "/endpoints");
      expect([anonymous.status, anonymous.body.error.code]).to.deep.equal([401, "missing_api_key"]);

      for (let i = 1; i < 5; i++) await addEndpoint(h.a, `/manage-${i}`);
      const sixth = await api(h.a, "POST", "/endpoints", { url: rx.url("/manage-6") });
      expect([sixth.status, sixth.body.error.code]).to.deep.equal([409, "endpoint_limit"]);
      expect((await api(h.a, "DELETE", `/endpoints/${id}`)).status).to.equal(204);
      expect((await api(h.a, "GET", `/endpoints/${id}`)).status).to.equal(404);

      const openapi = (await h.http("GET", "/openapi.json")).body;
      expect(Object.keys(openapi.paths).filter((p) => p.startsWith("/v1/brand/webhooks"))).to.have.members([
        "/v1/brand/webhooks/event-types",
        "/v1/brand/webhooks/endpoints",
        "/v1/brand/webhooks/endpoints/{endpointId}",
        "/v1/brand/webhooks/endpoints/{endpointId}/rotate-secret",
        "/v1/brand/webhooks/endpoints/{endpointId}/deliveries",
        "/v1/brand/webhooks/deliveries/{deliveryId}",
        "/v1/brand/webhooks/deliveries/{deliveryId}/redeliver",
      ]);
    });

    it("sends a revocation's event when the relay accepts it, before any later event about the customer, and none at its confirmation", async () => {
      const all = await addEndpoint(h.a, "/order");
      const other = await addEndpoint(h.b, "/order-b");
      const customer = newCustomer();
      await h.consent(customer, h.a.address, ["loyalty", "in-store-recognition"]);
      const revoked = await h.revoke(customer, h.a.address, "in-store-recognition");
      expect(revoked.status).to.equal(202);
      await purchase(customer.address);
      await rx.until(() => types(about("/order", customer.address)).includes("points.issued"), "the first issuance");
      // Once the revocation is mined and indexed, a second issuance: everything queued before it arrives first.
      expect((await h.settled(revoked.body.operationId)).status).to.equal("confirmed");
      await h.indexed();
      await purchase(customer.address);
      await rx.until(() => types(about("/order", customer.address)).filter((t) => t === "points.issued").length === 2, "the second issuance");

      const got = about("/order", customer.address);
      expect(types(got)).to.deep.equal(["consent.granted", "consent.granted", "consent.revoked", "points.issued", "points.issued"]);
      expect(got.map((r) => r.json.data.purposeName ?? null)).to.deep.equal(["loyalty", "in-store-recognition", "in-store-recognition", null, null]);
      expect(got[2]!.json.data).to.deep.include({ brand: h.a.address, subject: customer.address.toLowerCase(), scope: "purpose", source: "relay", operationId: revoked.body.operationId });
      expect(got[2]!.json.data).to.not.have.property("chain");
      expect(got[0]!.json.data).to.deep.include({ categories: "5", expiresAt: null, noticeHash: NOTICE, source: "chain", actor: customer.address.toLowerCase() });
      expect(got[3]!.json.data).to.deep.include({ brand: h.a.address, customer: customer.address.toLowerCase(), points: "20" });
      expect(got[3]!.json.data.receiptId).to.match(/^0x[0-9a-f]{64}$/);
      for (const r of rx.at("/order")) {
        expect(verifyStandardWebhook(all.secret, r), r.id).to.equal(true);
        expect(r.signature.split(" ")).to.have.length(1);
        expect(new Set(Object.keys(r.json))).to.deep.equal(new Set(["type", "timestamp", "data"]));
      }
      // One delivery per event, made in queue order (delivery ids), each once.
      const log = await finishedLog(h.a, all.id);
      expect(rx.at("/order").map((r) => r.id)).to.deep.equal(log.map((d: { eventId: string }) => d.eventId));
      expect(log.every((d: { status: string; attempts: number }) => d.status === "delivered" && d.attempts === 1)).to.equal(true);
      expect(new Set(rx.at("/order").map((r) => r.id)).size).to.equal(rx.at("/order").length);
      expect(about("/order-b", customer.address)).to.deep.equal([]);
      expect((await deliveries(h.b, other.id)).length).to.equal(0);
    });

    it("signs with both secrets during a rotation's grace period and with the new one alone after", async () => {
      const first = await addEndpoint(h.a, "/rotate", { eventTypes: ["points.issued"] });
      const customer = newCustomer();
      await h.consent(customer, h.a.address, ["loyalty"]);
      const rotated = (await api(h.a, "POST", `/endpoints/${first.id}/rotate-secret`, { graceSeconds: 3600 })).body;
      await purchase(customer.address);
      await rx.until(() => rx.at("/rotate").length === 1, "the first issuance");
      const during = rx.at("/rotate")[0]!;
      expect(during.signature.split(" ")).to.have.length(2);
      expect([verifyStandardWebhook(rotated.secret, during), verifyStandardWebhook(first.secret, during)]).to.deep.equal([true, true]);

      const again = (await api(h.a, "POST", `/endpoints/${first.id}/rotate-secret`, { graceSeconds: 0 })).body;
      expect(again.previousSecretExpiresAt).to.equal(null);
      await purchase(customer.address);
      await rx.until(() => rx.at("/rotate").length === 2, "the second issuance");
      const after = rx.at("/rotate")[1]!;
      expect(after.signature.split(" ")).to.have.length(1);
      expect([verifyStandardWebhook(again.secret, after), verifyStandardWebhook(rotated.secret, after), verifyStandardWebhook(first.secret, after)]).to.deep.equal([true, false, false]);
    });

    it("delivers everything, in order, after the receiver was down: the head is retried and holds back the rest", async () => {
      const e = await addEndpoint(h.a, "/flaky", { eventTypes: ["points.issued"] });
      const customer = newCustomer();
      await h.consent(customer, h.a.address, ["loyalty"]);
      await rx.down();
      for (let i = 0; i < 6; i++) await purchase(customer.address);
      for (let tries = 0; ; tries++) {
        const log = await deliveries(h.a, e.id);
        if (log.length === 6 && log[0].attempts >= 2) {
          expect(log.slice(1).every((d: { attempts: number; status: string }) => d.attempts === 0 && d.status === "pending")).to.equal(true);
          break;
        }
        if (tries > 2000) throw new Error(`the head was not retried: ${JSON.stringify(log)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      const metric = async (name: string) => {
        const text = (await h.http("GET", "/metrics")).body as string;
        return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
      };
      expect(await metric("relay_webhook_queue_depth")).to.equal(6);
      expect(await metric("relay_webhook_oldest_pending_age_seconds")).to.be.greaterThan(0);
      expect(await metric('relay_webhook_deliveries_total\\{outcome="retrying"\\}')).to.be.at.least(1);
      await rx.up();
      await rx.until(() => rx.at("/flaky").length === 6, "six issuances");
      const got = rx.at("/flaky");
      const positions = got.map((r) => r.json.data.chain.blockNumber * 10_000 + r.json.data.chain.logIndex);
      expect(positions).to.deep.equal([...positions].sort((x, y) => x - y));
      expect(new Set(got.map((r) => r.id)).size).to.equal(6);
      for (const r of got) expect(verifyStandardWebhook(e.secret, r)).to.equal(true);

      const log = await finishedLog(h.a, e.id);
      expect(log.map((d: { status: string }) => d.status)).to.deep.equal(Array(6).fill("delivered"));
      expect([await metric("relay_webhook_queue_depth"), await metric("relay_webhook_oldest_pending_age_seconds")]).to.deep.equal([0, 0]);
      expect(await metric('relay_webhook_deliveries_total\\{outcome="delivered"\\}')).to.be.at.least(6);
      const head = (await api(h.a, "GET", `/deliveries/${log[0].id}`)).body;
      expect(head.attemptLog.length).to.equal(head.attempts);
      expect(head.attemptLog.slice(0, -1).every((a: { error: string; statusCode: null }) => /ECONNREFUSED/.test(a.error) && a.statusCode === null)).to.equal(true);
      expect(head.attemptLog.at(-1)).to.deep.include({ statusCode: 200, error: null, responseExcerpt: "ok" });
      expect(head.payload).to.deep.equal(got[0]!.json);
    });

    it("re-delivers a delivery on the brand's request, with the same webhook-id, behind what is queued", async () => {
      const e = await addEndpoint(h.a, "/again", { eventTypes: ["points.issued"] });
      const customer = newCustomer();
      await h.consent(customer, h.a.address, ["loyalty"]);
      await purchase(customer.address);
      await rx.until(() => rx.at("/again").length === 1, "the issuance");
      const [first] = await finishedLog(h.a, e.id);
      const r = await api(h.a, "POST", `/deliveries/${first.id}/redeliver`);
      expect([r.status, r.body.manual, r.body.eventId, r.body.status]).to.deep.equal([202, true, first.eventId, "pending"]);
      await rx.until(() => rx.at("/again").length === 2, "the re-delivery");
      expect(rx.at("/again").map((x) => x.id)).to.deep.equal([first.eventId, first.eventId]);
      expect(verifyStandardWebhook(e.secret, rx.at("/again")[1]!)).to.equal(true);

      const stranger = await api(h.b, "POST", `/deliveries/${first.id}/redeliver`);
      expect([stranger.status, stranger.body.error.code]).to.deep.equal([404, "delivery_not_found"]);
      expect((await api(h.b, "GET", `/deliveries/${first.id}`)).status).to.equal(404);
      await api(h.a, "PATCH", `/endpoints/${e.id}`, { enabled: false });
      const disabled = await api(h.a, "POST", `/deliveries/${first.id}/redeliver`);
      expect([disabled.status, disabled.body.error.code]).to.deep.equal([409, "endpoint_disabled"]);
    });

    it("gives up a delivery after the last attempt, disables the endpoint after repeated failures, and resumes when it is enabled", async () => {
      const e = await addEndpoint(h.a, "/failing", { eventTypes: ["points.issued"] });
      rx.statusByPath.set("/failing", 500);
      const customer = newCustomer();
      await h.consent(customer, h.a.address, ["loyalty"]);
      for (let i = 0; i < 3; i++) await purchase(customer.address);
      for (let tries = 0; ; tries++) {
        const ep = (await api(h.a, "GET", `/endpoints/${e.id}`)).body;
        if (!ep.enabled) {
          expect([ep.disabledReason, ep.consecutiveFailures]).to.deep.equal(["failing", 2]);
          break;
        }
        if (tries > 3000) throw new Error("the endpoint was never disabled");
        await new Promise((r) => setTimeout(r, 10));
      }
      const log = await deliveries(h.a, e.id);
      expect(log.map((d: { status: string; attempts: number }) => [d.status, d.attempts])).to.deep.equal([["failed", 12], ["failed", 12], ["pending", 0]]);
      expect(log[0].lastStatus).to.equal(500);
      const detail = (await api(h.a, "GET", `/deliveries/${log[0].id}`)).body;
      expect(detail.attemptLog.map((a: { statusCode: number }) => a.statusCode)).to.deep.equal(Array(12).fill(500));
      expect(detail.attemptLog[0].responseExcerpt).to.equal("refused with 500");
      expect(rx.at("/failing")).to.deep.equal([]);

      rx.statusByPath.delete("/failing");
      const enabled = (await api(h.a, "PATCH", `/endpoints/${e.id}`, { enabled: true })).body;
      expect([enabled.enabled, enabled.disabledReason, enabled.consecutiveFailures]).to.deep.equal([true, null, 0]);
      await rx.until(() => rx.at("/failing").length === 1, "the third issuance");
      expect(rx.at("/failing")[0]!.id).to.equal(log[2].eventId);
    });

    it("queues exactly one consent.expired when a consent runs until its expiry, none for one revoked before, and shows it in the history reads", async () => {
      const e = await addEndpoint(h.a, "/expiry", { eventTypes: ["consent.granted", "consent.revoked", "consent.expired"] });
      const [lasting, revoked] = [newCustomer(), newCustomer()];
      await h.syncClock();
      // Far enough ahead that both grants and the revocation land before it on a slow machine (the chain is moved
      // past it below): at 10 s the revocation once came after the expiry, on a loaded 2-core machine, and failed.
      const expiresAt = Number(h.deadline(120));
      for (const c of [lasting, revoked]) expect((await h.settled(await grantExpiring(c, h.a.address, "loyalty", expiresAt))).status).to.equal("confirmed");
      // The grants' events come from the indexer, a revocation's from its acceptance: revoke once the grant's is queued.
      await h.indexed();
      await rx.until(() => about("/expiry", revoked.address).length === 1, "the grant");
      const revocation = await h.revoke(revoked, h.a.address, "loyalty");
      expect((await h.settled(revocation.body.operationId)).status).to.equal("confirmed");
      await h.indexed();
      await rx.until(() => about("/expiry", revoked.address).length === 2, "the grant and the revocation");
      // Move the chain past the expiry (the relay's "now" is the later of its clock and the chain's).
      await h.chain.increaseTime(Math.max(1, expiresAt - Math.floor(Date.now() / 1000) + 1));
      await h.indexed();
      await rx.until(() => types(about("/expiry", lasting.address)).includes("consent.expired"), "the expiry");
      const expired = about("/expiry", lasting.address).find((r) => r.json.type === "consent.expired")!;
      expect(expired.json.data).to.deep.include({
        brand: h.a.address,
        subject: lasting.address.toLowerCase(),
        purpose: purposeId("loyalty"),
        purposeName: "loyalty",
        expiresAt: new Date(expiresAt * 1000).toISOString(),
        source: "relay",
        noticeHash: NOTICE,
      });
      // Ten more passes of the expiry job: still one event, none for the consent revoked before its expiry.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(types(about("/expiry", lasting.address))).to.deep.equal(["consent.granted", "consent.expired"]);
      expect(types(about("/expiry", revoked.address))).to.deep.equal(["consent.granted", "consent.revoked"]);
      expect(await h.count("webhook_events", "type = 'consent.expired' AND subject = ANY($1::text[])", [[lasting.address.toLowerCase(), revoked.address.toLowerCase()]])).to.equal(1);
      expect(await h.count("webhook_expiry_watch", "subject = ANY($1::text[])", [[lasting.address.toLowerCase(), revoked.address.toLowerCase()]])).to.equal(0);
      expect(verifyStandardWebhook(e.secret, expired)).to.equal(true);

      const history = (await h.http("GET", `/v1/audit/customers/${lasting.address}/history`)).body.entries;
      expect(history.map((x: { action: string }) => x.action)).to.deep.equal(["grant", "expired"]);
      expect(history[1]).to.deep.include({ type: "consent", counterparty: h.a.address, purpose: purposeId("loyalty"), timestamp: expiresAt, blockNumber: null, seq: history[0].seq });
      const first = (await h.http("GET", `/v1/audit/customers/${lasting.address}/history?limit=1`)).body;
      const rest = (await h.http("GET", `/v1/audit/customers/${lasting.address}/history?limit=1&after=${first.page.nextAfter}`)).body;
      expect([...first.entries, ...rest.entries]).to.deep.equal(history);
      const otherHistory = (await h.http("GET", `/v1/audit/customers/${revoked.address}/history`)).body.entries;
      expect(otherHistory.map((x: { action: string }) => x.action)).to.deep.equal(["grant", "revoke"]);
      const brandHistory = (await h.http("GET", `/v1/audit/controllers/${h.a.address}/history?after=${history[0].seq - 1}&limit=2`)).body;
      expect(brandHistory.expiries).to.deep.equal([{ grantSeq: history[0].seq, subject: lasting.address.toLowerCase(), purpose: purposeId("loyalty"), expiredAt: expiresAt }]);
    });

    it("queues consent.notice_renewed for a grant on a newer notice of a purpose the customer had granted", async () => {
      await addEndpoint(h.a, "/notices", { eventTypes: ["consent.granted", "consent.notice_renewed"] });
      const [renewing, fresh] = [newCustomer(), newCustomer()];
      await h.consent(renewing, h.a.address, ["shopping-list"]);
      const tx = await h.a.wallet.writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "definePurpose", args: [purposeId("shopping-list"), NOTICE_V2, "https://brand.example/shopping-list/v2"] });
      await h.chain.client.waitForTransactionReceipt({ hash: tx });
      for (const c of [renewing, fresh]) {
        const r = await h.grant(c, h.a.address, "shopping-list", { noticeHash: NOTICE_V2 });
        expect((await h.settled(r.body.operationId)).status).to.equal("confirmed");
      }
      await rx.until(() => about("/notices", fresh.address).length === 1 && about("/notices", renewing.address).length === 2, "the grants");
      expect(types(about("/notices", renewing.address))).to.deep.equal(["consent.granted", "consent.notice_renewed"]);
      expect(about("/notices", renewing.address)[1]!.json.data).to.deep.include({ noticeHash: NOTICE_V2, previousNoticeHash: NOTICE, purposeName: "shopping-list" });
      expect(types(about("/notices", fresh.address))).to.deep.equal(["consent.granted"]);
    });

    it("queues data_request.received for the brand named, or every brand, when called", async () => {
      const a = await addEndpoint(h.a, "/requests-a", { eventTypes: ["data_request.received"] });
      await addEndpoint(h.b, "/requests-b", { eventTypes: ["data_request.received"] });
      await addEndpoint(h.a, "/requests-a-other", { eventTypes: ["points.issued"] });
      const customer = newCustomer().address;
      const at = Math.floor(Date.now() / 1000);
      const queued = await h.t.db.transaction((tx) => emitDataRequestReceived(tx, { requestId: "req-1", subject: customer, kind: "access", brand: h.a.address, receivedAt: at }));
      const all = await h.t.db.transaction((tx) => emitDataRequestReceived(tx, { requestId: "req-2", subject: customer, kind: "erase", brand: "all", receivedAt: at }));
      expect([queued, all]).to.deep.equal([1, 2]);
      await rx.until(() => rx.at("/requests-a").length === 2 && rx.at("/requests-b").length === 1, "the requests");
      expect(rx.at("/requests-a").map((r) => r.json.data)).to.deep.equal([
        { brand: h.a.address, subject: customer.toLowerCase(), requestId: "req-1", kind: "access", scope: "brand", receivedAt: new Date(at * 1000).toISOString() },
        { brand: h.a.address, subject: customer.toLowerCase(), requestId: "req-2", kind: "erase", scope: "all", receivedAt: new Date(at * 1000).toISOString() },
      ]);
      expect(rx.at("/requests-b").map((r) => [r.json.type, r.json.data.brand, r.json.data.requestId])).to.deep.equal([["data_request.received", h.b.address, "req-2"]]);
      expect(verifyStandardWebhook(a.secret, rx.at("/requests-a")[0]!)).to.equal(true);
      expect(rx.at("/requests-a-other")).to.deep.equal([]);
      // The same request again is the same event: nothing more is queued.
      expect(await h.t.db.transaction((tx) => emitDataRequestReceived(tx, { requestId: "req-1", subject: customer, kind: "access", brand: h.a.address, receivedAt: at }))).to.equal(0);
    });

    // Last: it rewinds the shared chain.
    it("retracts the events of blocks a reorganisation abandoned: cancelled when not yet sent, followed by event.retracted when maybe received", async () => {
      const ok = await addEndpoint(h.a, "/reorg-ok", { eventTypes: ["consent.granted"] });
      const failing = await addEndpoint(h.a, "/reorg-failing", { eventTypes: ["consent.granted"] });
      // Each attempt there times out (2 s): its first delivery is being tried, the second waits behind it.
      rx.statusByPath.set("/reorg-failing", 503);
      rx.delayByPath.set("/reorg-failing", 3_000);
      const snapshot = await h.chain.snapshot();
      const grantDirect = async (index: number) => {
        const hash = await h.chain.wallet(index).writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "grant", args: [h.a.address, purposeId("loyalty"), 1n, 0, NOTICE] });
        await h.chain.client.waitForTransactionReceipt({ hash });
        return h.chain.wallet(index).account.address;
      };
      const first = await grantDirect(15);
      await rx.until(() => about("/reorg-ok", first).length === 1, "the first grant");
      const second = await grantDirect(16);
      await rx.until(() => about("/reorg-ok", second).length === 1, "the second grant");
      const ids = [about("/reorg-ok", first)[0]!.id, about("/reorg-ok", second)[0]!.id];
      for (let tries = 0; (await deliveries(h.a, failing.id))[0]?.attempts < 1; tries++) {
        if (tries > 2000) throw new Error("no attempt to the failing endpoint");
        await new Promise((r) => setTimeout(r, 10));
      }

      expect(await h.chain.revert(snapshot)).to.equal(true);
      await h.chain.mine(3);
      await rx.until(() => rx.at("/reorg-ok").length === 4, "two retractions");
      const retractions = rx.at("/reorg-ok").slice(2);
      expect(retractions.map((r) => [r.json.type, r.json.data.retractedEventId, r.json.data.retractedType, r.json.data.reason])).to.deep.equal([
        ["event.retracted", ids[0], "consent.granted", "chain_reorganisation"],
        ["event.retracted", ids[1], "consent.granted", "chain_reorganisation"],
      ]);
      for (const r of rx.at("/reorg-ok")) expect(verifyStandardWebhook(ok.secret, r)).to.equal(true);

      rx.statusByPath.delete("/reorg-failing");
      rx.delayByPath.delete("/reorg-failing");
      await rx.until(() => rx.at("/reorg-failing").length === 1, "the failing endpoint's retraction");
      const log = await finishedLog(h.a, failing.id);
      expect(log.map((d: { eventType: string; status: string }) => [d.eventType, d.status])).to.deep.equal([
        ["consent.granted", "cancelled"],
        ["consent.granted", "cancelled"],
        ["event.retracted", "delivered"],
      ]);
      expect([log[0].attempts > 0, log[1].attempts]).to.deep.equal([true, 0]);
      expect(rx.at("/reorg-failing")[0]!.json.data.retractedEventId).to.equal(ids[0]);
      const redo = await api(h.a, "POST", `/deliveries/${log[0].id}/redeliver`);
      expect([redo.status, redo.body.error.code]).to.deep.equal([409, "event_retracted"]);
    });
  });
}
