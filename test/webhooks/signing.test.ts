import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { newSecret, secretBytes, signatureHeader, webhookHeaders, WebhookSecretError } from "../../server/webhooks/signing";
import { checkEndpointUrl, classifyAddress, WebhookUrlError } from "../../server/webhooks/urls";
import { givesUp, nominalDelayMs, retryDelayMs } from "../../server/webhooks/retry";
import { EXCERPT_BYTES, guardedLookup, sendWebhook } from "../../server/webhooks/send";
import { verifyStandardWebhook } from "./receiver";

describe("webhooks: signing, URLs, retry schedule, one request", function () {
  describe("Standard Webhooks signatures", () => {
    // The specification's own example (standard-webhooks, "Verifying webhooks"): this secret, id, timestamp
    // and body sign to this value.
    const spec = { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330, body: '{"test": 2432232314}' };

    it("signs the specification's example to its published signature", () => {
      expect(signatureHeader({ ...spec, secrets: [spec.secret] })).to.equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
      expect(verifyStandardWebhook(spec.secret, { ...spec, signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" }, 300, spec.timestamp)).to.equal(true);
    });

    it("signs with every secret in force, space-separated, each verifying on its own", () => {
      const [current, previous, other] = [newSecret(), newSecret(), newSecret()];
      const now = Math.floor(Date.now() / 1000);
      const headers = webhookHeaders({ id: "msg_1", timestamp: now, body: '{"a":1}', secrets: [current, previous] });
      expect(Object.keys(headers)).to.deep.equal(["webhook-id", "webhook-timestamp", "webhook-signature"]);
      expect(headers["webhook-signature"]).to.match(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
      const received = { id: headers["webhook-id"]!, timestamp: Number(headers["webhook-timestamp"]), signature: headers["webhook-signature"]!, body: '{"a":1}' };
      expect(verifyStandardWebhook(current, received)).to.equal(true);
      expect(verifyStandardWebhook(previous, received)).to.equal(true);
      expect(verifyStandardWebhook(other, received)).to.equal(false);
      expect(verifyStandardWebhook(current, { ...received, body: '{"a":2}' })).to.equal(false);
      expect(verifyStandardWebhook(current, { ...received, id: "msg_2" })).to.equal(false);
      expect(verifyStandardWebhook(current, { ...received, timestamp: now - 600 })).to.equal(false);
    });

    it("makes 32-byte whsec_ secrets and refuses malformed ones", () => {
      const s = newSecret();
      expect(s).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(secretBytes(s)).to.have.length(32);
      expect(newSecret()).to.not.equal(s);
      for (const bad of ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!!", "whsec_AAAA"]) expect(() => secretBytes(bad), bad).to.throw(WebhookSecretError);
      expect(() => signatureHeader({ id: "m", timestamp: 1, body: "", secrets: [] })).to.throw(WebhookSecretError);
    });
  });

  describe("endpoint URLs", () => {
    const strict = { allowLoopback: false, allowPrivate: false };
    const loopback = { allowLoopback: true, allowPrivate: false };

    it("accepts https to public hosts, and http or https on loopback only when allowed", () => {
      expect(checkEndpointUrl("https://crm.brand.example/hooks?x=1", strict).toString()).to.equal("https://crm.brand.example/hooks?x=1");
      expect(checkEndpointUrl("https://93.184.216.34/h", strict).host).to.equal("93.184.216.34");
      for (const u of ["http://127.0.0.1:9999/h", "https://localhost/h", "http://[::1]:80/h", "https://127.5.5.5/"]) {
        expect(checkEndpointUrl(u, loopback).toString(), u).to.be.a("string");
        expect(() => checkEndpointUrl(u, strict), u).to.throw(WebhookUrlError, /loopback/);
      }
    });

    it("refuses plain http, credentials, fragments, private, link-local and reserved addresses", () => {
      const cases: [string, RegExp][] = [
        ["http://crm.brand.example/h", /https/],
        ["ftp://crm.brand.example/h", /https/],
        ["https://user:pw@crm.brand.example/h", /credentials/],
        ["https://crm.brand.example/h#frag", /fragment/],
        ["https://10.1.2.3/h", /private/],
        ["https://192.168.1.1/h", /private/],
        ["https://[fd00::1]/h", /private/],
        ["https://169.254.169.254/latest/meta-data", /link-local/],
        ["https://0.0.0.0/h", /link-local|unspecified/],
        ["https://[::ffff:a9fe:a9fe]/h", /link-local/],
        ["https://bad_host.example/h", /host name/],
        ["not a url", /absolute/],
        [`https://crm.brand.example/${"a".repeat(2048)}`, /longer/],
      ];
      for (const [u, why] of cases) expect(() => checkEndpointUrl(u, loopback), u).to.throw(WebhookUrlError, why);
      expect(() => checkEndpointUrl("https://[::ffff:127.0.0.1]/h", strict)).to.throw(WebhookUrlError, /loopback/);
      expect(checkEndpointUrl("https://10.1.2.3/h", { allowLoopback: false, allowPrivate: true }).host).to.equal("10.1.2.3");
      expect([classifyAddress("8.8.8.8"), classifyAddress("172.20.0.1"), classifyAddress("::1"), classifyAddress("fe80::1")]).to.deep.equal(["public", "private", "loopback", "forbidden"]);
    });

    it("refuses a host name that resolves to a refused address, at connection time", async () => {
      const lookup = guardedLookup({ allowLoopback: false, allowPrivate: false });
      const err = await new Promise<Error | null>((resolve) => lookup("localhost", {}, (e) => resolve(e)));
      expect(err?.message).to.match(/^localhost resolves to .* loopback address/);
      const ok = await new Promise<unknown[]>((resolve) => guardedLookup(loopback)("localhost", { all: true }, (_e, addresses) => resolve(addresses as unknown as unknown[])));
      expect(ok.length).to.be.greaterThan(0);
    });
  });

  describe("retry schedule", () => {
    const p = { baseMs: 5_000, maxMs: 3_600_000, maxAttempts: 16, maxAgeMs: 86_400_000 };

    it("doubles from the base up to the maximum, jittered between half and all of it", () => {
      expect([1, 2, 3, 4, 10, 11, 12, 16].map((n) => nominalDelayMs(n, p))).to.deep.equal([5_000, 10_000, 20_000, 40_000, 2_560_000, 3_600_000, 3_600_000, 3_600_000]);
      expect([retryDelayMs(3, p, () => 0), retryDelayMs(3, p, () => 0.5), retryDelayMs(3, p, () => 0.999999)]).to.deep.equal([10_000, 15_000, 20_000]);
      expect(nominalDelayMs(1000, p)).to.equal(3_600_000);
    });

    it("gives up after the maximum attempts or once the delivery is too old", () => {
      expect([givesUp(15, 1000, p), givesUp(16, 1000, p), givesUp(1, 86_399_999, p), givesUp(1, 86_400_000, p)]).to.deep.equal([false, true, false, true]);
    });
  });

  describe("one request", () => {
    let server: http.Server;
    let base: string;
    const policy = { allowLoopback: true, allowPrivate: false };

    before(async () => {
      server = http.createServer((req, res) => {
        req.resume();
        req.on("end", () => {
          if (req.url === "/redirect") {
            res.writeHead(307, { location: "https://elsewhere.example/" });
            res.end();
          } else if (req.url === "/slow") {
            setTimeout(() => res.end("late"), 1_000);
          } else if (req.url === "/big") {
            res.writeHead(500);
            res.end("x".repeat(100_000));
          } else {
            res.writeHead(204);
            res.end();
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    const send = (path: string, timeoutMs = 2_000, p = policy) => sendWebhook({ url: base + path, body: "{}", headers: {}, timeoutMs, policy: p });

    it("reports a 2xx, a refused status with a short excerpt, a redirect not followed and a timeout", async () => {
      const ok = await send("/ok");
      expect([ok.ok, ok.statusCode, ok.error, ok.excerpt]).to.deep.equal([true, 204, undefined, undefined]);
      const big = await send("/big");
      expect([big.ok, big.statusCode, big.excerpt]).to.deep.equal([false, 500, "x".repeat(EXCERPT_BYTES)]);
      const redirect = await send("/redirect");
      expect([redirect.ok, redirect.statusCode, redirect.error]).to.deep.equal([false, 307, "redirect to https://elsewhere.example/ not followed"]);
      const slow = await send("/slow", 200);
      expect([slow.ok, slow.statusCode, slow.error]).to.deep.equal([false, undefined, "timeout: no complete answer within 200 ms"]);
      expect(slow.durationMs).to.be.at.least(200);
      const refused = await send("/ok", 2_000, { allowLoopback: false, allowPrivate: false });
      expect([refused.ok, refused.error]).to.deep.equal([false, "refused URL: the URL must be https:// (http:// only on loopback, when allowed)"]);
    });
  });
});
