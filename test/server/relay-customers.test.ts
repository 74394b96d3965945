import { expect } from "chai";
import { keccak256, toHex, type Address, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { artifact } from "../../scripts/lib/artifacts";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { ledgerDomain, ledgerTypes } from "../../client/typedData";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer, NOTICE } from "./relay-harness";

const QUEUES = ["operations", "relay_customer_actions"];

for (const kind of testDbKinds()) {
  describe(`relay customers' signed actions (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind);
    });
    after(async () => {
      await h?.stop();
    });

    async function refused(status: number, code: string, fn: () => Promise<{ status: number; body: any }>): Promise<void> {
      const before = await Promise.all(QUEUES.map((t) => h.count(t)));
      const r = await fn();
      expect(r.status, JSON.stringify(r.body)).to.equal(status);
      expect(r.body.error.code).to.equal(code);
      expect(await Promise.all(QUEUES.map((t) => h.count(t)))).to.deep.equal(before);
    }

    /** A Grant body for `subject`, signed by `signer`. */
    async function grantBody(signer: PrivateKeyAccount, subject: Address, o: { purpose?: string; nonce?: bigint; deadline?: bigint; noticeHash?: Hex } = {}) {
      const purpose = o.purpose ?? "loyalty";
      const message = {
        subject,
        controller: h.a.address,
        purpose: purposeId(purpose),
        categories: 3n,
        expiresAt: 0,
        noticeHash: o.noticeHash ?? NOTICE,
        nonce: o.nonce ?? 0n,
        deadline: o.deadline ?? h.deadline(),
      };
      const signature = await signer.signTypedData({ domain: ledgerDomain(h.deployment.chainId, h.deployment.ledger), types: ledgerTypes, primaryType: "Grant", message });
      return { ...message, purpose, categories: "3", nonce: message.nonce.toString(), deadline: message.deadline.toString(), signature };
    }

    it("refuses a bad signature, an expired deadline, a used or skipped nonce, a stale notice and invalid fields, queueing nothing", async () => {
      const dave = newCustomer();
      const eve = newCustomer();
      const post = (body: unknown) => h.http("POST", "/v1/consents/grant", { body });
      await refused(401, "invalid_customer_signature", async () => post(await grantBody(eve, dave.address)));
      await refused(400, "deadline_expired", async () => post(await grantBody(dave, dave.address, { deadline: h.deadline(-10) })));
      await refused(409, "nonce_mismatch", async () => post(await grantBody(dave, dave.address, { nonce: 5n })));
      await refused(422, "stale_notice", async () => post(await grantBody(dave, dave.address, { noticeHash: keccak256(toHex("old notice")) })));
      await refused(422, "purpose_not_defined", async () => post(await grantBody(dave, dave.address, { purpose: "telepathy" })));
      const good = await grantBody(dave, dave.address);
      await refused(400, "invalid_address", async () => post({ ...good, subject: "0x12" }));
      await refused(400, "invalid_address", async () => post({ ...good, controller: "0xZZ00000000000000000000000000000000000000" }));
      await refused(400, "invalid_signature_format", async () => post({ ...good, signature: "0xabc" }));
      await refused(400, "invalid_nonce", async () => post({ ...good, nonce: "-1" }));
      await refused(400, "invalid_categories", async () => post({ ...good, categories: "0" }));
      await refused(400, "invalid_request", async () => post({ ...good, extra: true }));
      await refused(400, "invalid_purpose", async () => post({ ...good, purpose: "Not A Purpose!" }));

      const accepted = await post(good);
      expect(accepted.status).to.equal(202);
      expect(accepted.body).to.deep.include({ kind: "grant", status: "queued", duplicate: false });
      // The same signed message again: the same operation, nothing new queued.
      const again = await post(good);
      expect(again.status).to.equal(202);
      expect(again.body).to.deep.equal({ operationId: accepted.body.operationId, kind: "grant", status: again.body.status, duplicate: true });
      // Another message with the nonce the first one holds.
      await refused(409, "nonce_used", async () => post(await grantBody(dave, dave.address, { purpose: "in-store-recognition", nonce: 0n })));
      // The next nonce is accepted without waiting for the first to be mined.
      const second = await post(await grantBody(dave, dave.address, { purpose: "in-store-recognition", nonce: 1n }));
      expect(second.status).to.equal(202);

      expect((await h.settled(accepted.body.operationId)).status).to.equal("confirmed");
      expect((await h.settled(second.body.operationId)).status).to.equal("confirmed");
      await refused(409, "nonce_used", async () => post(await grantBody(dave, dave.address, { purpose: "shopping-list", nonce: 1n })));
      await h.indexed();
      const consents = await h.http("GET", `/v1/customers/${dave.address}/consents`);
      expect(consents.body.consents.map((c: { purpose: string; active: boolean; categories: string }) => [c.purpose, c.active, c.categories]).sort()).to.deep.equal(
        [
          [purposeId("in-store-recognition"), true, "3"],
          [purposeId("loyalty"), true, "3"],
        ].sort(),
      );
      expect(consents.body.pending).to.deep.equal([]);
      const op = await h.http("GET", `/v1/operations/${accepted.body.operationId}`);
      expect(op.body.status).to.equal("confirmed");
      expect(op.body.txHash).to.match(/^0x[0-9a-f]{64}$/);
      await refused(404, "operation_not_found", () => h.http("GET", "/v1/operations/00000000-0000-0000-0000-000000000000"));
      await refused(400, "invalid_address", () => h.http("GET", "/v1/customers/0x123/consents"));
    });

    it("of several different actions signed with the same nonce and sent together, exactly one is queued", async () => {
      const gus = newCustomer();
      const bodies = await Promise.all(["loyalty", "in-store-recognition", "shopping-list"].map((purpose) => grantBody(gus, gus.address, { purpose, nonce: 0n })));
      const answers = await Promise.all(bodies.map((body) => h.http("POST", "/v1/consents/grant", { body })));
      expect(answers.map((a) => a.status).sort()).to.deep.equal([202, 409, 409]);
      expect(answers.filter((a) => a.status === 409).map((a) => a.body.error.code)).to.deep.equal(["nonce_used", "nonce_used"]);
      expect(await h.count("relay_customer_actions", "subject = $1", [gus.address.toLowerCase()])).to.equal(1);
      const accepted = answers.find((a) => a.status === 202)!;
      expect((await h.settled(accepted.body.operationId)).status).to.equal("confirmed");
    });

    it("refuses a revocation of a consent that is not active before queueing it (it would change nothing on chain)", async () => {
      const hal = newCustomer();
      await refused(422, "consent_not_active", () => h.revoke(hal, h.a.address, "loyalty"));
      expect((await h.nonces(hal.address)).ledger).to.equal(0n);
    });

    it("accepts an ERC-1271 contract wallet's grant and a live delegate's revocation", async () => {
      const owner = newCustomer();
      const deployer = h.chain.wallet(0);
      const { abi, bytecode } = artifact("mocks/MockERC1271Wallet");
      const hash = await deployer.deployContract({ abi, bytecode, args: [owner.address] });
      const wallet = (await h.chain.client.waitForTransactionReceipt({ hash })).contractAddress!;
      const granted = await h.http("POST", "/v1/consents/grant", { body: await grantBody(owner, wallet) });
      expect(granted.status, JSON.stringify(granted.body)).to.equal(202);
      expect((await h.settled(granted.body.operationId)).status).to.equal("confirmed");
      expect(
        await h.chain.client.readContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "isGranted", args: [wallet, h.a.address, purposeId("loyalty")] }),
      ).to.equal(true);

      // A delegate: the subject names it, then the delegate signs a revocation for the subject.
      const subject = newCustomer();
      const delegate = newCustomer();
      expect((await h.settled((await h.http("POST", "/v1/consents/grant", { body: await grantBody(subject, subject.address) })).body.operationId)).status).to.equal("confirmed");
      await h.syncClock();
      const until = Number(h.deadline(86_400));
      const d = h.deadline();
      // SetDelegate signatures have their own lane (delegateNonces): 0, while the ledger lane is at 1.
      expect(await h.nonces(subject.address)).to.deep.include({ ledger: 1n, delegate: 0n });
      const setMsg = { subject: subject.address, delegate: delegate.address, until, nonce: 0n, deadline: d };
      const setSig = await subject.signTypedData({ domain: ledgerDomain(h.deployment.chainId, h.deployment.ledger), types: ledgerTypes, primaryType: "SetDelegate", message: setMsg });
      const set = await h.http("POST", "/v1/consents/set-delegate", { body: { ...setMsg, nonce: "0", deadline: d.toString(), signature: setSig } });
      expect(set.status, JSON.stringify(set.body)).to.equal(202);
      expect((await h.settled(set.body.operationId)).status).to.equal("confirmed");
      expect(await h.nonces(subject.address)).to.deep.include({ ledger: 1n, delegate: 1n });
      const revMsg = { subject: subject.address, controller: h.a.address, purpose: purposeId("loyalty"), nonce: 1n, deadline: d };
      const revSig = await delegate.signTypedData({ domain: ledgerDomain(h.deployment.chainId, h.deployment.ledger), types: ledgerTypes, primaryType: "Revoke", message: revMsg });
      const rev = await h.http("POST", "/v1/consents/revoke", { body: { ...revMsg, purpose: "loyalty", nonce: "1", deadline: d.toString(), signature: revSig } });
      expect(rev.status, JSON.stringify(rev.body)).to.equal(202);
      expect((await h.settled(rev.body.operationId)).status).to.equal("confirmed");
      // A stranger cannot.
      const stranger = newCustomer();
      const badSig = await stranger.signTypedData({ domain: ledgerDomain(h.deployment.chainId, h.deployment.ledger), types: ledgerTypes, primaryType: "RevokeAll", message: { subject: subject.address, controller: h.a.address, nonce: 2n, deadline: d } });
      await refused(401, "invalid_customer_signature", () =>
        h.http("POST", "/v1/consents/revoke-all", { body: { subject: subject.address, controller: h.a.address, nonce: "2", deadline: d.toString(), signature: badSig } }),
      );
    });

    it("redeems earned points by signature at another brand; refuses invalid amounts and more than the balance", async () => {
      const frank = newCustomer();
      await h.consent(frank, h.a.address, ["loyalty"]);
      const bought = await h.deviceEvent(h.a.device, { eventId: "f-1", kind: "purchase", customer: { wallet: frank.address }, receipt: "R-F-1", amount: "10" });
      expect(bought.body.points).to.equal("20");
      expect((await h.settled(bought.body.operationId)).status).to.equal("confirmed");

      await refused(422, "insufficient_points", async () => h.http("POST", "/v1/points/redeem", { body: await h.redeemBody(frank, h.b.address, 21n) }));
      await refused(400, "invalid_amount", async () => h.http("POST", "/v1/points/redeem", { body: await h.redeemBody(frank, h.b.address, 0n) }));
      await refused(400, "invalid_amount", async () => h.http("POST", "/v1/points/redeem", { body: { ...(await h.redeemBody(frank, h.b.address, 5n)), points: "1.5" } }));
      await refused(400, "invalid_bytes32", async () => h.http("POST", "/v1/points/redeem", { body: { ...(await h.redeemBody(frank, h.b.address, 5n)), orderRef: "0x1234" } }));
      await refused(409, "nonce_mismatch", async () => h.http("POST", "/v1/points/redeem", { body: await h.redeemBody(frank, h.b.address, 5n, { nonce: 1n }) }));

      const redeemed = await h.http("POST", "/v1/points/redeem", { body: await h.redeemBody(frank, h.b.address, 15n) });
      expect(redeemed.status).to.equal(202);
      expect((await h.settled(redeemed.body.operationId)).status).to.equal("confirmed");
      expect(await h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [frank.address] })).to.equal(5n);
      await h.indexed();
      const view = await h.http("GET", `/v1/customers/${frank.address}/points`);
      expect(view.body.balance).to.equal("5");
      expect(view.body.lifetimeEarned).to.equal("20");
      expect(view.body.history.map((x: { kind: string; brand: string; points: string }) => [x.kind, x.brand, x.points])).to.deep.equal([
        ["redeemed", h.b.address, "15"],
        ["issued", h.a.address, "20"],
      ]);
      expect((await h.nonces(frank.address)).points).to.equal(1n);
    });
  });
}
