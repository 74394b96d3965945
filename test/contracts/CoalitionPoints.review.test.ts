import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DEPOSIT, UNIT, id, now, pointsFixture, signRedeemEthers } from "./helpers/points";
import type { CoalitionPoints, MockStablecoin } from "../../typechain-types";

/**
 * The findings of the security review of CoalitionPoints (CP-1 to CP-7, I-1), each shown by the attack or
 * the missing guarantee it described. Every test here failed on the contract before the fix, except "sending is
 * not activity; receiving a non-zero amount is", which keeps the part of the old rule that was right.
 */

const { ethers } = hre;
const ZERO = ethers.ZeroAddress;
const DAY = 86_400n;
const MIN_PERIOD = 30n * DAY;
const NOTICE = 30n * DAY;
const R1 = id("receipt-1");
const R2 = id("receipt-2");
const ORDER = id("order-1");

/** The fixture with a 30-day expiry period in force (set, then its notice delay waited out). */
async function withExpiry() {
  const f = await loadFixture(pointsFixture);
  await f.points.setExpiryPeriod(MIN_PERIOD);
  await time.increase(NOTICE);
  await f.points.setTreasury(f.treasury.address);
  return f;
}

describe("CoalitionPoints security review", () => {
  describe("CP-1: receipts are per brand", () => {
    it("the same receiptId at two brands is two receipts", async () => {
      const { points, brandA, brandB, customer, customer2 } = await loadFixture(pointsFixture);
      await points.connect(brandA).issue(brandA.address, customer.address, 10n, R1);
      await expect(points.connect(brandB).issue(brandB.address, customer2.address, 20n, R1))
        .to.emit(points, "PointsIssued")
        .withArgs(brandB.address, customer2.address, 20n, R1);
      expect(await points.receiptOf(brandA.address, R1)).to.deep.equal([customer.address, 10n]);
      expect(await points.receiptOf(brandB.address, R1)).to.deep.equal([customer2.address, 20n]);
      await expect(points.connect(brandA).issue(brandA.address, customer2.address, 1n, R1))
        .to.be.revertedWithCustomError(points, "ReceiptUsed")
        .withArgs(brandA.address, R1);
    });

    it("another brand's operator cannot burn a brand's pending receipt id", async () => {
      const { points, brandA, brandB, opA, opB, customer, stranger } = await loadFixture(pointsFixture);
      // B's operator front-runs A's pending issue with A's receipt id, then reverses it for free
      await points.connect(opB).issue(brandB.address, stranger.address, 1n, R1);
      await points.connect(opB).reverse(R1, stranger.address, 1n);
      expect(await points.brandBalance(brandB.address)).to.equal(DEPOSIT);
      await expect(points.connect(opA).issue(brandA.address, customer.address, 100n, R1))
        .to.emit(points, "PointsIssued")
        .withArgs(brandA.address, customer.address, 100n, R1);
      await expect(points.connect(opA).issueBatch(brandA.address, [customer.address], [5n], [R2]))
        .to.emit(points, "PointsIssued")
        .withArgs(brandA.address, customer.address, 5n, R2);
      await points.connect(opB).issue(brandB.address, stranger.address, 1n, R2);
      expect(await points.balanceOf(customer.address)).to.equal(105n);
    });

    it("a brand reverses only its own receipts: another brand's id is unknown to it", async () => {
      const { points, brandA, brandB, opB, customer } = await loadFixture(pointsFixture);
      await points.connect(brandA).issue(brandA.address, customer.address, 10n, R1);
      await expect(points.connect(opB).reverse(R1, customer.address, 1n))
        .to.be.revertedWithCustomError(points, "UnknownReceipt")
        .withArgs(brandB.address, R1);
      await expect(points.connect(brandB).reverse(R1, customer.address, 1n))
        .to.be.revertedWithCustomError(points, "UnknownReceipt")
        .withArgs(brandB.address, R1);
      expect(await points.receiptOf(brandA.address, R1)).to.deep.equal([customer.address, 10n]);
    });
  });

  describe("CP-2: an operator agrees before it acts", () => {
    it("setOperator only proposes; the key acts once it accepts", async () => {
      const { points, brandA, customer, stranger } = await loadFixture(pointsFixture);
      const tx = points.connect(brandA).setOperator(stranger.address, true);
      await expect(tx).to.emit(points, "OperatorProposed").withArgs(brandA.address, stranger.address);
      await expect(tx).not.to.emit(points, "OperatorSet");
      expect(await points.isOperator(brandA.address, stranger.address)).to.equal(false);
      expect(await points.isOperatorProposed(brandA.address, stranger.address)).to.equal(true);
      await expect(points.connect(stranger).issue(brandA.address, customer.address, 1n, R1))
        .to.be.revertedWithCustomError(points, "NotBrandOrOperator")
        .withArgs(brandA.address, stranger.address);
      await expect(points.connect(stranger).acceptOperator(brandA.address))
        .to.emit(points, "OperatorSet")
        .withArgs(brandA.address, stranger.address, true);
      expect(await points.isOperator(brandA.address, stranger.address)).to.equal(true);
      expect(await points.isOperatorProposed(brandA.address, stranger.address)).to.equal(false);
      await points.connect(stranger).issue(brandA.address, customer.address, 1n, R1);
      expect(await points.balanceOf(customer.address)).to.equal(1n);
    });

    it("a proposal blocks nothing: the key can still be admitted as a brand or serve another brand", async () => {
      const { points, brandA, brandB, customer, customer2, stranger } = await loadFixture(pointsFixture);
      await points.connect(brandA).setOperator(stranger.address, true);
      await expect(points.admitBrand(stranger.address)).to.emit(points, "BrandAdmitted").withArgs(stranger.address);
      // an admitted brand cannot take up the old proposal
      await expect(points.connect(stranger).acceptOperator(brandA.address))
        .to.be.revertedWithCustomError(points, "OperatorIsBrand")
        .withArgs(stranger.address);

      // a brand cannot take another brand's (or the relay's) key without it agreeing
      await points.connect(brandA).setOperator(customer.address, true);
      await expect(points.connect(brandB).setOperator(customer.address, true))
        .to.emit(points, "OperatorProposed")
        .withArgs(brandB.address, customer.address);
      await expect(points.connect(customer).acceptOperator(brandB.address))
        .to.emit(points, "OperatorSet")
        .withArgs(brandB.address, customer.address, true);
      await expect(points.connect(customer).acceptOperator(brandA.address))
        .to.be.revertedWithCustomError(points, "OperatorOfAnotherBrand")
        .withArgs(customer.address, brandB.address);
      // A withdraws its stale proposal although the key now serves B
      await expect(points.connect(brandA).setOperator(customer.address, false))
        .to.emit(points, "OperatorSet")
        .withArgs(brandA.address, customer.address, false);
      expect(await points.isOperatorProposed(brandA.address, customer.address)).to.equal(false);
      expect(await points.operatorBrand(customer.address)).to.equal(brandB.address);
      await expect(points.connect(customer2).acceptOperator(brandA.address))
        .to.be.revertedWithCustomError(points, "OperatorNotProposed")
        .withArgs(brandA.address, customer2.address);
    });

    it("the brand withdraws a proposal or removes the operator; the operator renounces", async () => {
      const { points, brandA, opA, stranger } = await loadFixture(pointsFixture);
      await points.connect(brandA).setOperator(stranger.address, true);
      await expect(points.connect(brandA).setOperator(stranger.address, false))
        .to.emit(points, "OperatorSet")
        .withArgs(brandA.address, stranger.address, false);
      await expect(points.connect(stranger).acceptOperator(brandA.address))
        .to.be.revertedWithCustomError(points, "OperatorNotProposed")
        .withArgs(brandA.address, stranger.address);
      await expect(points.connect(brandA).setOperator(stranger.address, false))
        .to.be.revertedWithCustomError(points, "OperatorNotSet")
        .withArgs(brandA.address, stranger.address);

      await expect(points.connect(opA).renounceOperator(brandA.address))
        .to.emit(points, "OperatorSet")
        .withArgs(brandA.address, opA.address, false);
      expect(await points.operatorBrand(opA.address)).to.equal(ZERO);
      await expect(points.connect(opA).renounceOperator(brandA.address))
        .to.be.revertedWithCustomError(points, "OperatorNotSet")
        .withArgs(brandA.address, opA.address);
    });
  });

  describe("CP-3: only receiving a non-zero amount is activity", () => {
    it("transferFrom(victim, victim, 0) by anyone leaves the victim's clock running", async () => {
      const { points, brandA, customer, stranger } = await withExpiry();
      await points.connect(brandA).issue(brandA.address, customer.address, 100n, R1);
      const earned = await now();
      await points.setTransfersEnabled(true);
      await time.increase(MIN_PERIOD - 100n);
      await points.connect(stranger).transferFrom(customer.address, customer.address, 0n);
      await points.connect(customer).transfer(stranger.address, 0n);
      expect(await points.lastActivity(customer.address)).to.equal(earned);
      expect(await points.lastActivity(stranger.address)).to.equal(0n);
      await time.setNextBlockTimestamp(earned + MIN_PERIOD + 1n);
      await expect(points.expire(customer.address)).to.emit(points, "PointsExpired").withArgs(customer.address, 100n);
    });

    it("sending is not activity; receiving a non-zero amount is", async () => {
      const { points, brandA, customer, customer2 } = await withExpiry();
      await points.connect(brandA).issue(brandA.address, customer.address, 100n, R1);
      const earned = await now();
      await points.setTransfersEnabled(true);
      await time.increase(DAY);
      await points.connect(customer).transfer(customer2.address, 1n);
      expect(await points.lastActivity(customer.address)).to.equal(earned);
      expect(await points.lastActivity(customer2.address)).to.equal(await now());
    });
  });

  describe("CP-4: time while paused is not inactivity", () => {
    it("a customer refused during an incident is not expired when governance unpauses", async () => {
      const { points, brandA, customer } = await withExpiry();
      await points.connect(brandA).issue(brandA.address, customer.address, 100n, R1);
      const earned = await now();
      await time.setNextBlockTimestamp(earned + 10n * DAY);
      await points.pause();
      await time.setNextBlockTimestamp(earned + 20n * DAY);
      await points.unpause();
      // the ten paused days move the start of the inactivity clock
      expect(await points.lastActivity(customer.address)).to.equal(earned + 10n * DAY);
      await time.setNextBlockTimestamp(earned + MIN_PERIOD + 1n);
      await expect(points.expire(customer.address))
        .to.be.revertedWithCustomError(points, "NotYetExpirable")
        .withArgs(customer.address, earned + MIN_PERIOD + 10n * DAY);
      await time.setNextBlockTimestamp(earned + MIN_PERIOD + 10n * DAY + 1n);
      await expect(points.expire(customer.address)).to.emit(points, "PointsExpired").withArgs(customer.address, 100n);
    });

    it("activity after a pause counts from its own time; pauses add up", async () => {
      const { points, brandA, customer, customer2 } = await withExpiry();
      const t = await now();
      await time.setNextBlockTimestamp(t + DAY);
      await points.pause();
      await time.setNextBlockTimestamp(t + 3n * DAY);
      await points.unpause();
      await time.setNextBlockTimestamp(t + 4n * DAY);
      await points.connect(brandA).issue(brandA.address, customer.address, 100n, R1);
      expect(await points.lastActivity(customer.address)).to.equal(t + 4n * DAY);
      await time.setNextBlockTimestamp(t + 5n * DAY);
      await points.pause();
      await time.setNextBlockTimestamp(t + 8n * DAY);
      await points.unpause();
      expect(await points.lastActivity(customer.address)).to.equal(t + 7n * DAY);
      expect(await points.lastActivity(customer2.address)).to.equal(0n);
      await time.setNextBlockTimestamp(t + 7n * DAY + MIN_PERIOD);
      await expect(points.expire(customer.address))
        .to.be.revertedWithCustomError(points, "NotYetExpirable")
        .withArgs(customer.address, t + 7n * DAY + MIN_PERIOD);
    });
  });

  describe("CP-5: the backing credited to a brand never wraps", () => {
    // 2^159 settlement units per point: a brand balance (below 2^240) funds at most 2^81 - 1 points at a time, so
    // 257 deposits and issuances put 2^89 points, backed by 2^248 units, in one customer's hands.
    const UNIT_HUGE = 1n << 159n;

    async function hugeReserve() {
      const f = await loadFixture(pointsFixture);
      const usd = (await ethers.deployContract("MockStablecoin")) as unknown as MockStablecoin;
      const c = (await ethers.deployContract("CoalitionPoints", [
        await usd.getAddress(),
        UNIT_HUGE,
        f.gov.address,
      ])) as unknown as CoalitionPoints;
      const addr = await c.getAddress();
      for (const b of [f.brandA, f.brandB]) {
        await c.admitBrand(b.address);
        await usd.mint(b.address, 1n << 250n);
        await usd.connect(b).approve(addr, ethers.MaxUint256);
      }
      return { ...f, c, usd, addr };
    }

    it("a redemption worth 2^248 or more reverts instead of crediting the brand 0", async function () {
      this.timeout(120_000);
      const { c, usd, addr, brandA, brandB, customer } = await hugeReserve();
      const big = (1n << 81n) - 1n;
      for (let i = 0; i < 257; i++) {
        const pts = i < 256 ? big : 256n;
        await c.connect(brandA).deposit(pts * UNIT_HUGE);
        await c.connect(brandA).issue(brandA.address, customer.address, pts, id(`huge-${i}`));
      }
      const all = 1n << 89n;
      expect(await c.reserve()).to.equal(1n << 248n);
      await expect(c.connect(customer).redeem(brandB.address, all, ORDER))
        .to.be.revertedWithCustomError(c, "SafeCastOverflowedUintDowncast")
        .withArgs(240, 1n << 248n);
      expect(await c.balanceOf(customer.address)).to.equal(all);
      expect(await usd.balanceOf(addr)).to.equal((await c.reserve()) + (await c.brandBalance(brandB.address)));
    });

    it("a reversal that would take the brand balance past its width reverts", async () => {
      const { c, brandA, customer } = await hugeReserve();
      const each = 1n << 80n;
      await c.connect(brandA).deposit(each * UNIT_HUGE);
      await c.connect(brandA).issue(brandA.address, customer.address, each, R1);
      const full = (1n << 240n) - 1n;
      await c.connect(brandA).deposit(full);
      await expect(c.connect(brandA).reverse(R1, customer.address, each))
        .to.be.revertedWithCustomError(c, "SafeCastOverflowedUintDowncast")
        .withArgs(240, full + each * UNIT_HUGE);
      expect(await c.brandBalance(brandA.address)).to.equal(full);
    });
  });

  describe("CP-6: governance cannot sweep the reserve at short notice", () => {
    it("refuses a period under 30 days and delays a shortening by 30 days", async () => {
      const { points, brandA, customer } = await loadFixture(pointsFixture);
      await points.connect(brandA).issue(brandA.address, customer.address, 100n, R1);
      await expect(points.setExpiryPeriod(1n))
        .to.be.revertedWithCustomError(points, "ExpiryPeriodTooShort")
        .withArgs(1n, MIN_PERIOD);
      await expect(points.setExpiryPeriod(MIN_PERIOD - 1n))
        .to.be.revertedWithCustomError(points, "ExpiryPeriodTooShort")
        .withArgs(MIN_PERIOD - 1n, MIN_PERIOD);
      // turning expiry on is a shortening (0 = never is the longest)
      const tx = await points.setExpiryPeriod(MIN_PERIOD);
      const setAt = await now();
      await expect(tx).to.emit(points, "ExpiryPeriodSet").withArgs(MIN_PERIOD, setAt + NOTICE);
      expect(await points.expiryPeriod()).to.equal(0n);
      expect(await points.pendingExpiryPeriod()).to.deep.equal([MIN_PERIOD, setAt + NOTICE]);
      await time.setNextBlockTimestamp(setAt + NOTICE - 1n);
      await expect(points.expire(customer.address)).to.be.revertedWithCustomError(points, "ExpiryDisabled");
      await time.setNextBlockTimestamp(setAt + NOTICE);
      await expect(points.expire(customer.address)).to.emit(points, "PointsExpired").withArgs(customer.address, 100n);
      expect(await points.expiryPeriod()).to.equal(MIN_PERIOD);
      expect(await points.pendingExpiryPeriod()).to.deep.equal([0n, 0n]);
    });

    it("a longer period applies at once and cancels a pending shortening", async () => {
      const { points } = await loadFixture(pointsFixture);
      await points.setExpiryPeriod(90n * DAY);
      await time.increase(NOTICE);
      expect(await points.expiryPeriod()).to.equal(90n * DAY);
      await points.setExpiryPeriod(MIN_PERIOD);
      expect(await points.expiryPeriod()).to.equal(90n * DAY);
      const tx = await points.setExpiryPeriod(0n);
      await expect(tx).to.emit(points, "ExpiryPeriodSet").withArgs(0n, await now());
      expect(await points.expiryPeriod()).to.equal(0n);
      expect(await points.pendingExpiryPeriod()).to.deep.equal([0n, 0n]);
    });
  });

  describe("CP-7: a customer cancels a signed Redeem", () => {
    it("useNonce consumes the next nonce, so the signature handed out no longer redeems", async () => {
      const { points, brandA, brandB, customer, stranger } = await loadFixture(pointsFixture);
      await points.connect(brandA).issue(brandA.address, customer.address, 100n, R1);
      const msg = { customer: customer.address, brand: brandB.address, points: 40n, orderRef: ORDER, nonce: 0n, deadline: (await now()) + 3600n };
      const sig = await signRedeemEthers(points, customer, msg);
      await expect(points.connect(customer).useNonce()).to.emit(points, "NonceUsed").withArgs(customer.address, 0n);
      expect(await points.nonces(customer.address)).to.equal(1n);
      await expect(
        points.connect(stranger).redeemBySig(msg.customer, msg.brand, msg.points, msg.orderRef, msg.deadline, sig),
      ).to.be.revertedWithCustomError(points, "InvalidSignature");
      expect(await points.balanceOf(customer.address)).to.equal(100n);
    });

    it("works while paused, when the signature cannot be submitted anyway", async () => {
      const { points, customer } = await loadFixture(pointsFixture);
      await points.pause();
      await expect(points.connect(customer).useNonce()).to.emit(points, "NonceUsed").withArgs(customer.address, 0n);
      await expect(points.connect(customer).useNonce()).to.emit(points, "NonceUsed").withArgs(customer.address, 1n);
      expect(await points.nonces(customer.address)).to.equal(2n);
    });
  });

  describe("I-1: signatures are checked as ConsentLedger checks them", () => {
    it("an EIP-7702 account (code delegated to a wallet that refuses) redeems with its own key", async () => {
      const { points, brandA, brandB, customer, customer2, stranger } = await loadFixture(pointsFixture);
      await points.connect(brandA).issue(brandA.address, customer.address, 100n, R1);
      // the delegated code is an ERC-1271 wallet owned by someone else: it would refuse the customer's signature
      const wallet = await ethers.deployContract("MockERC1271Wallet", [customer2.address]);
      await hre.network.provider.send("hardhat_setCode", [customer.address, "0xef0100" + (await wallet.getAddress()).slice(2)]);
      expect(await ethers.provider.getCode(customer.address)).to.not.equal("0x");
      const msg = { customer: customer.address, brand: brandB.address, points: 40n, orderRef: ORDER, nonce: 0n, deadline: (await now()) + 3600n };
      const sig = await signRedeemEthers(points, customer, msg);
      await expect(
        points.connect(stranger).redeemBySig(msg.customer, msg.brand, msg.points, msg.orderRef, msg.deadline, sig),
      )
        .to.emit(points, "PointsRedeemed")
        .withArgs(customer.address, brandB.address, 40n, ORDER);
      expect(await points.balanceOf(customer.address)).to.equal(60n);
      expect(await points.brandBalance(brandB.address)).to.equal(DEPOSIT + 40n * UNIT);
    });
  });
});
