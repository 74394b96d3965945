import { expect } from "chai";
import { parseAbiItem, type Address, type Hex } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { receiptIdOf } from "../../server/brands/earning";
import { campaignReceiptId, consentRewardReceiptId, welcomeReceiptId } from "../../server/loyalty/receiptIds";
import { testDbKinds } from "../support/db";
import { ADMIN_TOKEN, Harness, newCustomer } from "./relay-harness";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const kind of testDbKinds()) {
  describe(`relay loyalty programme (${kind})`, function () {
    this.timeout(120_000);
    let h: Harness;
    let snapshot: string | undefined;
    before(async () => {
      h = await Harness.start(kind);
      snapshot = await h.chain.snapshot();
    });
    after(async () => {
      await h?.stop();
      // The suite moves the shared chain's clock a month ahead (expiry): the suites after it get it back.
      if (snapshot) await h.chain.revert(snapshot);
    });

    const balanceOf = (customer: Address) => h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [customer] });
    const points = async (customer: Address) => (await h.http("GET", `/v1/customers/${customer}/points`)).body;
    const salt = async (brand: Address) => (await h.t.db.query<{ s: string }>("SELECT receipt_salt AS s FROM relay_brands WHERE address = $1", [brand])).rows[0]!.s;
    /** Waits until `fn` holds (bounded by attempts). */
    async function until(what: string, fn: () => Promise<boolean>): Promise<void> {
      for (let i = 0; i < 1500; i++) {
        if (await fn()) return;
        await sleep(20);
      }
      throw new Error(`never: ${what}`);
    }

    describe("campaigns, welcome bonus and quote", () => {
      const now = Date.now();
      before(async () => {
        const auth = h.a.apiKey;
        expect((await h.http("POST", "/v1/brand/programme", { auth, body: { welcomeBonus: "50" } })).status).to.equal(200);
        const coffee = await h.http("POST", "/v1/brand/campaigns", {
          auth,
          body: { name: "coffee-double", multiplier: "2", productCodes: ["COFFEE"], startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 3_600_000).toISOString() },
        });
        expect(coffee.status, JSON.stringify(coffee.body)).to.equal(200);
        expect(coffee.body).to.deep.include({ name: "coffee-double", multiplier: "2", bonus: null, productCodes: ["COFFEE"], running: true });
        await h.http("POST", "/v1/brand/campaigns", { auth, body: { name: "autumn", bonus: "10", startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 3_600_000).toISOString() } });
        // Over: never applies.
        await h.http("POST", "/v1/brand/campaigns", { auth, body: { name: "summer", bonus: "999", startsAt: new Date(now - 7_200_000).toISOString(), endsAt: new Date(now - 3_600_000).toISOString() } });
      });

      it("quotes a basket without doing anything: base rate, running campaigns, welcome bonus on a first purchase", async () => {
        const ops = await h.count("operations");
        const basket = { amount: "10", items: [{ productCode: "COFFEE", amount: "4" }, { productCode: "BREAD", amount: "6" }] };
        const pub = await h.http("POST", `/v1/brands/${h.a.address}/quote`, { body: { ...basket, firstPurchase: true } });
        expect(pub.status).to.equal(200);
        expect(pub.body).to.deep.equal({
          points: "88",
          issuances: [
            { reason: "purchase", campaign: null, points: "20" },
            { reason: "campaign", campaign: "autumn", points: "10" },
            { reason: "campaign", campaign: "coffee-double", points: "8" },
            { reason: "welcome", campaign: null, points: "50" },
          ],
          returnWindowSeconds: 0,
        });
        const noWelcome = await h.http("POST", `/v1/brands/${h.a.address}/quote`, { body: { amount: "10" } });
        expect(noWelcome.body.points).to.equal("30");
        const forCustomer = await h.http("POST", "/v1/brand/quote", { auth: h.a.apiKey, body: { ...basket, customer: newCustomer().address } });
        expect(forCustomer.body.points).to.equal("88");
        expect(await h.count("operations")).to.equal(ops);
        expect(await h.count("relay_issuances")).to.equal(0);
      });

      it("refuses bad quotes and campaigns with their codes", async () => {
        const cases: [string, string, unknown, number, string][] = [
          ["POST", `/v1/brands/${h.a.address}/quote`, { amount: "10", customer: newCustomer().address }, 400, "customer_not_allowed"],
          ["POST", `/v1/brands/0x${"12".repeat(20)}/quote`, { amount: "10" }, 404, "brand_not_found"],
          ["POST", `/v1/brands/nope/quote`, { amount: "10" }, 400, "invalid_address"],
          ["POST", `/v1/brands/${h.a.address}/quote`, { amount: "-1" }, 400, "invalid_amount"],
          ["POST", `/v1/brands/${h.a.address}/quote`, { amount: "1", items: [{ productCode: "a b", amount: "1" }] }, 400, "invalid_product_code"],
        ];
        for (const [method, path, body, status, code] of cases) {
          const r = await h.http(method, path, { body });
          expect([r.status, r.body.error?.code], path).to.deep.equal([status, code]);
        }
        const start = new Date().toISOString();
        const end = new Date(Date.now() + 1000).toISOString();
        const bad: [unknown, string][] = [
          [{ name: "x", multiplier: "2", bonus: "5", startsAt: start, endsAt: end }, "invalid_campaign"],
          [{ name: "x", startsAt: start, endsAt: end }, "invalid_campaign"],
          [{ name: "x", multiplier: "1", startsAt: start, endsAt: end }, "invalid_multiplier"],
          [{ name: "x", bonus: "0", startsAt: start, endsAt: end }, "invalid_points"],
          [{ name: "x", bonus: "5", startsAt: end, endsAt: start }, "invalid_time"],
          [{ name: "", bonus: "5", startsAt: start, endsAt: end }, "invalid_campaign_name"],
        ];
        for (const [body, code] of bad) {
          const r = await h.http("POST", "/v1/brand/campaigns", { auth: h.a.apiKey, body });
          expect([r.status, r.body.error?.code], JSON.stringify(body)).to.deep.equal([400, code]);
        }
        const w = await h.http("POST", "/v1/brand/programme", { auth: h.a.apiKey, body: { returnWindowSeconds: -1 } });
        expect([w.status, w.body.error.code]).to.deep.equal([400, "invalid_return_window"]);
        const gone = await h.http("DELETE", "/v1/brand/campaigns/none", { auth: h.a.apiKey });
        expect([gone.status, gone.body.error.code]).to.deep.equal([404, "campaign_not_found"]);
        expect((await h.http("GET", "/v1/brand/programme")).status).to.equal(401);
      });

      it("issues each part with its reason: base, campaigns, and the welcome bonus only on the first purchase", async () => {
        const carol = newCustomer();
        await h.consent(carol, h.a.address, ["loyalty"]);
        const first = await h.deviceEvent(h.a.device, {
          eventId: "c-1",
          kind: "purchase",
          customer: { wallet: carol.address },
          receipt: "R-C-1",
          amount: "10",
          items: [{ productCode: "COFFEE", amount: "4" }],
        });
        expect(first.status, JSON.stringify(first.body)).to.equal(202);
        const receipt = receiptIdOf(await salt(h.a.address), h.a.address, "R-C-1").toLowerCase() as Hex;
        expect(first.body.points).to.equal("88");
        expect(first.body.issuances).to.deep.equal([
          { reason: "purchase", campaign: null, points: "20", receiptId: receipt },
          { reason: "campaign", campaign: "autumn", points: "10", receiptId: campaignReceiptId(receipt, "autumn") },
          { reason: "campaign", campaign: "coffee-double", points: "8", receiptId: campaignReceiptId(receipt, "coffee-double") },
          { reason: "welcome", campaign: null, points: "50", receiptId: welcomeReceiptId(h.a.address, carol.address.toLowerCase() as Address) },
        ]);
        expect(first.body.pendingUntil).to.equal(undefined);
        expect((await h.settled(first.body.operationId)).status).to.equal("confirmed");
        const second = await h.deviceEvent(h.a.device, { eventId: "c-2", kind: "purchase", customer: { wallet: carol.address }, receipt: "R-C-2", amount: "1" });
        expect(second.body.issuances.map((i: { reason: string; points: string }) => [i.reason, i.points])).to.deep.equal([
          ["purchase", "2"],
          ["campaign", "10"],
        ]);
        await until("every issue confirmed", async () => (await h.count("operations", "kind = 'issue' AND subject = $1 AND status = 'confirmed'", [carol.address.toLowerCase()])) === 6);
        expect(await balanceOf(carol.address)).to.equal(100n);
        await h.indexed();
        const view = await points(carol.address);
        expect(view.pending).to.equal("0");
        expect(view.history.map((x: { reason: string; campaign: string | null; points: string; pending: boolean }) => [x.reason, x.campaign, x.points, x.pending])).to.have.deep.members([
          ["purchase", null, "20", false],
          ["campaign", "autumn", "10", false],
          ["campaign", "coffee-double", "8", false],
          ["welcome", null, "50", false],
          ["purchase", null, "2", false],
          ["campaign", "autumn", "10", false],
        ]);
        // A full return takes back every part, the welcome bonus included, on chain.
        const ret = await h.deviceEvent(h.a.device, { eventId: "c-3", kind: "return", customer: { wallet: carol.address }, receipt: "R-C-1", amount: "10" });
        expect(ret.body).to.deep.include({ points: "88", cancelled: "0" });
        await until("reversals confirmed", async () => (await h.count("operations", "kind = 'reverse' AND subject = $1 AND status = 'confirmed'", [carol.address.toLowerCase()])) === 4);
        expect(await balanceOf(carol.address)).to.equal(12n);
        const listed = await h.http("GET", "/v1/brand/issuances", { auth: h.a.apiKey });
        const welcome = listed.body.issuances.find((i: { reason: string; customer: string }) => i.reason === "welcome" && i.customer === carol.address.toLowerCase());
        expect(welcome).to.deep.include({ points: "50", reversed: "50", cancelled: "0", status: "confirmed" });
      });
    });

    describe("pending points and the return window", () => {
      it("shows a purchase as pending; a return inside the window reduces then cancels it with no transaction; the window's savings are counted", async () => {
        const auth = h.b.apiKey;
        const set = await h.http("POST", "/v1/brand/programme", { auth, body: { returnWindowSeconds: 3600 } });
        expect(set.body.returnWindowSeconds).to.equal(3600);
        const dora = newCustomer();
        await h.consent(dora, h.b.address, ["loyalty"]);
        const ops = await h.count("operations");
        const bought = await h.deviceEvent(h.b.device, { eventId: "d-1", kind: "purchase", customer: { wallet: dora.address }, receipt: "R-D-1", amount: "30" });
        expect(bought.status).to.equal(202);
        expect(bought.body.points).to.equal("60");
        expect(bought.body.operationId).to.equal(undefined);
        expect(Date.parse(bought.body.pendingUntil) - Date.now()).to.be.within(3_500_000, 3_600_000);
        let view = await points(dora.address);
        expect(view.pending).to.equal("60");
        expect(view.balance).to.equal("0");
        expect(view.history).to.have.length(1);
        expect(view.history[0]).to.deep.include({ kind: "issued", brand: h.b.address, points: "60", pending: true, reason: "purchase", campaign: null, txHash: null, blockNumber: null, dueAt: bought.body.pendingUntil });

        const half = await h.deviceEvent(h.b.device, { eventId: "d-2", kind: "return", customer: { wallet: dora.address }, receipt: "R-D-1", amount: "10" });
        expect(half.body).to.deep.include({ points: "20", cancelled: "20" });
        expect(half.body.operationId).to.equal(undefined);
        expect((await points(dora.address)).pending).to.equal("40");
        const rest = await h.deviceEvent(h.b.device, { eventId: "d-3", kind: "return", customer: { wallet: dora.address }, receipt: "R-D-1", amount: "20" });
        expect(rest.body).to.deep.include({ points: "40", cancelled: "40" });
        expect(await h.count("operations")).to.equal(ops);
        view = await points(dora.address);
        expect(view.pending).to.equal("0");
        expect(view.history).to.deep.equal([]);
        const again = await h.deviceEvent(h.b.device, { eventId: "d-4", kind: "return", customer: { wallet: dora.address }, receipt: "R-D-1", amount: "1" });
        expect([again.status, again.body.error.code]).to.deep.equal([409, "receipt_fully_reversed"]);

        const programme = await h.http("GET", "/v1/brand/programme", { auth });
        // Two returns inside the window: two reversals avoided, and the issue, fully cancelled, never made.
        expect(programme.body.windowSavings).to.deep.equal({ returns: 2, points: "60", issuesAvoided: 1, reversalsAvoided: 2, gasSaved: String(69_101 + 2 * 53_468) });
        const metrics = await h.http("GET", "/metrics");
        expect(metrics.body).to.match(new RegExp(`^confiance_return_window_gas_saved ${69_101 + 2 * 53_468}$`, "m"));
        expect(metrics.body).to.match(/^confiance_return_window_transactions_avoided 3$/m);
      });

      it("issues what is left on chain when the window closes; a later return reverses on chain", async () => {
        const auth = h.b.apiKey;
        await h.http("POST", "/v1/brand/programme", { auth, body: { returnWindowSeconds: 2 } });
        const eli = newCustomer();
        await h.consent(eli, h.b.address, ["loyalty"]);
        const bought = await h.deviceEvent(h.b.device, { eventId: "e-1", kind: "purchase", customer: { wallet: eli.address }, receipt: "R-E-1", amount: "10" });
        expect(bought.body.points).to.equal("20");
        const inside = await h.deviceEvent(h.b.device, { eventId: "e-2", kind: "return", customer: { wallet: eli.address }, receipt: "R-E-1", amount: "2.5" });
        expect(inside.body).to.deep.include({ points: "5", cancelled: "5" });
        const pendingNow = await h.http("GET", "/v1/brand/issuances?status=pending", { auth });
        expect(pendingNow.body.issuances.map((i: { customer: string; points: string; cancelled: string; status: string }) => [i.customer, i.points, i.cancelled, i.status])).to.deep.equal([
          [eli.address.toLowerCase(), "20", "5", "pending"],
        ]);
        await until("issued on chain", async () => (await balanceOf(eli.address)) === 15n);
        const receipt = receiptIdOf(await salt(h.b.address), h.b.address, "R-E-1");
        const onChain = await h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "receiptOf", args: [h.b.address, receipt] });
        expect(onChain).to.deep.equal([eli.address, 15n]);
        await h.indexed();
        const view = await points(eli.address);
        expect(view.pending).to.equal("0");
        expect(view.history.map((x: { kind: string; points: string; reason: string; pending: boolean }) => [x.kind, x.points, x.reason, x.pending])).to.deep.equal([["issued", "15", "purchase", false]]);
        const after = await h.deviceEvent(h.b.device, { eventId: "e-3", kind: "return", customer: { wallet: eli.address }, receipt: "R-E-1", amount: "5" });
        expect(after.body).to.deep.include({ points: "10", cancelled: "0" });
        expect((await h.settled(after.body.operationId)).status).to.equal("confirmed");
        expect(await balanceOf(eli.address)).to.equal(5n);
        await h.http("POST", "/v1/brand/programme", { auth, body: { returnWindowSeconds: 0 } });
      });
    });

    describe("rewards for consent", () => {
      it("pays a purpose's reward once per customer when the grant is on chain; revoking takes nothing back, granting again pays nothing more", async () => {
        const auth = h.a.apiKey;
        const set = await h.http("POST", "/v1/brand/rewards", { auth, body: { purpose: purposeId("shopping-list"), points: "200" } });
        expect(set.status, JSON.stringify(set.body)).to.equal(200);
        expect(set.body.rewards).to.deep.equal([{ purpose: purposeId("shopping-list"), purposeName: "shopping-list", points: "200" }]);
        const unknown = await h.http("POST", "/v1/brand/rewards", { auth, body: { purpose: "telepathy", points: "5" } });
        expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, "purpose_not_found"]);
        const brands = await h.http("GET", "/v1/brands");
        const a = brands.body.brands.find((b: { address: string }) => b.address === h.a.address);
        expect(Object.fromEntries(a.purposes.map((p: { name: string; reward: string | null }) => [p.name, p.reward]))).to.deep.equal({
          "in-store-recognition": null,
          loyalty: null,
          "shopping-list": "200",
        });

        const fay = newCustomer();
        const subject = fay.address.toLowerCase() as Address;
        await h.consent(fay, h.a.address, ["shopping-list"]);
        await until("reward on chain", async () => (await balanceOf(fay.address)) === 200n);
        const receiptId = consentRewardReceiptId(h.a.address, purposeId("shopping-list"), subject);
        const onChain = await h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "receiptOf", args: [h.a.address, receiptId] });
        expect(onChain).to.deep.equal([fay.address, 200n]);
        await h.indexed();
        const view = await points(fay.address);
        expect(view.history.map((x: { kind: string; points: string; reason: string; ref: string }) => [x.kind, x.points, x.reason, x.ref])).to.deep.equal([["issued", "200", "consent-reward", receiptId]]);

        const revoked = await h.revoke(fay, h.a.address, "shopping-list");
        expect((await h.settled(revoked.body.operationId)).status).to.equal("confirmed");
        await h.consent(fay, h.a.address, ["shopping-list"]);
        await sleep(300);
        expect(await balanceOf(fay.address)).to.equal(200n);
        expect(await h.count("relay_issuances", "subject = $1 AND reason = 'consent-reward'", [subject])).to.equal(1);

        // Declining loses nothing else: a customer without the grant still earns at the base rate.
        const gus = newCustomer();
        await h.consent(gus, h.a.address, ["loyalty"]);
        await sleep(200);
        expect(await h.count("relay_issuances", "subject = $1", [gus.address.toLowerCase()])).to.equal(0);
        const removed = await h.http("POST", "/v1/brand/rewards", { auth, body: { purpose: "shopping-list", points: null } });
        expect(removed.body.rewards).to.deep.equal([]);
      });
    });

    describe("tiers, expiry and where points can be spent", () => {
      it("shows the tier from lifetime earned, the expiry date, and refuses redemptions at a brand that stopped accepting them", async () => {
        const hal = newCustomer();
        await h.consent(hal, h.a.address, ["loyalty"]);
        const gov = h.chain.wallet(0);
        const wait = async (hash: Hex) => expect((await h.chain.client.waitForTransactionReceipt({ hash })).status).to.equal("success");
        await wait(await gov.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "setTiers", args: [[10n, 100n]] }));
        const bought = await h.deviceEvent(h.a.device, { eventId: "h-1", kind: "purchase", customer: { wallet: hal.address }, receipt: "R-H-1", amount: "6" });
        expect((await h.settled(bought.body.operationId)).status).to.equal("confirmed");
        await h.indexed();
        let view = await points(hal.address);
        expect(view.lifetimeEarned).to.equal(String(BigInt(bought.body.points)));
        const earned = BigInt(bought.body.points);
        expect(view.tier).to.equal(earned >= 100n ? 2 : 1);
        expect(view.tiers).to.deep.equal(["10", "100"]);
        expect(view.expiresAt).to.equal(null);
        await wait(await gov.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "setExpiryPeriod", args: [365 * 86400] }));
        // Turning expiry on shortens the period: it applies 30 days later.
        await h.chain.increaseTime(31 * 86400);
        // A block at the new time, and the relay's chain-time cache (CHAIN_CACHE_MS) let go of the old one.
        await h.chain.mine();
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await h.syncClock();
        const last = await h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "lastActivity", args: [hal.address] });
        view = await points(hal.address);
        expect(view.expiresAt).to.equal(Number(last) + 365 * 86400);
        const soon = await h.http("GET", "/v1/brand/expiring", { auth: h.a.apiKey });
        expect([soon.status, soon.body.days, soon.body.expiryPeriod]).to.deep.equal([200, 30, 365 * 86400]);
        expect(soon.body.balances.map((x: { customer: string }) => x.customer)).to.not.include(hal.address.toLowerCase());
        const year = await h.http("GET", "/v1/brand/expiring?days=365", { auth: h.a.apiKey });
        expect(year.body.balances.find((x: { customer: string }) => x.customer === hal.address.toLowerCase())).to.deep.equal({ customer: hal.address.toLowerCase(), balance: bought.body.points, expiresAt: Number(last) + 365 * 86400 });
        expect(year.body.balances.every((x: { balance: string }) => BigInt(x.balance) > 0n)).to.equal(true);
        const bad = await h.http("GET", "/v1/brand/expiring?days=0", { auth: h.a.apiKey });
        expect([bad.status, bad.body.error.code]).to.deep.equal([400, "invalid_days"]);

        const b = h.b.wallet;
        await wait(await b.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "setAcceptsRedemptions", args: [false] }));
        const refused = await h.http("POST", "/v1/points/redeem", { body: await h.redeemBody(hal, h.b.address, 5n) });
        expect([refused.status, refused.body.error.code]).to.deep.equal([422, "redemptions_not_accepted"]);
        await h.indexed();
        const dir = await h.http("GET", "/v1/brands");
        expect(dir.body.brands.map((x: { address: string; acceptsRedemptions: boolean }) => [x.address, x.acceptsRedemptions])).to.deep.equal([
          [h.a.address, true],
          [h.b.address, false],
        ]);
        await wait(await b.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "setAcceptsRedemptions", args: [true] }));
        const ok = await h.http("POST", "/v1/points/redeem", { body: await h.redeemBody(hal, h.b.address, 5n) });
        expect(ok.status, JSON.stringify(ok.body)).to.equal(202);
        expect((await h.settled(ok.body.operationId)).status).to.equal("confirmed");
      });
    });

    describe("the coalition report", () => {
      it("sums each partner's issued, reversed and redeemed points as the chain's logs do, in JSON and CSV, for governance only", async () => {
        await h.indexed();
        const logs = async (event: string) =>
          h.chain.client.getLogs({ address: h.deployment.points, event: parseAbiItem(event) as never, fromBlock: BigInt(h.deployment.deployBlock), toBlock: "latest" }) as unknown as Promise<{ args: Record<string, unknown> }[]>;
        const sum = (l: { args: Record<string, unknown> }[], brand: string) => l.filter((x) => String(x.args.brand).toLowerCase() === brand).reduce((s, x) => s + (x.args.points as bigint), 0n);
        const issued = await logs("event PointsIssued(address indexed brand, address indexed customer, uint256 points, bytes32 indexed receiptId)");
        const reversed = await logs("event PointsReversed(address indexed brand, address indexed customer, uint256 points, bytes32 indexed receiptId)");
        const redeemed = await logs("event PointsRedeemed(address indexed customer, address indexed brand, uint256 points, bytes32 orderRef)");
        const unit = BigInt(h.deployment.unitValue);
        const r = await h.http("GET", "/v1/admin/report", { auth: ADMIN_TOKEN });
        expect(r.status).to.equal(200);
        const expected = [h.a.address, h.b.address].sort().map((brand) => {
          const [i, v, d] = [sum(issued, brand), sum(reversed, brand), sum(redeemed, brand)];
          return { brand, issued: String(i), reversed: String(v), redeemed: String(d), valueCredited: String(d * unit), liabilityOutstanding: String(i - v - d), netSettlement: String((d - i + v) * unit) };
        });
        expect(r.body.partners).to.deep.equal(expected);
        // After the suites above, both brands issued: the figures are not all zero.
        if (issued.length > 0) expect(r.body.partners.some((p: { issued: string }) => p.issued !== "0")).to.equal(true);
        expect(r.body.expired).to.equal("0");
        const csv = await h.http("GET", "/v1/admin/report?format=csv", { auth: ADMIN_TOKEN });
        expect(csv.headers.get("content-type")).to.equal("text/csv; charset=utf-8");
        expect(String(csv.body).trim().split("\n")).to.deep.equal([
          "brand,issued,reversed,redeemed,valueCredited,liabilityOutstanding,netSettlement",
          ...expected.map((e) => Object.values(e).join(",")),
          "expired,0,,,,,",
        ]);
        const none = await h.http("GET", "/v1/admin/report?from=1&to=2", { auth: ADMIN_TOKEN });
        expect(none.body.partners).to.deep.equal([]);
        expect((await h.http("GET", "/v1/admin/report", { auth: h.a.apiKey })).status).to.equal(401);
        const bad = await h.http("GET", "/v1/admin/report?from=5&to=5", { auth: ADMIN_TOKEN });
        expect([bad.status, bad.body.error.code]).to.deep.equal([400, "invalid_time"]);
      });
    });
  });
}
