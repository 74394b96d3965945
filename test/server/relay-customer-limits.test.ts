import { expect } from "chai";
import { concat, createWalletClient, http, keccak256, parseGwei, toHex, type Hex } from "viem";
import { hardhat } from "viem/chains";
import type { PrivateKeyAccount } from "viem/accounts";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { testAccount } from "../support/chain";
import { signCustomerMessage } from "../../client";
import { purposeId } from "../../client/purposes";
import { testDbKinds } from "../support/db";
import { ADMIN_TOKEN, Harness, newCustomer, NOTICE } from "./relay-harness";

/**
 * Issue 12 (money and abuse) and issue 9 (relay side): what customers' signed actions may cost the relay,
 * and what happens to them when the chain disagrees. A real chain and database; the mempool is held
 * (automine off) where a transaction must land before the relay's.
 */
const QUEUES = ["operations", "relay_customer_actions"];
const FRONT_RUN_FEES = { maxFeePerGas: parseGwei("200"), maxPriorityFeePerGas: parseGwei("100") };

/**
 * Init code of a "contract wallet" whose isValidSignature answers the ERC-1271 magic value only when it
 * is given more than 1,000,000 gas (else 0): GAS PUSH3 1e6 LT ISZERO JUMPI ... RETURN.
 */
const GAS_HUNGRY_WALLET: Hex = "0x6020600c60003960206000f35a620f42401015601a57631626ba7e60e01b60005260206000f35b60206000f3";

