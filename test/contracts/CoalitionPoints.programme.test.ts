import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DEPOSIT, UNIT, id, now, pointsFixture, signRedeemEthers } from "./helpers/points";

/** What coalition programmes run on: coalition-wide tiers and partners that choose whether to take points. */

const R1 = id("receipt-1");
const R2 = id("receipt-2");
const ORDER = id("order-1");

describe("CoalitionPoints programme", () => {
  describe("tiers", () => {
    it("governance sets thresholds of lifetime earned points; tierOf counts the thresholds reached", async () => {
      const { points, brandA, customer, customer2 } = await loadFixture(pointsFixture);
      expect(await points.tiers()).to.deep.equal([]);
      expect(await points.tierOf(customer.address)).to.equal(0n);
      await expect(points.setTiers([100n, 500n, 2000n])).to.emit(points, "TiersSet").withArgs([100n, 500n, 2000n]);
      expect(await points.tiers()).to.deep.equal([100n, 500n, 2000n]);
      const cases: [bigint, bigint][] = [
        [99n, 0n],
        [1n, 1n], // 100
        [399n, 1n], // 499
        [1n, 2n], // 500
        [1499n, 2n], // 1999
        [1n, 3n], // 2000
        [50_000n, 3n],
      ];
      let i = 0;
      for (const [add, tier] of cases) {
        await points.connect(brandA).issue(brandA.address, customer.address, add, id(`t-${i++}`));
        expect(await points.tierOf(customer.address)).to.equal(tier);
      }
      expect(await points.tierOf(customer2.address)).to.equal(0n);
    });

    it("a reversal below a threshold lowers the tier; redeeming and expiry do not", async () => {
      const { points, brandA, brandB, customer } = await loadFixture(pointsFixture);
      await points.setTiers([100n, 500n]);
      await points.setExpiryPeriod(30n * 86_400n);
      await points.connect(brandA).issue(brandA.address, customer.address, 520n, R1);
      expect(await points.tierOf(customer.address)).to.equal(2n);
      await points.connect(customer).redeem(brandB.address, 400n, ORDER);
      expect(await points.tierOf(customer.address)).to.equal(2n);
      await points.connect(brandA).reverse(R1, customer.address, 20n);
      expect(await points.lifetimeEarned(customer.address)).to.equal(500n);
      expect(await points.tierOf(customer.address)).to.equal(2n);
      await points.connect(brandA).reverse(R1, customer.address, 1n);
      expect(await points.tierOf(customer.address)).to.equal(1n);
      await time.increase(61n * 86_400n); // the 30-day notice, then 30 days of inactivity
      await expect(points.expire(customer.address)).to.emit(points, "PointsExpired").withArgs(customer.address, 99n);
      expect(await points.tierOf(customer.address)).to.equal(1n);
    });

    it("an empty list removes tiers; a new list replaces the old one", async () => {
      const { points, brandA, customer } = await loadFixture(pointsFixture);
      await points.connect(brandA).issue(brandA.address, customer.address, 300n, R1);
      await points.setTiers([10n, 20n, 30n, 40n]);
      expect(await points.tierOf(customer.address)).to.equal(4n);
      await points.setTiers([250n]);
      expect(await points.tiers()).to.deep.equal([250n]);
      expect(await points.tierOf(customer.address)).to.equal(1n);
      await expect(points.setTiers([])).to.emit(points, "TiersSet").withArgs([]);
      expect(await points.tiers()).to.deep.equal([]);
      expect(await points.tierOf(customer.address)).to.equal(0n);
    });

    it("takes up to 16 strictly increasing positive thresholds", async () => {
      const { points, brandA, customer } = await loadFixture(pointsFixture);
      const sixteen = Array.from({ length: 16 }, (_, i) => BigInt(i + 1));
      await points.setTiers(sixteen);
      await points.connect(brandA).issue(brandA.address, customer.address, 16n, R1);
      expect(await points.tierOf(customer.address)).to.equal(16n);
      await expect(points.setTiers([...sixteen, 17n]))
        .to.be.revertedWithCustomError(points, "TooManyTiers")
        .withArgs(17n, 16n);
      await expect(points.setTiers([0n, 5n]))
        .to.be.revertedWithCustomError(points, "InvalidTierThreshold")
        .withArgs(0n, 0n);
      await expect(points.setTiers([5n, 5n]))
        .to.be.revertedWithCustomError(points, "InvalidTierThreshold")
        .withArgs(1n, 5n);
      await expect(points.setTiers([5n, 9n, 3n]))
        .to.be.revertedWithCustomError(points, "InvalidTierThreshold")
        .withArgs(2n, 3n);
      expect(await points.tiers()).to.deep.equal(sixteen);
    });
  });

  describe("where points can be spent", () => {
    it("an admitted brand accepts redemptions until it turns them off", async () => {
      const { points, brandA, brandB, brandC, stranger } = await loadFixture(pointsFixture);
      expect(await points.acceptsRedemptions(brandA.address)).to.equal(true);
      expect(await points.acceptsRedemptions(brandC.address)).to.equal(false); // suspended
      expect(await points.acceptsRedemptions(stranger.address)).to.equal(false); // never admitted
      await expect(points.connect(brandB).setAcceptsRedemptions(false))
        .to.emit(points, "RedemptionsAccepted")
        .withArgs(brandB.address, false);
      expect(await points.acceptsRedemptions(brandB.address)).to.equal(false);
      await expect(points.connect(brandB).setAcceptsRedemptions(true))
        .to.emit(points, "RedemptionsAccepted")
        .withArgs(brandB.address, true);
      expect(await points.acceptsRedemptions(brandB.address)).to.equal(true);
    });

    it("redeeming at a brand that does not accept reverts, directly and by signature, and keeps the nonce", async () => {
      const { points, brandA, brandB, customer, stranger } = await loadFixture(pointsFixture);
      await points.connect(brandA).issue(brandA.address, customer.address, 100n, R1);
      await points.connect(brandB).setAcceptsRedemptions(false);
      await expect(points.connect(customer).redeem(brandB.address, 10n, ORDER))
        .to.be.revertedWithCustomError(points, "RedemptionsNotAccepted")
        .withArgs(brandB.address);
      const msg = { customer: customer.address, brand: brandB.address, points: 10n, orderRef: ORDER, nonce: 0n, deadline: (await now()) + 600n };
      const sig = await signRedeemEthers(points, customer, msg);
      await expect(
        points.connect(stranger).redeemBySig(msg.customer, msg.brand, msg.points, msg.orderRef, msg.deadline, sig),
      )
        .to.be.revertedWithCustomError(points, "RedemptionsNotAccepted")
        .withArgs(brandB.address);
      expect(await points.nonces(customer.address)).to.equal(0n);
      // it still issues, and its customers redeem elsewhere
      await points.connect(brandB).issue(brandB.address, customer.address, 5n, R1);
      await expect(points.connect(customer).redeem(brandA.address, 105n, ORDER))
        .to.emit(points, "PointsRedeemed")
        .withArgs(customer.address, brandA.address, 105n, ORDER);
      await points.connect(brandB).setAcceptsRedemptions(true);
      await points.connect(brandA).issue(brandA.address, customer.address, 10n, R2);
      await points.connect(stranger).redeemBySig(msg.customer, msg.brand, msg.points, msg.orderRef, msg.deadline, sig);
      expect(await points.brandBalance(brandB.address)).to.equal(DEPOSIT - 5n * UNIT + 10n * UNIT);
    });

    it("a partner that only receives points (a charity) is credited at once", async () => {
      const { points, brandA, customer, all } = await loadFixture(pointsFixture);
      const charity = all[12];
      await points.admitBrand(charity.address);
      await points.connect(brandA).issue(brandA.address, customer.address, 100n, R1);
      await expect(points.connect(customer).redeem(charity.address, 30n, ORDER))
        .to.emit(points, "PointsRedeemed")
        .withArgs(customer.address, charity.address, 30n, ORDER);
      expect(await points.brandBalance(charity.address)).to.equal(30n * UNIT);
    });

    it("the choice survives a suspension; only a brand makes it, also while paused", async () => {
      const { points, brandA, opA, stranger } = await loadFixture(pointsFixture);
      await points.pause();
      await points.connect(brandA).setAcceptsRedemptions(false);
      await points.unpause();
      await points.suspendBrand(brandA.address);
      expect(await points.acceptsRedemptions(brandA.address)).to.equal(false);
      await points.admitBrand(brandA.address);
      expect(await points.acceptsRedemptions(brandA.address)).to.equal(false);
      await expect(points.connect(opA).setAcceptsRedemptions(true))
        .to.be.revertedWithCustomError(points, "NotBrand")
        .withArgs(opA.address);
      await expect(points.connect(stranger).setAcceptsRedemptions(true))
        .to.be.revertedWithCustomError(points, "NotBrand")
        .withArgs(stranger.address);
    });
  });
});
