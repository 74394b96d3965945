import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { createWalletClient, getAddress, http, keccak256, stringToBytes, type Address, type Hex } from "viem";
import { hardhat } from "viem/chains";
import { consentLedgerAbi } from "../../client/abis";
import { canonicalJson, fetchNotice, NoticeRelayError, noticeHash, parseNotice, uploadNotice, type Notice } from "../../client/notices";
import { purposeId } from "../../client/purposes";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer } from "./relay-harness";

const EXAMPLE = path.join(__dirname, "../../scripts/demo/notices/cafe-lune/shopping-list.json");

/** The Café's shopping-list notice, as brand `controller`'s document. */
function noticeOf(controller: Address, over: (n: Notice) => void = () => undefined): Notice {
  const n = parseNotice(JSON.parse(fs.readFileSync(EXAMPLE, "utf8")));
  n.controller.address = getAddress(controller);
  over(n);
  return n;
}

for (const kind of testDbKinds()) {
  describe(`relay: notice documents (${kind})`, function () {
    this.timeout(120_000);
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind, { submitter: false, indexer: false });
    });
    after(async () => {
      await h?.stop();
    });

    const put = (apiKey: string | undefined, body: unknown, raw?: string) =>
      h.http("PUT", "/v1/brand/notices", raw === undefined ? { auth: apiKey, body } : { auth: apiKey, raw, headers: { "content-type": "application/json" } });

    it("stores a brand's notice once, serves it by hash byte for byte, and the chain accepts grants naming that hash", async () => {
      const notice = noticeOf(h.a.address);
      const hash = noticeHash(notice);
      const first = await put(h.a.apiKey, notice);
      expect(first.status, JSON.stringify(first.body)).to.equal(201);
      const { createdAt, ...rest } = first.body;
      expect(rest).to.deep.equal({
        noticeHash: hash,
        controller: h.a.address,
        purpose: purposeId("shopping-list"),
        purposeName: "shopping-list",
        version: 1,
        url: `/v1/notices/${hash}`,
      });
      expect(Date.parse(createdAt)).to.be.greaterThan(0);

      // the same document, indented and with its fields in another order: the same notice
      const reordered = JSON.stringify(Object.fromEntries(Object.entries(notice).reverse()), null, 3);
      const again = await put(h.a.apiKey, undefined, reordered);
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      expect(await h.count("notice_documents")).to.equal(1);

      const served = await fetch(`${h.url}/v1/notices/${hash.toUpperCase().replace("0X", "0x")}`);
      const text = await served.text();
      expect(served.status).to.equal(200);
      expect(served.headers.get("content-type")).to.equal("application/json; charset=utf-8");
      expect(served.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
      expect(served.headers.get("etag")).to.equal(`"${hash}"`);
      expect(text).to.equal(canonicalJson(notice));
      expect(keccak256(stringToBytes(text))).to.equal(hash);
      expect(await fetchNotice({ relayUrl: h.url, noticeHash: hash })).to.deep.equal({ notice, canonical: text });

      // the hash the relay computed is the one the ledger takes and the one a grant must name
      await h.chain.client.waitForTransactionReceipt({
        hash: await h.a.wallet.writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "definePurpose", args: [purposeId("shopping-list"), hash, `${h.url}/v1/notices/${hash}`] }),
      });
      const [onChain] = await h.chain.client.readContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "purposeOf", args: [h.a.address, purposeId("shopping-list")] });
      expect(onChain).to.equal(hash);
      const customer = newCustomer();
      await h.chain.client.waitForTransactionReceipt({
        hash: await h.chain.wallet(9).sendTransaction({ to: customer.address, value: 10n ** 17n }),
      });
      const wallet = createWalletClient({ account: customer, chain: hardhat, transport: http(h.chain.url) });
      const tx = await wallet.writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "grant", args: [h.a.address, purposeId("shopping-list"), 1n << 48n, 0, hash] });
      expect((await h.chain.client.waitForTransactionReceipt({ hash: tx })).status).to.equal("success");
    });

    it("keeps every version: a new version is a new document under its own hash", async () => {
      const v1 = noticeOf(h.a.address);
      const v2 = noticeOf(h.a.address, (n) => {
        n.version = 2;
        n.retention.period = "P6M";
      });
      const r = await uploadNotice({ relayUrl: h.url, apiKey: h.a.apiKey, notice: v2 });
      expect(r).to.deep.equal({ noticeHash: noticeHash(v2), created: true, url: `${h.url}/v1/notices/${noticeHash(v2)}` });
      expect(await uploadNotice({ relayUrl: h.url, apiKey: h.a.apiKey, notice: v2 })).to.deep.equal({ ...r, created: false });
      expect((await fetchNotice({ relayUrl: h.url, noticeHash: noticeHash(v1) })).notice.version).to.equal(1);
      expect((await fetchNotice({ relayUrl: h.url, noticeHash: noticeHash(v2) })).notice.retention.period).to.equal("P6M");
      const { rows } = await h.t.db.query("SELECT purpose_name, version FROM notice_documents ORDER BY version");
      expect(rows).to.deep.equal([
        { purpose_name: "shopping-list", version: 1 },
        { purpose_name: "shopping-list", version: 2 },
      ]);
    });

    describe("refusals (typed errors, nothing stored)", () => {
      async function refused(status: number, code: string, message: string | RegExp, answer: Promise<{ status: number; body: any }>) { // eslint-disable-line @typescript-eslint/no-explicit-any
        const before = await h.count("notice_documents");
        const r = await answer;
        expect(r.status, JSON.stringify(r.body)).to.equal(status);
        expect(r.body.error.code).to.equal(code);
        if (typeof message === "string") expect(r.body.error.message).to.equal(message);
        else expect(r.body.error.message).to.match(message);
        expect(await h.count("notice_documents")).to.equal(before);
      }

      it("a document that breaks the schema: 400 invalid_notice naming each problem", async () => {
        const bad = noticeOf(h.a.address) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
        bad.legalBasis = "because";
        delete bad.withdrawal;
        await refused(
          400,
          "invalid_notice",
          'legalBasis: Invalid option: expected one of "consent"|"contract"|"legal-obligation"|"vital-interests"|"public-task"|"legitimate-interests"; withdrawal: missing (expected an object)',
          put(h.a.apiKey, bad),
        );
        await refused(400, "invalid_notice", "(document): Invalid input: expected object, received array", put(h.a.apiKey, [1]));
      });

      it("another brand's notice: 403 notice_controller_mismatch", async () => {
        await refused(
          403,
          "notice_controller_mismatch",
          `the notice names controller ${getAddress(h.a.address)}; this API key is brand ${h.b.address}`,
          put(h.b.apiKey, noticeOf(h.a.address)),
        );
      });

      it("no API key, a wrong one, a body that is not JSON: 401 and 4xx", async () => {
        await refused(401, "missing_api_key", /Bearer/, put(undefined, noticeOf(h.a.address)));
        await refused(401, "invalid_api_key", "the brand API key is not valid", put("nope", noticeOf(h.a.address)));
        await refused(400, "malformed_json", "the body is not valid JSON", put(h.a.apiKey, undefined, "{"));
        await refused(415, "unsupported_media_type", /application\/json/, h.http("PUT", "/v1/brand/notices", { auth: h.a.apiKey, raw: "x", headers: { "content-type": "text/plain" } }));
      });

      it("an unknown or malformed hash: 404 notice_not_found, 400 invalid_notice_hash", async () => {
        const unknown = keccak256(stringToBytes("no such notice"));
        await refused(404, "notice_not_found", `this relay holds no notice whose hash is ${unknown}`, h.http("GET", `/v1/notices/${unknown}`));
        await refused(400, "invalid_notice_hash", "noticeHash: expected 0x and 64 hex digits", h.http("GET", "/v1/notices/0x1234"));
        try {
          await fetchNotice({ relayUrl: h.url, noticeHash: unknown as Hex });
          expect.fail("fetchNotice resolved");
        } catch (err) {
          expect(err).to.be.instanceOf(NoticeRelayError);
          expect(err).to.include({ status: 404, code: "notice_not_found" });
        }
      });
    });

    it("describes both routes in /openapi.json", async () => {
      const doc = (await h.http("GET", "/openapi.json")).body;
      expect(Object.keys(doc.paths["/v1/notices/{noticeHash}"])).to.deep.equal(["get"]);
      expect(Object.keys(doc.paths["/v1/brand/notices"])).to.deep.equal(["put"]);
      expect(doc.paths["/v1/brand/notices"].put.security).to.deep.equal([{ brandApiKey: [] }]);
      expect(doc.components.schemas.Notice.required).to.include("controller");
    });
  });
}
