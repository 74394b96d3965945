import crypto from "node:crypto";
import { expect } from "chai";
import pino from "pino";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { consentLedgerAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { signDeviceRequest } from "../../client";
import { canonicalRequest } from "../../client/device/canonicalRequest";
import { DeviceEventBatcher } from "../../server/devices/batcher";
import { handleEventBatch, type EventRequest, type EventResult } from "../../server/devices/eventBatch";
import { UNKNOWN_DEVICE_KEY, verifyAhead } from "../../server/devices/deviceLookup";
import { decodeSignature } from "../../server/devices/signing";
import { createRelay } from "../../server/relay";
import { openDb } from "../../server/store/db";
import { testPrivateKey } from "../support/chain";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer, type TestDevice } from "./relay-harness";

/** Device events' group commit (server/devices/batcher.ts, eventBatch.ts): per-event answers in a shared transaction. */
for (const kind of testDbKinds()) {
  describe(`relay device events in group commit (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind);
    });
    after(async () => {
      await h?.stop();
    });

    const presence = (eventId: string, wallet: Address) => ({ eventId, kind: "presence", customer: { wallet } });

    /** A signed request as the route hands it to the batcher; `headers` are those a device would send. */
    function request(device: TestDevice, event: unknown, opts: { storeId?: string } = {}): { req: EventRequest; headers: Record<string, string>; body: string } {
      const path = `/v1/stores/${opts.storeId ?? device.storeId}/events`;
      const body = JSON.stringify(event);
      const headers = signDeviceRequest({ privateKey: device.privateKeyPem, deviceId: device.id, method: "POST", path, body });
      return {
        req: {
          deviceId: device.id,
          timestamp: headers["X-Timestamp"],
          signature: headers["X-Signature"],
          canonical: canonicalRequest({ method: "POST", path, timestamp: headers["X-Timestamp"], nonce: headers["X-Nonce"], deviceId: device.id, body }),
          storeId: opts.storeId ?? device.storeId,
          body: event,
        },
        headers,
        body,
      };
    }

    /** Submits every request in the same turn of the event loop (so they form one batch), and settles each. */
    async function inOneBatch(requests: EventRequest[]): Promise<{ settled: PromiseSettledResult<EventResult>[]; batches: { size: number; fallback: boolean }[] }> {
      const batches: { size: number; fallback: boolean }[] = [];
      const batcher = new DeviceEventBatcher(h.t.db, h.config, (b) => batches.push({ size: b.size, fallback: b.fallback }));
      const settled = await Promise.allSettled(requests.map((r) => batcher.submit(r)));
      return { settled, batches };
    }

    const summary = (r: PromiseSettledResult<EventResult>) => {
      if (r.status === "rejected") return { rejected: (r.reason as Error).message };
      const v = r.value;
      if (v.kind === "error") return { status: v.error.status, code: v.error.code };
      if (v.kind === "alone") return { alone: v.event.kind };
      return { status: v.outcome.status, body: v.outcome.body, duplicate: v.outcome.duplicate, ...(v.outcome.recognised ? { visitCount: v.outcome.recognised.visitCount } : {}) };
    };

    it("answers each event of one batch as it would alone: accepted, dropped, duplicates, replayed signatures, refused, purchases handed on", async () => {
      const alice = newCustomer();
      const bob = newCustomer();
      await h.consent(alice, h.a.address, ["in-store-recognition", "shopping-list"]);
      const seen = await h.deviceEvent(h.a.device, presence("bt-0", alice.address));
      expect(seen.status).to.equal(202);

      const replay = request(h.a.device, presence("bt-6", alice.address));
      const requests = [
        request(h.a.device, presence("bt-1", alice.address)).req,
        request(h.a.device, presence("bt-2", bob.address)).req,
        request(h.a.device, presence("bt-3", alice.address)).req,
        request(h.a.device, presence("bt-3", alice.address)).req,
        request(h.a.device, presence("bt-0", alice.address)).req,
        request(h.a.device, { eventId: "bt-4", kind: "scan", customer: { wallet: alice.address }, productCode: "4006381333931" }).req,
        request(h.a.device, { eventId: "bt-5", kind: "purchase", customer: { wallet: alice.address }, receipt: "BT-1", amount: "10.00" }).req,
        replay.req,
        { ...replay.req },
        request(h.a.device, presence("bt-7", alice.address), { storeId: h.b.storeId }).req,
        { ...request(h.a.device, presence("bt-8", alice.address)).req, signature: request(h.b.device, presence("bt-8", alice.address)).req.signature },
      ];
      const { settled, batches } = await inOneBatch(requests);
      expect(batches).to.deep.equal([{ size: requests.length, fallback: false }]);
      const accepted = (eventId: string, k = "presence") => ({ accepted: true, eventId, kind: k });
      expect(settled.map(summary)).to.deep.equal([
        { status: 202, body: accepted("bt-1"), duplicate: false, visitCount: 2 },
        { status: 202, body: { ...accepted("bt-2"), dropped: "no_consent" }, duplicate: false },
        // A second presence of alice in the same batch sees the first as her previous visit.
        { status: 202, body: accepted("bt-3"), duplicate: false, visitCount: 3 },
        { status: 202, body: accepted("bt-3"), duplicate: true },
        { status: 202, body: accepted("bt-0"), duplicate: true },
        { status: 202, body: accepted("bt-4", "scan"), duplicate: false },
        { alone: "purchase" },
        { status: 202, body: accepted("bt-6"), duplicate: false, visitCount: 4 },
        { status: 409, code: "replayed_signature" },
        { status: 403, code: "device_store_mismatch" },
        { status: 401, code: "bad_device_signature" },
      ]);
      // Committed: visits bt-0, bt-1, bt-3, bt-6; one answer per event id; every verified signature recorded.
      expect(await h.count("relay_visits", "subject = $1", [alice.address.toLowerCase()])).to.equal(4);
      expect(await h.count("relay_scans", "subject = $1", [alice.address.toLowerCase()])).to.equal(1);
      expect(await h.count("relay_device_events", "event_id LIKE 'bt-%'")).to.equal(6);
      expect(await h.count("relay_device_events", "event_id = 'bt-5'")).to.equal(0);
      expect(await h.count("relay_device_signatures", "device_id = $1", [h.a.device.id])).to.be.at.least(10);
    });

    it("a batch whose transaction fails is handled again event by event: only the failing event fails", async () => {
      const alice = newCustomer();
      await h.consent(alice, h.a.address, ["in-store-recognition"]);
      await h.t.db.query(`CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.event_id = 'boom' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
      await h.t.db.query("CREATE TRIGGER refuse_boom BEFORE INSERT ON relay_device_events FOR EACH ROW EXECUTE FUNCTION refuse_boom()");
      try {
        const requests = ["fb-1", "boom", "fb-2"].map((id) => request(h.a.device, presence(id, alice.address)).req);
        const { settled, batches } = await inOneBatch(requests);
        expect(batches).to.deep.equal([{ size: 3, fallback: true }]);
        expect(settled.map(summary)).to.deep.equal([
          { status: 202, body: { accepted: true, eventId: "fb-1", kind: "presence" }, duplicate: false, visitCount: 1 },
          { rejected: "refused by the test" },
          { status: 202, body: { accepted: true, eventId: "fb-2", kind: "presence" }, duplicate: false, visitCount: 2 },
        ]);
        expect(await h.count("relay_visits", "subject = $1", [alice.address.toLowerCase()])).to.equal(2);
        expect(await h.count("relay_device_events", "event_id IN ('fb-1', 'fb-2', 'boom')")).to.equal(2);
      } finally {
        await h.t.db.query("DROP TRIGGER refuse_boom ON relay_device_events");
        await h.t.db.query("DROP FUNCTION refuse_boom()");
      }
    });

    it("signatures checked before the transaction: it decides with the device rows it reads, checking afresh a key it was not given", async () => {
      const alice = newCustomer();
      await h.consent(alice, h.a.address, ["in-store-recognition"]);
      const { rows } = await h.t.db.query<{ public_key: string }>("SELECT public_key FROM relay_devices WHERE id = $1 AND brand = $2", [h.a.device.id, h.a.address.toLowerCase()]);
      const oldKey = rows[0]!.public_key;
      const fresh = crypto.generateKeyPairSync("ed25519");
      const freshDevice = { ...h.a.device, privateKeyPem: fresh.privateKey.export({ format: "pem", type: "pkcs8" }).toString() };
      const newKey = fresh.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("base64url");
      const byOld = request(h.a.device, presence("va-1", alice.address)).req;
      const byNew = request(freshDevice, presence("va-2", alice.address)).req;
      const ahead = await verifyAhead(h.t.db, [byOld, byNew].map((r) => ({ deviceId: r.deviceId, canonical: r.canonical, signature: decodeSignature(r.signature) })));
      // Checked against the key the device held then.
      expect(ahead.map((m) => Object.fromEntries(m))).to.deep.equal([{ [oldKey]: true }, { [oldKey]: false }]);
      // The device's key is replaced between the checks and the transaction.
      await h.t.db.query("UPDATE relay_devices SET public_key = $1 WHERE id = $2 AND brand = $3", [newKey, h.a.device.id, h.a.address.toLowerCase()]);
      try {
        const results = await h.t.db.transaction((tx) => handleEventBatch(tx, h.config, [byOld, byNew], { locks: h.t.db.kind === "postgres", verified: ahead }));
        expect(results.map((r) => (r.kind === "error" ? r.error.code : r.kind === "done" ? r.outcome.status : r.kind))).to.deep.equal(["bad_device_signature", 202]);
      } finally {
        await h.t.db.query("UPDATE relay_devices SET public_key = $1 WHERE id = $2 AND brand = $3", [oldKey, h.a.device.id, h.a.address.toLowerCase()]);
      }
      // An unknown device is checked against a key nobody holds, and a malformed signature not at all.
      const unknown = { ...byOld, deviceId: "no-such-device" };
      const more = await verifyAhead(h.t.db, [unknown, byOld].map((r, i) => ({ deviceId: r.deviceId, canonical: r.canonical, signature: i === 0 ? decodeSignature(r.signature) : undefined })));
      expect(more.map((m) => Object.fromEntries(m))).to.deep.equal([{ [UNKNOWN_DEVICE_KEY]: false }, {}]);
    });

    it("answers concurrent HTTP events each correctly, and each answered event is already stored", async () => {
      const alice = newCustomer();
      const bob = newCustomer();
      await h.consent(alice, h.a.address, ["in-store-recognition"]);
      const ids = Array.from({ length: 24 }, (_, i) => `cc-${i}`);
      const answers = await Promise.all(ids.map((id, i) => h.deviceEvent(h.a.device, presence(id, i % 3 === 0 ? bob.address : alice.address))));
      answers.forEach((a, i) => {
        expect(a.status).to.equal(202);
        expect(a.body).to.deep.equal({ accepted: true, eventId: ids[i], kind: "presence", ...(i % 3 === 0 ? { dropped: "no_consent" } : {}) });
      });
      // Durable before the 2xx: read from a connection of its own (PostgreSQL), every answered event is there.
      const reader = h.t.databaseUrl ? await openDb({ databaseUrl: h.t.databaseUrl, poolSize: 1 }) : h.t.db;
      try {
        const { rows } = await reader.query<{ n: number }>("SELECT count(*)::int AS n FROM relay_device_events WHERE event_id LIKE 'cc-%'");
        expect(rows[0]!.n).to.equal(24);
        const visits = await reader.query<{ n: number }>("SELECT count(*)::int AS n FROM relay_visits WHERE subject = $1", [alice.address.toLowerCase()]);
        expect(visits.rows[0]!.n).to.equal(16);
      } finally {
        if (reader !== h.t.db) await reader.close();
      }
    });

    it("a revocation indexed from the chain (not sent through the relay) is effective for the next event", async () => {
      const carol = privateKeyToAccount(testPrivateKey(15));
      await h.consent(carol, h.a.address, ["in-store-recognition"]);
      expect((await h.deviceEvent(h.a.device, presence("ix-1", carol.address))).body).to.deep.equal({ accepted: true, eventId: "ix-1", kind: "presence" });
      const hash = await h.chain.wallet(15).writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "revoke", args: [h.a.address, purposeId("in-store-recognition") as Hex] });
      expect((await h.chain.client.waitForTransactionReceipt({ hash })).status).to.equal("success");
      await h.indexed();
      expect((await h.deviceEvent(h.a.device, presence("ix-2", carol.address))).body).to.deep.equal({ accepted: true, eventId: "ix-2", kind: "presence", dropped: "no_consent" });
    });

    it("logs one line per device event: the request's, with the event's id, kind, device and outcome, and never the customer", async () => {
      const lines: Record<string, unknown>[] = [];
      const sink = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
      const logged = await createRelay(
        h.relayDeps({ logger: pino({ level: "info" }, sink) }),
        { indexer: false, submitter: false, loyalty: false },
      );
      const url = await logged.listen(0, "127.0.0.1");
      try {
        const erin = newCustomer();
        await h.consent(erin, h.a.address, ["in-store-recognition"]);
        const path = `/v1/stores/${h.a.device.storeId}/events`;
        const body = JSON.stringify(presence("lg-1", erin.address));
        const headers = signDeviceRequest({ privateKey: h.a.device.privateKeyPem, deviceId: h.a.device.id, method: "POST", path, body });
        const res = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-request-id": "lg-request", ...headers }, body });
        expect(res.status).to.equal(202);
        await res.text();
        const ofRequest = lines.filter((l) => (l.req as { id?: string } | undefined)?.id === "lg-request");
        expect(ofRequest.map((l) => ({ msg: l.msg, eventId: l.eventId, kind: l.kind, device: l.device, dropped: l.dropped, duplicate: l.duplicate, res: l.res }))).to.deep.equal([
          { msg: "request completed", eventId: "lg-1", kind: "presence", device: h.a.device.id, dropped: undefined, duplicate: false, res: { status: 202 } },
        ]);
        expect(JSON.stringify(lines).toLowerCase()).not.to.include(erin.address.slice(2).toLowerCase());
      } finally {
        await logged.stop();
      }
    });

    if (kind === "postgres") {
      it("two relay instances on one PostgreSQL: a revocation accepted by one is effective for the next event on the other", async () => {
        const db2 = await openDb({ databaseUrl: h.t.databaseUrl!, poolSize: 5 });
        const second = await createRelay(
          h.relayDeps({ db: db2 }),
          { indexer: false, submitter: false, loyalty: false },
        );
        const url2 = await second.listen(0, "127.0.0.1");
        try {
          const dave = newCustomer();
          await h.consent(dave, h.a.address, ["in-store-recognition"]);
          const post = async (eventId: string) => {
            const path = `/v1/stores/${h.a.device.storeId}/events`;
            const body = JSON.stringify(presence(eventId, dave.address));
            const headers = signDeviceRequest({ privateKey: h.a.device.privateKeyPem, deviceId: h.a.device.id, method: "POST", path, body });
            const res = await fetch(`${url2}${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
            return (await res.json()) as unknown;
          };
          expect(await post("two-1")).to.deep.equal({ accepted: true, eventId: "two-1", kind: "presence" });
          await h.chain.setAutomine(false);
          try {
            expect((await h.revoke(dave, h.a.address, "in-store-recognition")).status).to.equal(202);
            expect(await post("two-2")).to.deep.equal({ accepted: true, eventId: "two-2", kind: "presence", dropped: "no_consent" });
          } finally {
            await h.chain.setAutomine(true);
            await h.chain.mine();
          }
        } finally {
          await second.stop();
          await db2.close();
        }
      });
    }
  });
}
