import http from "node:http";
import net from "node:net";
import { expect } from "chai";
import { createRelay } from "../../server/relay";
import { testDbKinds } from "../support/db";
import { signDeviceRequest } from "../../client";
import { ADMIN_TOKEN, Harness, newCustomer, type TestDevice } from "./relay-harness";

/** Opens a staff stream; resolves with its status and a promise of its end. */
function openStream(url: string, apiKey: string): Promise<{ status: number; ended: Promise<void>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: `Bearer ${apiKey}` } }, (res) => {
      const ended = new Promise<void>((done) => {
        res.on("end", done);
        res.on("close", done);
      });
      res.resume();
      resolve({ status: res.statusCode ?? 0, ended, close: () => req.destroy() });
    });
    req.on("error", reject);
  });
}

/** A GET sent from another loopback address (another client, as far as the relay can tell). */
export function getFrom(localAddress: string, url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

/** Resolves when `p` settles or after `ms` with "timeout". */
function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  return Promise.race([p, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms))]);
}

/** Sends the start of a request over a raw socket and resolves with what the server answered and how long the socket stayed open. */
function slowRequest(url: string, partial: string): Promise<{ answer: string; ms: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname, () => socket.write(partial));
    let answer = "";
    socket.setEncoding("utf8").on("data", (c: string) => (answer += c));
    socket.on("close", () => resolve({ answer, ms: Date.now() - started }));
  });
}

/** A device event as `deviceEvent` sends it, but from another loopback address (Linux routes all of 127/8 to lo). */
function postFrom(localAddress: string, h: Harness, device: TestDevice, event: unknown, signAs: TestDevice): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const path = `/v1/stores/${device.storeId}/events`;
  const raw = JSON.stringify(event);
  const signed = signDeviceRequest({ privateKey: signAs.privateKeyPem, deviceId: device.id, method: "POST", path, body: raw });
  const url = new URL(h.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: "POST", localAddress, headers: { "content-type": "application/json", ...signed } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end(raw);
  });
}

