import { expect } from "chai";
import { zeroAddress, type Address } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { createRelayClient, dataRequest, RelayError, signCustomerMessage, type RelayClient } from "../../client";
import { relayDomain, relayTypes } from "../../client/typedData";
import { HOLDINGS, NOT_ABOUT_CUSTOMERS, WALLET_COLUMN_NAMES } from "../../server/dataRequests/holdings";
import { addressNeedle, findEverywhere } from "../../scripts/demo/journey/privacy";
import { testDbKinds } from "../support/db";
import { Receiver, verifyStandardWebhook } from "../webhooks/receiver";
import { Harness, newCustomer } from "./relay-harness";

/** Tables where a wallet's address appears inside the raw signed transactions the relay sent (public on chain). */
const RAW_TRANSACTIONS = ["chain_transaction_attempts", "chain_transactions"];

for (const kind of testDbKinds()) {
  describe(`relay: customers' data requests (${kind})`, function () {
    this.timeout(240_000);
    let h: Harness;
    let relay: RelayClient;
    let rx: Receiver;
    let secret: string;
    const dan = newCustomer();
    const eve = newCustomer();

    before(async () => {
      h = await Harness.start(kind, { env: { WEBHOOK_ALLOW_LOOPBACK: "true", WEBHOOK_POLL_MS: "20" } });
      relay = createRelayClient({ url: h.url, pollingInterval: 20 });
      rx = await Receiver.start();
      const endpoint = await h.http("POST", "/v1/brand/webhooks/endpoints", { auth: h.a.apiKey, body: { url: rx.url("/a"), eventTypes: ["data_request.received"] } });
      expect(endpoint.status, JSON.stringify(endpoint.body)).to.equal(201);
      secret = endpoint.body.secret;
      // dan and eve at brand A: visits, a scan by card, a purchase; dan also at brand B
      for (const who of [dan, eve]) await h.consent(who, h.a.address, ["in-store-recognition", "loyalty", "shopping-list"]);
      await h.consent(dan, h.b.address, ["in-store-recognition"]);
      for (const [who, tag] of [[dan, "DAN"], [eve, "EVE"]] as const) {
        const link = await h.http("POST", "/v1/cards/link", { body: await h.linkCardBody(who, h.a.address, `CARD-${tag}-0001`) });
        expect(link.status, JSON.stringify(link.body)).to.equal(201);
        const events = [
          { eventId: `${tag}-v1`, kind: "presence", customer: { wallet: who.address } },
          { eventId: `${tag}-v2`, kind: "presence", customer: { cardToken: `CARD-${tag}-0001` } },
          { eventId: `${tag}-s1`, kind: "scan", customer: { cardToken: `CARD-${tag}-0001` }, productCode: "3017620422003" },
          { eventId: `${tag}-p1`, kind: "purchase", customer: { wallet: who.address }, receipt: `TILL-${tag}-1`, amount: "20.00" },
        ];
        for (const e of events) expect((await h.deviceEvent(h.a.device, e)).body.dropped).to.equal(undefined);
      }
      expect((await h.deviceEvent(h.b.device, { eventId: "DAN-b-v1", kind: "presence", customer: { wallet: dan.address } })).body.dropped).to.equal(undefined);
      // the purchases' issuance on chain and in the index
      for (let i = 0; i < 2000 && (await h.count("operations", "kind = 'issue' AND status <> 'confirmed'")) > 0; i++) await new Promise((r) => setTimeout(r, 10));
      await h.indexed();
    });
    after(async () => {
      await h?.stop();
      await rx?.down();
    });

    /** Where dan's address appears in the database, by table, leaving out the raw signed transactions. */
    async function danEverywhere(): Promise<Record<string, number>> {
      const { hits } = await findEverywhere(h.t.db, addressNeedle(dan.address));
      return Object.fromEntries(hits.filter((x) => !RAW_TRANSACTIONS.includes(x.table)).map((x) => [x.table, x.rows]));
    }

    it("lists every table with a wallet column among the relay's holdings", async () => {
      const { rows } = await h.t.db.query<{ table_name: string }>(
        `SELECT DISTINCT c.table_name FROM information_schema.columns c JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
          WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.column_name = ANY($1::text[]) ORDER BY 1`,
        [[...WALLET_COLUMN_NAMES]],
      );
      const listed = new Set([...HOLDINGS.map((x) => x.table), ...NOT_ABOUT_CUSTOMERS]);
      expect(rows.map((r) => r.table_name).filter((t) => !listed.has(t))).to.deep.equal([]);
    });

    it("access returns, as JSON, exactly the rows about the wallet in every table, and records the request without the data", async () => {
      const everywhere = await danEverywhere();
      const answer = await dataRequest(relay, { signer: dan, kind: "access" });
      if (answer.kind !== "access") throw new Error("expected an access answer");
      const counts = Object.fromEntries(Object.entries(answer.data).filter(([, t]) => t.rows.length > 0).map(([table, t]) => [table, t.rows.length]));
      expect(counts).to.deep.equal(everywhere);
      expect(counts).to.include({ relay_visits: 3, relay_scans: 1, relay_card_links: 1, relay_purchases: 1 });
      expect(answer.data.relay_visits!.rows.map((r) => r.brand).sort()).to.deep.equal([h.a.address, h.a.address, h.b.address].sort());
      expect(answer.data.relay_scans!.rows[0]).to.include({ product_code: "3017620422003", subject: dan.address.toLowerCase(), brand: h.a.address });
      expect(answer.data.relay_visits!.disposition).to.equal("erase");
      expect(answer.data.relay_purchases!.disposition).to.equal("keep");
      // nothing about eve
      expect(JSON.stringify(answer.data)).to.not.contain(addressNeedle(eve.address));
      expect(answer.onChain).to.match(/cannot be erased/);
      expect(answer.request).to.include({ kind: "access", scope: "all" });

      const logged = await h.t.db.query<{ outcome: unknown; kind: string; brand: string | null; via: string; status: string }>("SELECT outcome, kind, brand, via, status FROM data_requests WHERE id = $1", [answer.request.id]);
      expect(logged.rows[0]).to.deep.include({ kind: "access", brand: null, via: "DataRequest", status: "completed" });
      const outcome = JSON.stringify(logged.rows[0]!.outcome);
      expect(outcome).to.not.contain("3017620422003");
      expect(outcome).to.not.contain(h.a.storeId);
      expect(JSON.parse(outcome).rows).to.include({ relay_visits: 3, relay_scans: 1 });
    });

    it("access for one brand returns only that brand's rows", async () => {
      const answer = await dataRequest(relay, { signer: dan, kind: "access", brand: h.b.address });
      if (answer.kind !== "access") throw new Error("expected an access answer");
      expect(answer.request.scope).to.equal(h.b.address);
      expect(answer.data.relay_visits!.rows.map((r) => [r.brand, r.subject])).to.deep.equal([[h.b.address, dan.address.toLowerCase()]]);
      expect(answer.data.relay_scans!.rows).to.deep.equal([]);
      for (const t of Object.values(answer.data)) for (const row of t.rows) expect(JSON.stringify(row)).to.not.contain(h.a.address.slice(2));
      expect(answer.data).to.not.have.property("points_balances");
    });

    it("erasure for one brand deletes that brand's visits, scans and card links and nothing of another brand or customer, reporting what stays and why", async () => {
      const eveBefore = await h.count("relay_visits", "subject = $1", [eve.address.toLowerCase()]);
      const answer = await dataRequest(relay, { signer: dan, kind: "erase", brand: h.a.address });
      if (answer.kind !== "erase") throw new Error("expected an erasure report");
      expect(answer.report.erased).to.include({ relay_visits: 2, relay_scans: 1, relay_card_links: 1 });
      const subject = dan.address.toLowerCase();
      expect(await h.count("relay_visits", "subject = $1 AND brand = $2", [subject, h.a.address])).to.equal(0);
      expect(await h.count("relay_visits", "subject = $1 AND brand = $2", [subject, h.b.address])).to.equal(1);
      expect(await h.count("relay_card_links", "subject = $1", [subject])).to.equal(0);
      expect(await h.count("relay_visits", "subject = $1", [eve.address.toLowerCase()])).to.equal(eveBefore);
      const kept = Object.fromEntries(answer.report.kept.map((k) => [k.table, k]));
      expect(kept.relay_purchases!.rows).to.equal(1);
      expect(kept.relay_purchases!.reason).to.match(/accounting/);
      expect(kept.consent_history!.reason).to.match(/cannot be erased/);
      expect(kept).to.not.have.property("relay_visits");
      expect(answer.report.onChain).to.match(/cannot be erased/);
      // the card is no longer dan's: a scan by it is dropped
      const scan = await h.deviceEvent(h.a.device, { eventId: "DAN-s2", kind: "scan", customer: { cardToken: "CARD-DAN-0001" }, productCode: "1" });
      expect(scan.body.dropped).to.not.equal(undefined);
    });

    it("erasure of everything leaves the wallet's address only where the report says it stays, and the brands are told by webhook", async () => {
      const answer = await dataRequest(relay, { signer: dan, kind: "erase" });
      if (answer.kind !== "erase") throw new Error("expected an erasure report");
      expect(answer.report.erased).to.include({ relay_visits: 1, relay_scans: 0, relay_card_links: 0 });
      const left = await danEverywhere();
      const kept = Object.fromEntries(answer.report.kept.map((k) => [k.table, k.rows]));
      expect(left).to.deep.equal(kept);
      for (const table of ["relay_visits", "relay_scans", "relay_card_links"]) expect(left, table).to.not.have.property(table);
      for (const k of answer.report.kept) expect(HOLDINGS.find((x) => x.table === k.table), k.table).to.not.equal(undefined);

      // brand A's endpoint hears of every request about it: access (all), access (B only: not A), erase (A), erase (all)
      await rx.until(() => rx.at("/a").length >= 3, "three data_request.received");
      const got = rx.at("/a").map((r) => r.json);
      expect(got.map((j) => [j.type, j.data.kind, j.data.scope, j.data.subject])).to.deep.equal([
        ["data_request.received", "access", "all", dan.address.toLowerCase()],
        ["data_request.received", "erase", "brand", dan.address.toLowerCase()],
        ["data_request.received", "erase", "all", dan.address.toLowerCase()],
      ]);
      for (const r of rx.at("/a")) expect(verifyStandardWebhook(secret, r)).to.equal(true);
    });

    it("refuses a forged, replayed, stale, future, misdirected or malformed request, recording nothing", async () => {
      const before = await h.count("data_requests");
      // "Now" as the relay sees it: the later of the wall clock and the chain (earlier suites may have moved it ahead).
      await h.syncClock();
      const now = h.deadline(0);
      const sign = async (signer: PrivateKeyAccount, over: Partial<{ kind: string; brand: Address; timestamp: bigint; nonce: bigint; chainId: number }> = {}) => {
        const message = { subject: eve.address, kind: over.kind ?? "access", brand: over.brand ?? zeroAddress, timestamp: over.timestamp ?? now, nonce: over.nonce ?? 77n };
        const signature = await signer.signTypedData({ domain: relayDomain(over.chainId ?? h.deployment.chainId, h.deployment), types: relayTypes, primaryType: "DataRequest", message });
        return { ...message, timestamp: message.timestamp.toString(), nonce: message.nonce.toString(), signature };
      };
      const post = (body: unknown) => h.http("POST", "/v1/customers/data-requests", { body });
      const refused = async (body: unknown, status: number, code: string) => {
        const r = await post(body);
        expect([r.status, r.body.error?.code], code).to.deep.equal([status, code]);
      };
      await refused(await sign(newCustomer()), 401, "invalid_customer_signature");
      await refused(await sign(eve, { chainId: 1 }), 401, "invalid_customer_signature");
      await refused({ ...(await sign(eve)), kind: "erase" }, 401, "invalid_customer_signature");
      await refused(await sign(eve, { timestamp: now - 3600n }), 400, "request_expired");
      await refused(await sign(eve, { timestamp: now + 3600n }), 400, "request_in_future");
      await refused(await sign(eve, { brand: newCustomer().address }), 404, "brand_not_found");
      await refused(await sign(eve, { kind: "delete" }), 400, "invalid_request");
      await refused({ ...(await sign(eve)), extra: 1 }, 400, "invalid_request");
      expect(await h.count("data_requests")).to.equal(before);

      const ok = await sign(eve, { nonce: 78n });
      expect((await post(ok)).status).to.equal(200);
      await refused(ok, 409, "nonce_used");
      // the client tells the relay's code
      const again = await dataRequest(relay, { signer: eve, kind: "access", nonce: 78n }).catch((e: unknown) => e);
      expect(again).to.be.instanceOf(RelayError);
      expect((again as RelayError).code).to.equal("nonce_used");
      expect(await h.count("data_requests")).to.equal(before + 1);
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      // refused after parsing: five access requests, the one whose kind was altered, and the two replays (malformed bodies are not counted by kind)
      expect(metrics).to.match(/relay_data_requests_total\{kind="access",outcome="refused"\} 7\n/);
      expect(metrics).to.match(/relay_data_requests_total\{kind="erase",outcome="refused"\} 1\n/);
    });

    it("EraseData erases as a brand-scoped erasure request, and is recorded and notified the same way", async () => {
      const frank = newCustomer();
      await h.consent(frank, h.a.address, ["in-store-recognition"]);
      expect((await h.deviceEvent(h.a.device, { eventId: "FR-v1", kind: "presence", customer: { wallet: frank.address } })).body.dropped).to.equal(undefined);
      const deadline = h.deadline(600);
      const message = { subject: frank.address, brand: h.a.address, deadline };
      const signature = await signCustomerMessage({ signer: frank, contracts: h.deployment, primaryType: "EraseData", message });
      const r = await h.http("POST", "/v1/customers/erase", { body: { ...message, deadline: deadline.toString(), signature } });
      expect([r.status, r.body]).to.deep.equal([200, { visits: 1, scans: 0, cards: 0 }]);
      const logged = await h.t.db.query<{ kind: string; via: string; brand: string; nonce: string | null }>("SELECT kind, via, brand, nonce FROM data_requests WHERE subject = $1", [frank.address.toLowerCase()]);
      expect(logged.rows).to.deep.equal([{ kind: "erase", via: "EraseData", brand: h.a.address, nonce: null }]);
      await rx.until(() => rx.at("/a").some((x) => x.json.data.subject === frank.address.toLowerCase()), "frank's data_request.received");
    });
  });
}
