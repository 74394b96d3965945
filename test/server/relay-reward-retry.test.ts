import { expect } from "chai";
import type { Address, Hex } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { BackingCache } from "../../server/devices/backingCache";
import { retryUnbackedRewards } from "../../server/loyalty/issuer";
import { consentRewardReceiptId } from "../../server/loyalty/receiptIds";
import { retryConsentRewards } from "../../server/loyalty/rewardRetry";
import type { Queryable } from "../../server/store/db";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer } from "./relay-harness";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REWARD = 200n;

for (const kind of testDbKinds()) {
  describe(`relay rewards for consent waiting for backing (${kind})`, function () {
    this.timeout(120_000);
    let h: Harness;
    let unit: bigint;
    before(async () => {
      h = await Harness.start(kind, { env: { LOYALTY_POLL_MS: "30" } });
      unit = await h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "unitValue" });
    });
    after(async () => {
      await h?.stop();
    });

    const balanceOf = (customer: Address) => h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [customer] });
    const backing = () => h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [h.a.address] });
    const wait = async (hash: Hex) => expect((await h.chain.client.waitForTransactionReceipt({ hash })).status).to.equal("success");
    const brandWrite = async (functionName: "deposit" | "withdraw", args: readonly unknown[]) =>
      wait(await h.a.wallet.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName, args } as never));
    const waiting = async () => (await h.http("GET", "/v1/brand/programme", { auth: h.a.apiKey })).body.rewardsWaitingForBacking;
    const receiptOf = (customer: Address) => consentRewardReceiptId(h.a.address, purposeId("shopping-list"), customer.toLowerCase() as Address);
    /** The reward's row: its bound operation (status, error, idempotency key) and attempt. */
    async function reward(customer: Address) {
      const { rows } = await h.t.db.query<{ attempt: number; operation_id: string; status: string; error_code: string | null; idempotency_key: string | null }>(
        `SELECT i.attempt, i.operation_id::text AS operation_id, o.status, o.error_code, o.idempotency_key
           FROM relay_issuances i JOIN operations o ON o.id = i.operation_id WHERE i.brand = $1 AND i.receipt_id = $2 AND i.reason = 'consent-reward'`,
        [h.a.address, receiptOf(customer)],
      );
      return rows[0];
    }
    /** Issue operations ever queued for the customer's reward (its receipt id is the call's fourth argument). */
    const issuesOf = (customer: Address) => h.count("operations", "kind = 'issue' AND controller = $1 AND args->>3 = $2", [h.a.address, receiptOf(customer)]);
    async function until(what: string, fn: () => Promise<boolean>): Promise<void> {
      for (let i = 0; i < 1500; i++) {
        if (await fn()) return;
        await sleep(20);
      }
      throw new Error(`never: ${what}`);
    }
    const retried = async () => (await h.metric('confiance_loyalty_issuances_queued_total{source="consent-reward-retry"}')) ?? 0;

    it("a reward that failed for want of backing waits while the backing is short, is paid once the brand deposits (oldest first), and only once", async () => {
      const set = await h.http("POST", "/v1/brand/rewards", { auth: h.a.apiKey, body: { purpose: purposeId("shopping-list"), points: REWARD.toString() } });
      expect(set.status, JSON.stringify(set.body)).to.equal(200);
      // The brand keeps backing for 150 points: short of one 200-point reward.
      await brandWrite("withdraw", [(await backing()) - 150n * unit, h.a.address]);
      expect(await backing()).to.equal(150n * unit);
      expect(await waiting()).to.deep.equal({ count: 0, points: "0" });

      const fay = newCustomer();
      await h.consent(fay, h.a.address, ["shopping-list"]);
      await until("fay's reward queued", async () => (await reward(fay.address)) !== undefined);
      const first = (await reward(fay.address))!;
      const failed = await h.settled(first.operation_id);
      expect([failed.status, failed.error?.code]).to.deep.equal(["failed", "InsufficientBrandBalance"]);
      const gil = newCustomer();
      await h.consent(gil, h.a.address, ["shopping-list"]);
      await until("gil's reward queued", async () => (await reward(gil.address)) !== undefined);
      expect((await h.settled((await reward(gil.address))!.operation_id)).error?.code).to.equal("InsufficientBrandBalance");
      expect(await waiting()).to.deep.equal({ count: 2, points: "400" });

      // Nothing is queued again while the backing stays short.
      await sleep(400);
      expect(await reward(fay.address)).to.deep.equal({ ...first, idempotency_key: null, status: "failed", error_code: "InsufficientBrandBalance" });
      expect([await issuesOf(fay.address), await issuesOf(gil.address), await balanceOf(fay.address), await balanceOf(gil.address)]).to.deep.equal([1, 1, 0n, 0n]);
      expect(await retried()).to.equal(0);

      // A crash before a round's commit (here: with a read that would cover both) leaves both waiting as they were.
      let queuedBeforeCrash: unknown;
      const crashing = {
        transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
          h.t.db.transaction<T>(async (tx) => {
            // The relay's own loyalty loop runs the same round on another PostgreSQL connection: while its
            // transaction holds the rows (FOR UPDATE ... SKIP LOCKED) this one would skip them and find none.
            // The table lock waits for that transaction to end and keeps the loop's next one out until this one's.
            await tx.query("LOCK TABLE relay_issuances IN EXCLUSIVE MODE");
            queuedBeforeCrash = await fn(tx);
            throw new Error("crash");
          }),
      };
      let crashed: unknown;
      await retryConsentRewards(crashing, h.a.address, { balance: 10n ** 20n, unitValue: unit, blockNumber: await h.chain.client.getBlockNumber() }).catch((err: unknown) => (crashed = err));
      expect([(crashed as Error).message, queuedBeforeCrash]).to.deep.equal(["crash", 2]);
      expect(await reward(fay.address)).to.deep.equal({ ...first, idempotency_key: null, status: "failed", error_code: "InsufficientBrandBalance" });
      expect([await issuesOf(fay.address), await issuesOf(gil.address), (await reward(gil.address))!.attempt]).to.deep.equal([1, 1, 0]);

      // 50 points more: 200 in all, the oldest reward (fay's) alone fits.
      await brandWrite("deposit", [50n * unit]);
      await until("fay paid", async () => (await balanceOf(fay.address)) === REWARD);
      expect((await h.settled((await reward(fay.address))!.operation_id)).status).to.equal("confirmed");
      const paid = (await reward(fay.address))!;
      expect(paid).to.deep.equal({ attempt: 1, operation_id: paid.operation_id, status: "confirmed", error_code: null, idempotency_key: `issue:${receiptOf(fay.address)}:1` });
      expect(paid.operation_id).to.not.equal(first.operation_id);
      expect(await h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "receiptOf", args: [h.a.address, receiptOf(fay.address)] })).to.deep.equal([
        fay.address,
        REWARD,
      ]);
      expect(await backing()).to.equal(0n);
      await sleep(400);
      expect(await waiting()).to.deep.equal({ count: 1, points: "200" });
      expect([await issuesOf(gil.address), await balanceOf(gil.address), (await reward(gil.address))!.attempt]).to.deep.equal([1, 0n, 0]);

      await brandWrite("deposit", [REWARD * unit]);
      await until("gil paid", async () => (await balanceOf(gil.address)) === REWARD);
      expect(await waiting()).to.deep.equal({ count: 0, points: "0" });
      expect(await retried()).to.equal(2);

      // The loop runs on, and a direct round too: nothing more is queued or paid.
      await brandWrite("deposit", [1000n * unit]);
      await sleep(400);
      expect(await retryUnbackedRewards(h.t.db, new BackingCache(h.chain.client, h.deployment.points))).to.equal(0);
      expect([await balanceOf(fay.address), await balanceOf(gil.address), await issuesOf(fay.address), await issuesOf(gil.address)]).to.deep.equal([REWARD, REWARD, 2, 2]);
      expect([(await reward(fay.address))!.attempt, (await reward(gil.address))!.attempt]).to.deep.equal([1, 1]);
      expect(await backing()).to.equal(1000n * unit);
      expect(await retried()).to.equal(2);
    });

    it("a reward that failed for another reason (its receipt already used on chain) is not queued again", async () => {
      const hal = newCustomer();
      // Backing enough for everything here: the failure is the receipt's, not the backing's.
      await brandWrite("deposit", [1000n * unit]);
      // The brand itself issues the reward's receipt id first, with 7 points.
      await wait(
        await h.a.wallet.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "issue", args: [h.a.address, hal.address, 7n, receiptOf(hal.address)] }),
      );
      const before = await backing();
      await h.consent(hal, h.a.address, ["shopping-list"]);
      await until("hal's reward queued", async () => (await reward(hal.address)) !== undefined);
      const failed = await h.settled((await reward(hal.address))!.operation_id);
      expect([failed.status, failed.error?.code]).to.deep.equal(["failed", "ReceiptUsed"]);
      await sleep(400);
      expect(await retryUnbackedRewards(h.t.db, new BackingCache(h.chain.client, h.deployment.points))).to.equal(0);
      expect(await waiting()).to.deep.equal({ count: 0, points: "0" });
      expect([await issuesOf(hal.address), (await reward(hal.address))!.attempt, (await reward(hal.address))!.status]).to.deep.equal([1, 0, "failed"]);
      expect(await balanceOf(hal.address)).to.equal(7n);
      expect(await backing()).to.equal(before);
      expect(await retried()).to.equal(2);
    });
  });
}