for (const kind of testDbKinds()) {
  describe(`relay customers' actions: limits and failures (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind, { env: { BATCH_WAIT_MS: "300" } });
    });
    after(async () => {
      await h?.chain.setAutomine(true);
      await h?.stop();
    });

    async function refused(status: number, code: string, fn: () => Promise<{ status: number; body: any }>) {
      const before = await Promise.all(QUEUES.map((t) => h.count(t)));
      const r = await fn();
      expect(r.status, JSON.stringify(r.body)).to.equal(status);
      expect(r.body.error.code).to.equal(code);
      expect(await Promise.all(QUEUES.map((t) => h.count(t)))).to.deep.equal(before);
      return r;
    }

    async function signed(customer: PrivateKeyAccount, primaryType: "Revoke" | "RevokeAll" | "SetDelegate" | "Grant", message: Record<string, unknown>) {
      return signCustomerMessage({ signer: customer, contracts: h.deployment, primaryType, message } as unknown as Parameters<typeof signCustomerMessage>[0]);
    }

    async function grantBody(customer: PrivateKeyAccount, purpose: string, nonce: bigint) {
      const message = { subject: customer.address, controller: h.a.address, purpose: purposeId(purpose), categories: 5n, expiresAt: 0, noticeHash: NOTICE, nonce, deadline: h.deadline() };
      const signature = await signed(customer, "Grant", message);
      return { ...message, purpose, categories: "5", nonce: nonce.toString(), deadline: message.deadline.toString(), signature };
    }

    async function revokeBody(customer: PrivateKeyAccount, purpose: string, nonce: bigint) {
      const message = { subject: customer.address, controller: h.a.address, purpose: purposeId(purpose), nonce, deadline: h.deadline() };
      const signature = await signed(customer, "Revoke", message);
      return { ...message, purpose, nonce: nonce.toString(), deadline: message.deadline.toString(), signature };
    }

    /** Waits until the operation is in a signed transaction (in the held mempool). */
    async function submitted(operationId: string): Promise<void> {
      for (let i = 0; i < 1000; i++) {
        const r = await h.http("GET", `/v1/operations/${operationId}`);
        if (r.body.status === "submitted") return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`operation ${operationId} was not submitted`);
    }

    it("accepts only the v values the contracts accept (27, 28): v 0 or 1 is refused, nothing queued", async () => {
      const ivy = newCustomer();
      await h.syncClock();
      const body = await grantBody(ivy, "loyalty", 0n);
      const v = Number.parseInt(body.signature.slice(-2), 16);
      const lowV = `${body.signature.slice(0, -2)}${(v - 27).toString(16).padStart(2, "0")}`;
      await refused(401, "invalid_customer_signature", () => h.http("POST", "/v1/consents/grant", { body: { ...body, signature: lowV } }));
    });

    it("refuses, before queueing, a revoke, a revoke-all and a delegate removal that would change nothing on chain", async () => {
      const jay = newCustomer();
      await h.syncClock();
      await refused(422, "consent_not_active", async () => h.http("POST", "/v1/consents/revoke", { body: await revokeBody(jay, "loyalty", 0n) }));
      const d = h.deadline();
      const revokeAll = { subject: jay.address, controller: h.a.address, nonce: 0n, deadline: d };
      await refused(422, "nothing_to_revoke", async () =>
        h.http("POST", "/v1/consents/revoke-all", { body: { ...revokeAll, nonce: "0", deadline: d.toString(), signature: await signed(jay, "RevokeAll", revokeAll) } }),
      );
      const remove = { subject: jay.address, delegate: newCustomer().address, until: 0, nonce: 0n, deadline: d };
      await refused(422, "delegate_not_set", async () =>
        h.http("POST", "/v1/consents/set-delegate", { body: { ...remove, nonce: "0", deadline: d.toString(), signature: await signed(jay, "SetDelegate", remove) } }),
      );
      // A revoke after a grant the relay accepted (not yet mined) is no no-op: accepted.
      const granted = await h.http("POST", "/v1/consents/grant", { body: await grantBody(jay, "loyalty", 0n) });
      expect(granted.status, JSON.stringify(granted.body)).to.equal(202);
      const revoked = await h.http("POST", "/v1/consents/revoke", { body: await revokeBody(jay, "loyalty", 1n) });
      expect(revoked.status, JSON.stringify(revoked.body)).to.equal(202);
      expect((await h.settled(revoked.body.operationId)).status).to.equal("confirmed");
    });

    it("counts queued redemptions: two redemptions of the whole balance, the second is refused", async () => {
      const kim = newCustomer();
      await h.consent(kim, h.a.address, ["loyalty"]);
      const bought = await h.deviceEvent(h.a.device, { eventId: "lim-kim-1", kind: "purchase", customer: { wallet: kim.address }, receipt: "LIM-KIM-1", amount: "10" });
      expect((await h.settled(bought.body.operationId)).status).to.equal("confirmed");
      const first = await h.http("POST", "/v1/points/redeem", { body: await h.redeemBody(kim, h.b.address, 20n, { nonce: 0n }) });
      expect(first.status, JSON.stringify(first.body)).to.equal(202);
      const second = await refused(422, "insufficient_points", async () => h.http("POST", "/v1/points/redeem", { body: await h.redeemBody(kim, h.b.address, 20n, { nonce: 1n }) }));
      expect(second.body.error.message).to.match(/20 of them promised/);
      expect((await h.settled(first.body.operationId)).status).to.equal("confirmed");
      // Purchase amounts are bounded (PURCHASE_MAX_AMOUNT, 100000 by default).
      const huge = await h.deviceEvent(h.a.device, { eventId: "lim-kim-2", kind: "purchase", customer: { wallet: kim.address }, receipt: "LIM-KIM-2", amount: "100001" });
      expect([huge.status, huge.body.error?.code]).to.deep.equal([422, "amount_too_large"]);
    });

    it("bounds purchase amounts per brand: the operator sets a brand's bound (never above PURCHASE_MAX_AMOUNT), null goes back to it", async () => {
      const lea = newCustomer();
      await h.consent(lea, h.a.address, ["loyalty"]);
      await h.consent(lea, h.b.address, ["loyalty"]);
      const buy = (brand: "a" | "b", n: number, amount: string) =>
        h.deviceEvent(h[brand].device, { eventId: `bound-${brand}-${n}`, kind: "purchase", customer: { wallet: lea.address }, receipt: `BOUND-${brand}-${n}`, amount });
      const set = (brand: "a" | "b", maxPurchaseAmount: string | null) =>
        h.http("POST", `/v1/admin/brands/${h[brand].address}/limits`, { auth: ADMIN_TOKEN, body: { maxPurchaseAmount } });

      expect((await h.http("GET", "/v1/brand", { auth: h.a.apiKey })).body.maxPurchaseAmount).to.equal(null);
      const bounded = await set("a", "250.50");
      expect([bounded.status, bounded.body.maxPurchaseAmount]).to.deep.equal([200, "250.5"]);
      expect((await h.http("GET", "/v1/brand", { auth: h.a.apiKey })).body.maxPurchaseAmount).to.equal("250.5");
      const over = await refused(422, "amount_too_large", () => buy("a", 1, "250.51"));
      expect(over.body.error.message).to.equal("a purchase amount is at most 250.5 (this brand's bound)");
      expect(await h.count("relay_purchases", "subject = $1", [lea.address.toLowerCase()])).to.equal(0);
      expect((await buy("a", 2, "250.50")).status).to.equal(202);
      // Brand B keeps the relay's bound.
      expect((await buy("b", 1, "300")).status).to.equal(202);
      const overRelay = await refused(422, "amount_too_large", () => buy("b", 2, "100000.01"));
      expect(overRelay.body.error.message).to.equal("a purchase amount is at most 100000 (PURCHASE_MAX_AMOUNT)");
      // A brand's bound never exceeds the relay's; a brand the relay does not know is 404; null restores the default.
      const tooHigh = await set("a", "100001");
      expect([tooHigh.status, tooHigh.body.error.code]).to.deep.equal([400, "invalid_max_purchase_amount"]);
      const bad = await set("a", "-5");
      expect([bad.status, bad.body.error.code]).to.deep.equal([400, "invalid_amount"]);
      const unknown = await h.http("POST", `/v1/admin/brands/${testAccount(9).address}/limits`, { auth: ADMIN_TOKEN, body: { maxPurchaseAmount: "10" } });
      expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, "brand_not_found"]);
      const noToken = await h.http("POST", `/v1/admin/brands/${h.a.address}/limits`, { auth: h.a.apiKey, body: { maxPurchaseAmount: "1000000" } });
      expect(noToken.status).to.equal(401);
      const reset = await set("a", null);
      expect([reset.status, reset.body.maxPurchaseAmount]).to.deep.equal([200, null]);
      expect((await buy("a", 3, "300")).status).to.equal(202);
    });

    it("caps the gas of a contract wallet's isValidSignature: a wallet that needs more is refused", async () => {
      const deployer = h.chain.wallet(0);
      const hash = await deployer.sendTransaction({ data: GAS_HUNGRY_WALLET });
      const wallet = (await h.chain.client.waitForTransactionReceipt({ hash })).contractAddress!;
      await h.syncClock();
      const junk = concat([keccak256(toHex("junk r")), keccak256(toHex("junk s")).replace(/^0x./, "0x1") as Hex, "0x1b"]);
      const message = { subject: wallet, controller: h.a.address, purpose: purposeId("loyalty"), categories: 5n, expiresAt: 0, noticeHash: NOTICE, nonce: 0n, deadline: h.deadline() };
      const body = { ...message, purpose: "loyalty", categories: "5", nonce: "0", deadline: message.deadline.toString(), signature: junk };
      await refused(401, "invalid_customer_signature", () => h.http("POST", "/v1/consents/grant", { body }));
      // The same wallet again: whether it holds code comes from the cache (CODE_CACHE_SECONDS), not the chain.
      const lookups = async (source: string) => {
        const text = String((await h.http("GET", "/metrics")).body);
        const line = text.split("\n").find((l) => l.startsWith(`relay_code_lookups_total{source="${source}"} `));
        return line === undefined ? 0 : Number(line.split(" ")[1]);
      };
      const [fetched, cached] = [await lookups("fetched"), await lookups("cached")];
      await refused(401, "invalid_customer_signature", () => h.http("POST", "/v1/consents/grant", { body: { ...body, deadline: (message.deadline + 1n).toString() } }));
      expect([await lookups("fetched"), await lookups("cached")]).to.deep.equal([fetched, cached + 1]);
    });

    it("fails a queued action whose nonce a direct useNonce consumed with nonce_consumed, not retried", async () => {
      const lea = newCustomer();
      await h.consent(lea, h.a.address, ["loyalty"]);
      await h.chain.rpc("hardhat_setBalance", [lea.address, "0x56BC75E2D63100000"]);
      await h.chain.setAutomine(false);
      try {
        const r = await h.http("POST", "/v1/consents/revoke", { body: await revokeBody(lea, "loyalty", 1n) });
        expect(r.status, JSON.stringify(r.body)).to.equal(202);
        await submitted(r.body.operationId);
        const wallet = createWalletClient({ account: lea, chain: hardhat, transport: http(h.chain.url) });
        await wallet.writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "useNonce", gas: 100_000n, ...FRONT_RUN_FEES });
        await h.chain.mine();
        await h.chain.setAutomine(true);
        const settled = await h.settled(r.body.operationId);
        expect(settled.status).to.equal("failed");
        expect(settled.error!.code).to.equal("nonce_consumed");
      } finally {
        await h.chain.setAutomine(true);
      }
    });

    it("sends signed actions in one tryMulticall: a front-run call fails alone, the others of the batch stand", async () => {
      const mia = newCustomer();
      const ned = newCustomer();
      await h.syncClock();
      await h.chain.setAutomine(false);
      try {
        const bodies = [await grantBody(mia, "loyalty", 0n), await grantBody(ned, "loyalty", 0n)];
        const [a, b] = await Promise.all(bodies.map((body) => h.http("POST", "/v1/consents/grant", { body })));
        expect([a!.status, b!.status]).to.deep.equal([202, 202]);
        await submitted(a!.body.operationId);
        await submitted(b!.body.operationId);
        // Someone copies ned's signed grant out of the pending batch and sends it first.
        const nb = bodies[1]!;
        await h.chain.wallet(0).writeContract({
          address: h.deployment.ledger,
          abi: consentLedgerAbi,
          functionName: "grantBySig",
          args: [ned.address, h.a.address, purposeId("loyalty"), 5n, 0, NOTICE, BigInt(nb.deadline), nb.signature],
          gas: 300_000n,
          ...FRONT_RUN_FEES,
        });
        await h.chain.mine();
        await h.chain.setAutomine(true);
        const sa = await h.http("GET", `/v1/operations/${a!.body.operationId}`);
        await h.settled(a!.body.operationId);
        await h.settled(b!.body.operationId);
        const va = (await h.http("GET", `/v1/operations/${a!.body.operationId}`)).body;
        const vb = (await h.http("GET", `/v1/operations/${b!.body.operationId}`)).body;
        expect(sa.status).to.equal(200);
        expect(va.status).to.equal("confirmed");
        expect(vb.status).to.equal("failed");
        expect(vb.error.code).to.equal("nonce_consumed");
        expect(vb.txHash).to.equal(va.txHash);
        const receipt = await h.chain.client.getTransactionReceipt({ hash: va.txHash });
        expect(receipt.status).to.equal("success");
      } finally {
        await h.chain.setAutomine(true);
      }
    });

    it("fails a subject's later actions when one fails (earlier_action_failed), and its failed revocation still holds at the gate", async () => {
      const ola = newCustomer();
      await h.consent(ola, h.a.address, ["in-store-recognition"]);
      const presence = (eventId: string) => h.deviceEvent(h.a.device, { eventId, kind: "presence", customer: { wallet: ola.address } });
      expect((await presence("lim-ola-1")).body.dropped).to.equal(undefined);
      await h.chain.setAutomine(false);
      try {
        // A grant whose notice the brand changes before it is mined, then a revocation signed after it.
        const grant = await h.http("POST", "/v1/consents/grant", { body: await grantBody(ola, "shopping-list", 1n) });
        const revoke = await h.http("POST", "/v1/consents/revoke", { body: await revokeBody(ola, "in-store-recognition", 2n) });
        expect([grant.status, revoke.status]).to.deep.equal([202, 202]);
        await submitted(grant.body.operationId);
        await submitted(revoke.body.operationId);
        await h.a.wallet.writeContract({
          address: h.deployment.ledger,
          abi: consentLedgerAbi,
          functionName: "definePurpose",
          args: [purposeId("shopping-list"), keccak256(toHex("notice v2")), "https://brand.example/shopping-list-v2"],
          gas: 300_000n,
          ...FRONT_RUN_FEES,
        });
        await h.chain.mine();
        await h.chain.setAutomine(true);
        const g = await h.settled(grant.body.operationId);
        const r = await h.settled(revoke.body.operationId);
        expect([g.status, g.error?.code]).to.deep.equal(["failed", "StaleNotice"]);
        expect([r.status, r.error?.code]).to.deep.equal(["failed", "earlier_action_failed"]);
      } finally {
        await h.chain.setAutomine(true);
      }
      await h.indexed();
      // On chain the consent is still granted; the relay honours the revocation the customer signed.
      expect(
        await h.chain.client.readContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "isGranted", args: [ola.address, h.a.address, purposeId("in-store-recognition")] }),
      ).to.equal(true);
      expect((await presence("lim-ola-2")).body.dropped).to.equal("no_consent");
      // A later grant ends it.
      await h.consent(ola, h.a.address, ["in-store-recognition"]);
      expect((await presence("lim-ola-3")).body.dropped).to.equal(undefined);
    });
    it("refuses a purchase the brand's backing cannot cover; a failed issuance frees its receipt, and a return of it is refused", async () => {
      const rae = newCustomer();
      await h.consent(rae, h.b.address, ["loyalty"]);
      const wait = async (hash: Hex) => expect((await h.chain.client.waitForTransactionReceipt({ hash })).status).to.equal("success");
      const points = h.deployment.points;
      const balance = await h.chain.client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [h.b.address] });
      const unit = await h.chain.client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "unitValue" });
      // Brand B keeps the backing of 10 points: a purchase worth 12 is refused up front, nothing queued.
      await wait(await h.b.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "withdraw", args: [balance - 10n * unit, h.b.address] }));
      const before = await h.count("operations");
      const big = await h.deviceEvent(h.b.device, { eventId: "bk-1", kind: "purchase", customer: { wallet: rae.address }, receipt: "BK-1", amount: "6" });
      expect([big.status, big.body.error?.code]).to.deep.equal([422, "insufficient_backing"]);
      expect(await h.count("operations")).to.equal(before);
      await wait(await h.b.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "deposit", args: [balance - 10n * unit] }));

      // The operator key leaves the brand: the issue fails, and frees the receipt.
      await wait(await h.chain.wallet(6).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "renounceOperator", args: [h.b.address] }));
      const buy = await h.deviceEvent(h.b.device, { eventId: "bk-2", kind: "purchase", customer: { wallet: rae.address }, receipt: "BK-2", amount: "3" });
      expect(buy.status, JSON.stringify(buy.body)).to.equal(202);
      expect((await h.settled(buy.body.operationId)).status).to.equal("failed");
      const ret = await h.deviceEvent(h.b.device, { eventId: "bk-ret", kind: "return", customer: { wallet: rae.address }, receipt: "BK-2", amount: "3" });
      expect([ret.status, ret.body.error?.code]).to.deep.equal([404, "receipt_not_found"]);
      expect(await h.count("operations", "kind = 'reverse'")).to.equal(0);

      // Back in place, the till sends the same receipt again (a new event id): issued.
      await wait(await h.b.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "setOperator", args: [testAccount(6).address, true] }));
      await wait(await h.chain.wallet(6).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "acceptOperator", args: [h.b.address] }));
      const again = await h.deviceEvent(h.b.device, { eventId: "bk-3", kind: "purchase", customer: { wallet: rae.address }, receipt: "BK-2", amount: "3" });
      expect(again.status, JSON.stringify(again.body)).to.equal(202);
      expect((await h.settled(again.body.operationId)).status).to.equal("confirmed");

      // A return while the purchase's points are not issued yet: refused, nothing queued.
      await h.chain.setAutomine(false);
      let pending: string;
      try {
        const p = await h.deviceEvent(h.b.device, { eventId: "bk-4", kind: "purchase", customer: { wallet: rae.address }, receipt: "BK-4", amount: "1" });
        expect(p.status).to.equal(202);
        pending = p.body.operationId;
        const early = await h.deviceEvent(h.b.device, { eventId: "bk-4-ret", kind: "return", customer: { wallet: rae.address }, receipt: "BK-4", amount: "1" });
        expect([early.status, early.body.error?.code]).to.deep.equal([409, "purchase_not_issued"]);
      } finally {
        await h.chain.setAutomine(true);
      }
      await h.chain.mine();
      expect((await h.settled(pending)).status).to.equal("confirmed");
      expect(await h.count("operations", "kind = 'reverse'")).to.equal(0);
    });
  });

  describe(`relay customers' actions: the spend ceiling (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind, { env: { SIGNER_DAILY_SPEND_LIMIT_WEI: "1" } });
    });
    after(async () => {
      await h?.stop();
    });

    it("past the relay key's daily spend ceiling, customers' actions get 503 while device events' issuance goes on", async () => {
      const pat = newCustomer();
      const first = await h.grant(pat, h.a.address, "loyalty", { nonce: 0n });
      expect(first.status, JSON.stringify(first.body)).to.equal(202);
      expect((await h.settled(first.body.operationId)).status).to.equal("confirmed");
      // The relay's key has now paid more than 1 wei today.
      const over = await h.grant(pat, h.a.address, "shopping-list", { nonce: 1n });
      expect(over.status, JSON.stringify(over.body)).to.equal(503);
      expect(over.body.error.code).to.equal("relay_spend_ceiling");
      expect(over.headers.get("retry-after")).to.equal("3600");
      await h.indexed();
      const bought = await h.deviceEvent(h.a.device, { eventId: "ceil-1", kind: "purchase", customer: { wallet: pat.address }, receipt: "CEIL-1", amount: "3" });
      expect(bought.status).to.equal(202);
      expect((await h.settled(bought.body.operationId)).status).to.equal("confirmed");
      const metrics = await h.http("GET", "/metrics");
      expect(String(metrics.body)).to.match(/relay_signer_spend_wei_total\{signer="0x[0-9a-fA-F]{40}"\} [1-9]/);
    });
  });

  describe(`relay customers' actions: quotas (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind, { env: { CUSTOMER_ACTIONS_PER_WALLET: "2", CUSTOMER_ACTIONS_PER_CLIENT: "3" } });
    });
    after(async () => {
      await h?.stop();
    });

    it("refuses a wallet's and a client address's actions beyond their quotas with 429 and Retry-After", async () => {
      const quinn = newCustomer();
      expect((await h.grant(quinn, h.a.address, "loyalty", { nonce: 0n })).status).to.equal(202);
      expect((await h.grant(quinn, h.a.address, "shopping-list", { nonce: 1n })).status).to.equal(202);
      const third = await h.grant(quinn, h.a.address, "in-store-recognition", { nonce: 2n });
      expect(third.status, JSON.stringify(third.body)).to.equal(429);
      expect(third.body.error.code).to.equal("wallet_quota_exceeded");
      expect(Number(third.headers.get("retry-after"))).to.be.within(3500, 3600);
      expect((await h.grant(newCustomer(), h.a.address, "loyalty", { nonce: 0n })).status).to.equal(202);
      const fourth = await h.grant(newCustomer(), h.a.address, "loyalty", { nonce: 0n });
      expect(fourth.status, JSON.stringify(fourth.body)).to.equal(429);
      expect(fourth.body.error.code).to.equal("client_quota_exceeded");
      expect(Number(fourth.headers.get("retry-after"))).to.be.within(3500, 3600);
    });
  });
}