for (const kind of testDbKinds()) {
  describe(`relay limits (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind, {
        env: {
          RATE_LIMIT_PER_CLIENT: "1000000",
          RATE_LIMIT_PER_DEVICE: "4",
          RATE_LIMIT_PER_API_KEY: "40",
          RATE_LIMIT_AUDIT_PER_CLIENT: "6",
          STREAMS_PER_BRAND: "2",
          STREAMS_TOTAL: "3",
          HEADERS_TIMEOUT_MS: "1000",
          REQUEST_TIMEOUT_MS: "2000",
        },
      });
    });
    after(async () => {
      await h?.stop();
    });

    it("limits device requests per device id before the signature is checked: 429 rate_limited with Retry-After", async () => {
      const event = (i: number) => ({ eventId: `rl-${i}`, kind: "presence", customer: { wallet: newCustomer().address } });
      const forged = { ...h.b.device, id: "device-rl" };
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await h.deviceEvent(forged, event(i)));
      expect(answers.map((a) => a.status)).to.deep.equal([401, 401, 401, 401, 429, 429]);
      expect(answers[4]!.body.error.code).to.equal("rate_limited");
      expect(Number(answers[4]!.headers.get("retry-after"))).to.be.within(1, 60);
      // Each limit that applied, in order, with what is left of it (none once refused) and the window's seconds.
      const window = Math.ceil(h.config.RATE_LIMIT_WINDOW_MS / 1000);
      expect(answers[0]!.headers.get("ratelimit-policy")).to.equal(`"client"; q=1000000; w=${window}, "device"; q=4; w=${window}`);
      expect(answers[0]!.headers.get("ratelimit")).to.match(new RegExp(`^"client"; r=\\d+; t=\\d+, "device"; r=3; t=\\d+$`));
      expect(answers[3]!.headers.get("ratelimit")).to.match(/"device"; r=0; t=\d+$/);
      expect(answers[4]!.headers.get("ratelimit")).to.match(/"device"; r=0; t=\d+$/);
      // Another device is not held back by this one.
      expect((await h.deviceEvent(h.a.device, event(9))).status).to.equal(202);
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).to.include('relay_rate_limited_total{limit="device"} 2');
    });

    it("counts a device id per client address: a flood naming a real device's id from elsewhere does not hold the device back", async () => {
      const event = (i: number) => ({ eventId: `rl-real-${i}`, kind: "presence", customer: { wallet: newCustomer().address } });
      // From 127.0.0.2, forged requests that name brand A's beacon: refused, then rate limited.
      const stranger = [];
      for (let i = 0; i < 5; i++) stranger.push(await postFrom("127.0.0.2", h, h.a.device, event(i), h.b.device));
      expect(stranger.map((a) => a.status)).to.deep.equal([401, 401, 401, 401, 429]);
      // The beacon itself, from its own address, is still served.
      const real = await h.deviceEvent(h.a.device, event(5));
      expect(real.status).to.equal(202);
      expect(real.body.dropped).to.equal("no_consent");
    });

    it("limits the audit routes per client, and brand requests per API key", async () => {
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push((await getFrom("127.0.0.2", `${h.url}/v1/audit/controllers/${h.a.address}/history?limit=1`)).status);
      expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200, 429, 429]);
      // Another client is not held back, and the other routes are not the audit's.
      expect((await getFrom("127.0.0.3", `${h.url}/v1/audit/controllers/${h.a.address}/history?limit=1`)).status).to.equal(200);
      expect((await getFrom("127.0.0.2", `${h.url}/v1/config`)).status).to.equal(200);
      const keyed = [];
      for (let i = 0; i < 45; i++) keyed.push((await h.http("GET", "/v1/brand", { auth: "cfk_not-a-key" })).status);
      expect(keyed.slice(0, 40).every((s) => s === 401)).to.equal(true);
      expect(keyed.slice(40)).to.deep.equal([429, 429, 429, 429, 429]);
      expect((await h.http("GET", "/v1/brand", { auth: h.a.apiKey })).status).to.equal(200);
    });

    it("caps staff streams per brand and in total (429 stream_limit) and frees a place when one closes", async () => {
      const path = (tag: "a" | "b") => `${h.url}/v1/brand/stores/${h[tag].storeId}/stream`;
      const s1 = await openStream(path("a"), h.a.apiKey);
      const s2 = await openStream(path("a"), h.a.apiKey);
      const s3 = await openStream(path("a"), h.a.apiKey);
      expect([s1.status, s2.status, s3.status]).to.deep.equal([200, 200, 429]);
      const b1 = await openStream(path("b"), h.b.apiKey);
      const b2 = await openStream(path("b"), h.b.apiKey);
      expect([b1.status, b2.status]).to.deep.equal([200, 429]);
      const refused = await h.http("GET", `/v1/brand/stores/${h.b.storeId}/stream`, { auth: h.b.apiKey });
      expect([refused.status, refused.body.error.code]).to.deep.equal([429, "stream_limit"]);
      s1.close();
      await s1.ended;
      await new Promise((r) => setTimeout(r, 100));
      const b3 = await openStream(path("b"), h.b.apiKey);
      expect(b3.status).to.equal(200);
      for (const s of [s2, b1, b3]) s.close();
      await new Promise((r) => setTimeout(r, 100));
    });

    it("ends a brand's streams when its API key is rotated or the brand is disabled, on every instance", async () => {
      const second = await createRelay(
        h.relayDeps(),
        { submitter: false, indexer: false },
      );
      const url2 = await second.listen(0, "127.0.0.1");
      try {
        const here = await openStream(`${h.url}/v1/brand/stores/${h.a.storeId}/stream`, h.a.apiKey);
        // A second instance sees the rotation only through PostgreSQL; PGlite is one process, one instance.
        const there = kind === "postgres" ? await openStream(`${url2}/v1/brand/stores/${h.a.storeId}/stream`, h.a.apiKey) : undefined;
        expect(here.status).to.equal(200);
        const rotated = await h.http("POST", `/v1/admin/brands/${h.a.address}/api-key`, { auth: ADMIN_TOKEN });
        expect(rotated.status).to.equal(201);
        expect(await within(here.ended, 3000)).to.equal(undefined);
        if (there) expect(await within(there.ended, 3000)).to.equal(undefined);
        const old = await h.http("GET", "/v1/brand", { auth: h.a.apiKey });
        expect([old.status, old.body.error.code]).to.deep.equal([401, "invalid_api_key"]);
        h.a.apiKey = rotated.body.apiKey;

        const again = await openStream(`${h.url}/v1/brand/stores/${h.a.storeId}/stream`, h.a.apiKey);
        expect(again.status).to.equal(200);
        const off = await h.http("POST", `/v1/admin/brands/${h.a.address}/state`, { auth: ADMIN_TOKEN, body: { disabled: true } });
        expect([off.status, off.body.disabled]).to.deep.equal([200, true]);
        expect(await within(again.ended, 3000)).to.equal(undefined);
        const refused = await h.http("GET", "/v1/brand", { auth: h.a.apiKey });
        expect([refused.status, refused.body.error.code]).to.deep.equal([403, "brand_disabled"]);
        const device = await h.deviceEvent(h.a.device, { eventId: "off-1", kind: "presence", customer: { wallet: newCustomer().address } });
        expect([device.status, device.body.error.code]).to.deep.equal([403, "brand_disabled"]);
        const on = await h.http("POST", `/v1/admin/brands/${h.a.address}/state`, { auth: ADMIN_TOKEN, body: { disabled: false } });
        expect(on.body.disabled).to.equal(false);
        expect((await h.http("GET", "/v1/brand", { auth: h.a.apiKey })).status).to.equal(200);
      } finally {
        await second.stop();
      }
    });

    it("closes a connection whose headers or body arrive too slowly", async () => {
      const headers = await slowRequest(h.url, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
      expect(headers.answer).to.match(/^HTTP\/1\.1 408/);
      expect(headers.ms).to.be.within(900, 4000);
      const body = await slowRequest(h.url, `POST /v1/consents/grant HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"subject":`);
      expect(body.ms).to.be.within(1900, 5000);
    });

    it("holds at most MAX_CONNECTIONS open connections: one more is closed unanswered, and accepted again once one closes", async () => {
      const second = await createRelay(
        h.relayDeps({ config: { ...h.config, MAX_CONNECTIONS: 2 } }),
        { submitter: false, indexer: false },
      );
      const url = await second.listen(0, "127.0.0.1");
      const { hostname, port } = new URL(url);
      const sockets: net.Socket[] = [];
      try {
        for (let i = 0; i < 2; i++) {
          const s = net.connect(Number(port), hostname);
          await new Promise((r) => s.once("connect", r));
          sockets.push(s);
        }
        await new Promise((r) => setTimeout(r, 50));
        const third = await slowRequest(url, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        expect([third.answer, third.ms < 1000]).to.deep.equal(["", true]);
        sockets.shift()!.destroy();
        await new Promise((r) => setTimeout(r, 50));
        const answered = await slowRequest(url, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        expect(answered.answer).to.match(/^HTTP\/1\.1 [2-5]\d\d /);
      } finally {
        sockets.forEach((s) => s.destroy());
        await second.stop();
      }
    });

    it("verifies a controller's history incrementally, and answers a burst at one indexed block from the cache", async () => {
      const v = async () => {
        const r = await h.http("GET", `/v1/audit/controllers/${h.b.address}/history?verify=true&limit=1`);
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
        return r.body.verification;
      };
      const counters = async () => {
        const text = await (await fetch(`${h.url}/metrics`)).text();
        const n = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
        return { hashed: n(/^relay_audit_records_hashed_total (\d+)/m), computed: n(/^relay_audit_verifications_total\{result="computed"\} (\d+)/m), cached: n(/^relay_audit_verifications_total\{result="cached"\} (\d+)/m) };
      };
      await h.consent(newCustomer(), h.b.address, ["loyalty"]);
      await h.consent(newCustomer(), h.b.address, ["loyalty"]);
      const start = await counters();
      const first = await v();
      expect(first.verified).to.equal(true);
      expect(first.recomputed.length).to.equal(2);
      expect(first.summary.grants).to.equal(2);
      await v();
      const burst = await counters();
      expect(burst.hashed - start.hashed).to.equal(2);
      expect(burst.computed - start.computed).to.equal(1);
      expect(burst.cached - start.cached).to.equal(1);
      await h.consent(newCustomer(), h.b.address, ["loyalty"]);
      const third = await v();
      expect([third.verified, third.recomputed.length, third.atIndexedBlock.matches]).to.deep.equal([true, 3, true]);
      expect((await counters()).hashed - start.hashed).to.equal(3);
    });
  });
}
