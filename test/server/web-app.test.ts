import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { getAddress } from "viem";
import { ledgerDomain, pointsDomain, relayDomain } from "../../client/typedData";
import { publicRpcUrl } from "../../server/http/discovery";
import { contentSecurityPolicy } from "../../server/http/webApp";
import { testDbKinds } from "../support/db";
import { Harness } from "./relay-harness";

/** A built app as Vite lays it out: index.html, hashed assets, a public file, the build stamp. */
function builtApp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confiance-web-"));
  fs.mkdirSync(path.join(dir, "assets"));
  fs.writeFileSync(path.join(dir, "index.html"), '<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>');
  fs.writeFileSync(path.join(dir, "assets", "index-AbC123.js"), "console.log('app');");
  fs.writeFileSync(path.join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  fs.writeFileSync(path.join(dir, ".build-stamp"), "abc\n");
  return dir;
}

for (const kind of testDbKinds()) {
  describe(`relay: discovery and the web app (${kind})`, function () {
    const dir = builtApp();
    const index = fs.readFileSync(path.join(dir, "index.html"), "utf8");
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind, { web: { dir } });
    });
    after(async () => {
      await h?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("GET /v1/config gives the chain, its RPC URL, the contracts, the EIP-712 domains and the points' backing", async () => {
      const r = await h.http("GET", "/v1/config");
      expect(r.status).to.equal(200);
      const { chainId, unitValue, deployBlock } = h.deployment;
      const [ledger, points, settlement] = [h.deployment.ledger, h.deployment.points, h.deployment.settlement].map((a) => getAddress(a));
      expect(r.body).to.deep.equal({
        chainId,
        rpcUrl: h.chain.url,
        ledger,
        points,
        settlementAsset: { address: settlement, symbol: "mUSD", decimals: 6 },
        unitValue,
        deployBlock,
        domains: { ledger: ledgerDomain(chainId, ledger), points: pointsDomain(chainId, points), relay: relayDomain(chainId, { ledger, points }) },
      });
    });

    for (const room of ["/", "/staff", "/brand", "/audit", "/coalition", "/staff/store-a", "/brand/stores/x/devices", "/audit/0xabc?at=now"]) {
      it(`GET ${room} answers the app's page, never cached, under the Content-Security-Policy`, async () => {
        const r = await h.http("GET", room);
        expect(r.status).to.equal(200);
        expect(r.headers.get("content-type")).to.equal("text/html; charset=utf-8");
        expect(r.body).to.equal(index);
        expect(r.headers.get("cache-control")).to.equal("no-cache");
        expect(r.headers.get("content-security-policy")).to.equal(contentSecurityPolicy(h.chain.url));
        expect(r.headers.get("x-content-type-options")).to.equal("nosniff");
      });
    }

    it("serves hashed assets as immutable for a year, other files revalidated", async () => {
      const asset = await h.http("GET", "/assets/index-AbC123.js");
      expect(asset.status).to.equal(200);
      expect(asset.headers.get("content-type")).to.match(/^text\/javascript|^application\/javascript/);
      expect(asset.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
      const icon = await h.http("GET", "/favicon.svg");
      expect(icon.status).to.equal(200);
      expect(icon.headers.get("cache-control")).to.equal("no-cache");
    });

    it("counts the app's requests under three route labels, never by URL", async () => {
      await h.http("GET", "/staff/store-a");
      await h.http("GET", "/assets/index-AbC123.js");
      await h.http("GET", "/favicon.svg");
      const text = (await h.http("GET", "/metrics")).body as string;
      expect(text).to.match(/relay_http_requests_total\{method="GET",route="\(web app page\)",status="200"\} \d+/);
      expect(text).to.match(/relay_http_requests_total\{method="GET",route="\/assets\/\*",status="200"\} \d+/);
      expect(text).to.match(/relay_http_requests_total\{method="GET",route="\(web app file\)",status="200"\} \d+/);
      expect(text).to.not.include("store-a");
    });

    for (const missing of ["/v1/nothing-here", "/v1", "/assets/index-missing.js", "/.build-stamp", "/nowhere", "/wallet"]) {
      it(`GET ${missing} stays a JSON 404`, async () => {
        const r = await h.http("GET", missing);
        expect(r.status).to.equal(404);
        expect(r.body.error.code).to.equal("route_not_found");
      });
    }

    it("answers only GET and HEAD with the page: POST / is a JSON 404", async () => {
      expect((await h.http("HEAD", "/staff")).status).to.equal(200);
      const r = await h.http("POST", "/", { body: {} });
      expect(r.status).to.equal(404);
      expect(r.body.error.code).to.equal("route_not_found");
    });
  });
}

describe("relay: without the web app", function () {
  let h: Harness;
  before(async () => {
    h = await Harness.start("pglite");
  });
  after(async () => {
    await h?.stop();
  });

  it("GET / is a JSON 404, as every path outside the API", async () => {
    const r = await h.http("GET", "/");
    expect(r.status).to.equal(404);
    expect(r.body.error.code).to.equal("route_not_found");
  });
});

describe("relay: the RPC URL apps are given", () => {
  it("is PUBLIC_RPC_URL when set", () => {
    expect(publicRpcUrl({ PUBLIC_RPC_URL: "https://rpc.example.org" }, "https://node.internal/key-123")).to.equal("https://rpc.example.org");
  });
  it("is the relay's own endpoint on loopback", () => {
    expect(publicRpcUrl({}, "http://127.0.0.1:8545")).to.equal("http://127.0.0.1:8545");
    expect(publicRpcUrl({}, "http://localhost:8545")).to.equal("http://localhost:8545");
  });
  it("is none for any other endpoint, which may carry a provider's key", () => {
    expect(publicRpcUrl({}, "https://eth-mainnet.example.com/v2/secret-key")).to.equal(null);
  });
  it("is allowed by the pages' connect-src", () => {
    expect(contentSecurityPolicy("http://10.0.0.5:8545/path")).to.contain("connect-src 'self' https: wss: http://127.0.0.1:* http://localhost:* http://10.0.0.5:8545;");
    expect(contentSecurityPolicy()).to.contain("script-src 'self';");
  });
});
