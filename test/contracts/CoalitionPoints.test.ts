import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { FunctionFragment, TypedDataEncoder } from "ethers";
import {
  ADMIN_ROLE,
  DEPOSIT,
  MAX_POINTS,
  REDEEM_TYPES,
  UNIT,
  domainOf,
  id,
  now,
  pointsFixture,
  signRedeemEthers,
  signRedeemViem,
  toHighS,
} from "./helpers/points";
import type { CoalitionPoints, FeeOnTransferToken, MockERC1271Wallet, MockStablecoin } from "../../typechain-types";

const { ethers } = hre;
const ZERO = ethers.ZeroAddress;
const R1 = id("receipt-1");
const R2 = id("receipt-2");
const R3 = id("receipt-3");
const ORDER = id("order-1");
const DAY = 86_400n;
const NOTICE = 30n * DAY; // a shorter expiry period applies this long after it is set

describe("CoalitionPoints", () => {
  describe("deployment", () => {
    it("sets the asset, unit value, governance, treasury and ERC-20 metadata", async () => {
      const { points, usd, gov } = await loadFixture(pointsFixture);
      expect(await points.settlementAsset()).to.equal(await usd.getAddress());
      expect(await points.unitValue()).to.equal(UNIT);
      expect(await points.hasRole(ADMIN_ROLE, gov.address)).to.equal(true);
      expect(await points.treasury()).to.equal(gov.address);
      expect(await points.name()).to.equal("Confiance Coalition Points");
      expect(await points.symbol()).to.equal("CPTS");
      expect(await points.decimals()).to.equal(0n);
      expect(await points.totalSupply()).to.equal(0n);
      expect(await points.reserve()).to.equal(0n);
      expect(await points.transfersEnabled()).to.equal(false);
      expect(await points.expiryPeriod()).to.equal(0n);
      expect(await points.paused()).to.equal(false);
      expect(await points.MAX_POINTS()).to.equal(MAX_POINTS);
    });

    it("emits TreasurySet(governance) at deployment", async () => {
      const { usd, gov } = await loadFixture(pointsFixture);
      const c = await ethers.deployContract("CoalitionPoints", [await usd.getAddress(), UNIT, gov.address]);
      await expect(c.deploymentTransaction()).to.emit(c, "TreasurySet").withArgs(gov.address);
    });

    it("exposes the pinned EIP-712 domain and Redeem type hash", async () => {
      const { points } = await loadFixture(pointsFixture);
      const domain = await domainOf(points);
      expect(await points.DOMAIN_SEPARATOR()).to.equal(TypedDataEncoder.hashDomain(domain));
      const d = await points.eip712Domain();
      expect(d.name).to.equal("Confiance CoalitionPoints");
      expect(d.version).to.equal("1");
      expect(d.chainId).to.equal(domain.chainId);
      expect(d.verifyingContract).to.equal(domain.verifyingContract);
      expect(await points.REDEEM_TYPEHASH()).to.equal(
        id("Redeem(address customer,address brand,uint256 points,bytes32 orderRef,uint256 nonce,uint256 deadline)"),
      );
      expect(TypedDataEncoder.from({ Redeem: [...REDEEM_TYPES.Redeem] }).encodeType("Redeem")).to.equal(
        "Redeem(address customer,address brand,uint256 points,bytes32 orderRef,uint256 nonce,uint256 deadline)",
      );
    });

    it("supports the ERC-165 ids of IAccessControl, IERC20, IERC20Metadata and ICoalitionPoints", async () => {
      const { points } = await loadFixture(pointsFixture);
      const iface = (name: string) => {
        const fragments = ethers.Interface.from(hre.artifacts.readArtifactSync(name).abi).fragments;
        let x = 0n;
        for (const f of fragments) if (f instanceof FunctionFragment) x ^= BigInt(f.selector);
        return ethers.toBeHex(x, 4);
      };
      const erc20 = iface("@openzeppelin/contracts/token/ERC20/IERC20.sol:IERC20");
      expect(erc20).to.equal("0x36372b07");
      expect(await points.supportsInterface(erc20)).to.equal(true);
      expect(await points.supportsInterface("0x01ffc9a7")).to.equal(true); // ERC-165
      expect(await points.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
      // Solidity's interfaceId of IERC20Metadata covers its own functions only, not IERC20's
      const meta =
        BigInt(id("name()").slice(0, 10)) ^ BigInt(id("symbol()").slice(0, 10)) ^ BigInt(id("decimals()").slice(0, 10));
      expect(await points.supportsInterface(ethers.toBeHex(meta, 4))).to.equal(true);
      expect(await points.supportsInterface(iface("ICoalitionPoints"))).to.equal(true);
      expect(await points.supportsInterface("0xffffffff")).to.equal(false);
    });

    it("refuses a zero asset or governance, an asset without code and a unit value outside [1, 2^160)", async () => {
      const { usd, gov, stranger } = await loadFixture(pointsFixture);
      const factory = await ethers.getContractFactory("CoalitionPoints");
      const asset = await usd.getAddress();
      await expect(factory.deploy(ZERO, UNIT, gov.address)).to.be.revertedWithCustomError(factory, "ZeroAddress");
      await expect(factory.deploy(asset, UNIT, ZERO)).to.be.revertedWithCustomError(factory, "ZeroAddress");
      await expect(factory.deploy(stranger.address, UNIT, gov.address))
        .to.be.revertedWithCustomError(factory, "InvalidSettlementAsset")
        .withArgs(stranger.address);
      await expect(factory.deploy(asset, 0n, gov.address))
        .to.be.revertedWithCustomError(factory, "InvalidUnitValue")
        .withArgs(0n);
      await expect(factory.deploy(asset, 1n << 160n, gov.address))
        .to.be.revertedWithCustomError(factory, "InvalidUnitValue")
        .withArgs(1n << 160n);
      const max = await factory.deploy(asset, (1n << 160n) - 1n, gov.address);
      expect(await max.unitValue()).to.equal((1n << 160n) - 1n);
    });
  });

  describe("governance", () => {
    it("admitBrand admits, refuses zero, an admitted brand and an operator; re-admits a suspended brand", async () => {
      const { points, gov, brandA, brandC, opA, stranger } = await loadFixture(pointsFixture);
      expect(await points.brandStatus(stranger.address)).to.equal(0n);
      await expect(points.admitBrand(stranger.address)).to.emit(points, "BrandAdmitted").withArgs(stranger.address);
      expect(await points.brandStatus(stranger.address)).to.equal(1n);
      await expect(points.admitBrand(ZERO)).to.be.revertedWithCustomError(points, "ZeroAddress");
      await expect(points.admitBrand(brandA.address))
        .to.be.revertedWithCustomError(points, "BrandAlreadyAdmitted")
        .withArgs(brandA.address);
      await expect(points.admitBrand(opA.address))
        .to.be.revertedWithCustomError(points, "BrandIsOperator")
        .withArgs(opA.address, brandA.address);
      expect(await points.brandStatus(brandC.address)).to.equal(2n);
      await expect(points.connect(gov).admitBrand(brandC.address))
        .to.emit(points, "BrandAdmitted")
        .withArgs(brandC.address);
      expect(await points.brandStatus(brandC.address)).to.equal(1n);
    });

    it("suspendBrand suspends an admitted brand only; the brand keeps its balance", async () => {
      const { points, brandA, brandC, stranger } = await loadFixture(pointsFixture);
      await expect(points.suspendBrand(brandA.address)).to.emit(points, "BrandSuspended").withArgs(brandA.address);
      expect(await points.brandStatus(brandA.address)).to.equal(2n);
      expect(await points.brandBalance(brandA.address)).to.equal(DEPOSIT);
      await expect(points.suspendBrand(brandC.address))
        .to.be.revertedWithCustomError(points, "BrandNotAdmitted")
        .withArgs(brandC.address);
      await expect(points.suspendBrand(stranger.address))
        .to.be.revertedWithCustomError(points, "BrandNotAdmitted")
        .withArgs(stranger.address);
    });

    it("setTransfersEnabled, setExpiryPeriod and setTreasury store and emit", async () => {
      const { points, treasury } = await loadFixture(pointsFixture);
      await expect(points.setTransfersEnabled(true)).to.emit(points, "TransfersEnabledSet").withArgs(true);
      expect(await points.transfersEnabled()).to.equal(true);
      await expect(points.setTransfersEnabled(false)).to.emit(points, "TransfersEnabledSet").withArgs(false);
      expect(await points.transfersEnabled()).to.equal(false);
      const tx = await points.setExpiryPeriod(2n ** 40n - 1n); // from 0 (never), turning expiry on waits
      const effectiveAt = (await now()) + NOTICE;
      await expect(tx).to.emit(points, "ExpiryPeriodSet").withArgs(2n ** 40n - 1n, effectiveAt);
      expect(await points.expiryPeriod()).to.equal(0n);
      expect(await points.pendingExpiryPeriod()).to.deep.equal([2n ** 40n - 1n, effectiveAt]);
      await expect(points.setTreasury(treasury.address)).to.emit(points, "TreasurySet").withArgs(treasury.address);
      expect(await points.treasury()).to.equal(treasury.address);
      await expect(points.setTreasury(ZERO)).to.be.revertedWithCustomError(points, "ZeroAddress");
    });

    it("pause and unpause emit Paused/Unpaused and refuse a repeated call", async () => {
      const { points, gov } = await loadFixture(pointsFixture);
      await expect(points.pause()).to.emit(points, "Paused").withArgs(gov.address);
      expect(await points.paused()).to.equal(true);
      await expect(points.pause()).to.be.revertedWithCustomError(points, "EnforcedPause");
      await expect(points.unpause()).to.emit(points, "Unpaused").withArgs(gov.address);
      expect(await points.paused()).to.equal(false);
      await expect(points.unpause()).to.be.revertedWithCustomError(points, "ExpectedPause");
    });

    it("the pause stores no more than a flag: the config packed with it survives pause and unpause", async () => {
      const { points, brandA, customer } = await loadFixture(pointsFixture);
      await points.setExpiryPeriod(40n * DAY);
      await time.increase(NOTICE);
      await points.setTransfersEnabled(true);
      await points.connect(brandA).issue(brandA.address, customer.address, 77n, R1);
      await points.pause();
      await points.unpause();
      expect(await points.expiryPeriod()).to.equal(40n * DAY);
      expect(await points.transfersEnabled()).to.equal(true);
      expect(await points.totalSupply()).to.equal(77n);
    });
  });

  describe("brand accounts", () => {
    it("deposit pulls the asset and credits the brand", async () => {
      const { points, usd, brandA, pointsAddr } = await loadFixture(pointsFixture);
      const before = await usd.balanceOf(brandA.address);
      await expect(points.connect(brandA).deposit(123n)).to.emit(points, "Deposited").withArgs(brandA.address, 123n);
      expect(await usd.balanceOf(brandA.address)).to.equal(before - 123n);
      expect(await usd.balanceOf(pointsAddr)).to.equal(DEPOSIT * 3n + 123n);
      expect(await points.brandBalance(brandA.address)).to.equal(DEPOSIT + 123n);
    });

    it("deposit refuses zero, non-admitted brands, a missing allowance and a pause", async () => {
      const { points, usd, brandA, brandC, stranger, pointsAddr } = await loadFixture(pointsFixture);
      await expect(points.connect(brandA).deposit(0n)).to.be.revertedWithCustomError(points, "ZeroAmount");
      await expect(points.connect(brandC).deposit(1n))
        .to.be.revertedWithCustomError(points, "BrandNotAdmitted")
        .withArgs(brandC.address);
      await expect(points.connect(stranger).deposit(1n))
        .to.be.revertedWithCustomError(points, "BrandNotAdmitted")
        .withArgs(stranger.address);
      await usd.connect(brandA).approve(pointsAddr, 5n);
      await expect(points.connect(brandA).deposit(6n))
        .to.be.revertedWithCustomError(usd, "ERC20InsufficientAllowance")
        .withArgs(pointsAddr, 5n, 6n);
      await points.pause();
      await expect(points.connect(brandA).deposit(1n)).to.be.revertedWithCustomError(points, "EnforcedPause");
    });

    it("deposit refuses a fee-on-transfer settlement asset", async () => {
      const { gov, brandA } = await loadFixture(pointsFixture);
      const fee = (await ethers.deployContract("FeeOnTransferToken")) as unknown as FeeOnTransferToken;
      const c = (await ethers.deployContract("CoalitionPoints", [
        await fee.getAddress(),
        UNIT,
        gov.address,
      ])) as unknown as CoalitionPoints;
      await c.admitBrand(brandA.address);
      await fee.mint(brandA.address, 10_000n);
      await fee.connect(brandA).approve(await c.getAddress(), 10_000n);
      await expect(c.connect(brandA).deposit(10_000n))
        .to.be.revertedWithCustomError(c, "UnsupportedSettlementTransfer")
        .withArgs(10_000n, 9_900n);
      expect(await c.brandBalance(brandA.address)).to.equal(0n);
    });

    it("deposit reverts when the asset re-enters to move funds during the pull", async () => {
      const { gov, brandA, stranger } = await loadFixture(pointsFixture);
      const token = await ethers.deployContract("ReentrantToken");
      const c = (await ethers.deployContract("CoalitionPoints", [
        await token.getAddress(),
        UNIT,
        gov.address,
      ])) as unknown as CoalitionPoints;
      const cAddr = await c.getAddress();
      const tokenAddr = await token.getAddress();
      // the token is itself an admitted brand with a balance, so that its callbacks are authorised
      await c.admitBrand(tokenAddr);
      await c.admitBrand(brandA.address);
      await token.mint(tokenAddr, 10_000n);
      await token.execute(tokenAddr, token.interface.encodeFunctionData("approve", [cAddr, 10_000n]));
      await token.execute(cAddr, c.interface.encodeFunctionData("deposit", [5_000n]));
      await token.mint(brandA.address, 10_000n);
      await token.connect(brandA).approve(cAddr, 10_000n);

      await token.arm(tokenAddr, token.interface.encodeFunctionData("execute", [
        cAddr,
        c.interface.encodeFunctionData("withdraw", [1_000n, stranger.address]),
      ]));
      await expect(c.connect(brandA).deposit(2_000n))
        .to.be.revertedWithCustomError(c, "UnsupportedSettlementTransfer")
        .withArgs(2_000n, 1_000n);
      await token.arm(tokenAddr, token.interface.encodeFunctionData("execute", [
        cAddr,
        c.interface.encodeFunctionData("deposit", [300n]),
      ]));
      await expect(c.connect(brandA).deposit(2_000n))
        .to.be.revertedWithCustomError(c, "UnsupportedSettlementTransfer")
        .withArgs(2_000n, 2_300n);
      expect(await c.brandBalance(brandA.address)).to.equal(0n);
      expect(await c.brandBalance(tokenAddr)).to.equal(5_000n);
      expect(await token.balanceOf(cAddr)).to.equal(5_000n);
    });

    it("withdraw pays out of the brand balance, also for a suspended brand", async () => {
      const { points, usd, brandA, brandC, stranger, pointsAddr } = await loadFixture(pointsFixture);
      await expect(points.connect(brandA).withdraw(1_000n, stranger.address))
        .to.emit(points, "Withdrawn")
        .withArgs(brandA.address, stranger.address, 1_000n);
      expect(await usd.balanceOf(stranger.address)).to.equal(1_000n);
      expect(await points.brandBalance(brandA.address)).to.equal(DEPOSIT - 1_000n);
      await expect(points.connect(brandC).withdraw(DEPOSIT, brandC.address))
        .to.emit(points, "Withdrawn")
        .withArgs(brandC.address, brandC.address, DEPOSIT);
      expect(await points.brandBalance(brandC.address)).to.equal(0n);
      expect(await usd.balanceOf(pointsAddr)).to.equal(DEPOSIT * 2n - 1_000n);
    });

    it("withdraw refuses a zero recipient, zero amount, more than the balance and non-brands", async () => {
      const { points, brandA, opA, stranger } = await loadFixture(pointsFixture);
      await expect(points.connect(brandA).withdraw(1n, ZERO)).to.be.revertedWithCustomError(points, "ZeroAddress");
      await expect(points.connect(brandA).withdraw(0n, brandA.address)).to.be.revertedWithCustomError(
        points,
        "ZeroAmount",
      );
      await expect(points.connect(brandA).withdraw(DEPOSIT + 1n, brandA.address))
        .to.be.revertedWithCustomError(points, "InsufficientBrandBalance")
        .withArgs(brandA.address, DEPOSIT, DEPOSIT + 1n);
      await expect(points.connect(opA).withdraw(1n, opA.address))
        .to.be.revertedWithCustomError(points, "NotBrand")
        .withArgs(opA.address);
      await expect(points.connect(stranger).withdraw(1n, stranger.address))
        .to.be.revertedWithCustomError(points, "NotBrand")
        .withArgs(stranger.address);
    });
  });

  describe("operators", () => {
    it("setOperator proposes, acceptOperator takes the role, setOperator(false) removes it", async () => {
      const { points, brandA, brandB, stranger } = await loadFixture(pointsFixture);
      await expect(points.connect(brandA).setOperator(stranger.address, true))
        .to.emit(points, "OperatorProposed")
        .withArgs(brandA.address, stranger.address);
      // proposing again is accepted and logged again
      await expect(points.connect(brandA).setOperator(stranger.address, true))
        .to.emit(points, "OperatorProposed")
        .withArgs(brandA.address, stranger.address);
      await expect(points.connect(stranger).acceptOperator(brandA.address))
        .to.emit(points, "OperatorSet")
        .withArgs(brandA.address, stranger.address, true);
      expect(await points.isOperator(brandA.address, stranger.address)).to.equal(true);
      expect(await points.isOperator(brandB.address, stranger.address)).to.equal(false);
      expect(await points.operatorBrand(stranger.address)).to.equal(brandA.address);
      await expect(points.connect(brandA).setOperator(stranger.address, true))
        .to.be.revertedWithCustomError(points, "OperatorAlreadySet")
        .withArgs(brandA.address, stranger.address);
      await expect(points.connect(stranger).acceptOperator(brandA.address))
        .to.be.revertedWithCustomError(points, "OperatorNotProposed")
        .withArgs(brandA.address, stranger.address);
      await expect(points.connect(brandA).setOperator(stranger.address, false))
        .to.emit(points, "OperatorSet")
        .withArgs(brandA.address, stranger.address, false);
      expect(await points.isOperator(brandA.address, stranger.address)).to.equal(false);
      expect(await points.operatorBrand(stranger.address)).to.equal(ZERO);
      expect(await points.isOperator(ZERO, stranger.address)).to.equal(false);
      await expect(points.connect(stranger).renounceOperator(ZERO))
        .to.be.revertedWithCustomError(points, "OperatorNotSet")
        .withArgs(ZERO, stranger.address);
    });

    it("an operator serves one brand: another brand can neither add nor remove it", async () => {
      const { points, brandA, brandB, opA } = await loadFixture(pointsFixture);
      await expect(points.connect(brandB).setOperator(opA.address, true))
        .to.be.revertedWithCustomError(points, "OperatorOfAnotherBrand")
        .withArgs(opA.address, brandA.address);
      await expect(points.connect(brandB).setOperator(opA.address, false))
        .to.be.revertedWithCustomError(points, "OperatorOfAnotherBrand")
        .withArgs(opA.address, brandA.address);
      expect(await points.isOperator(brandA.address, opA.address)).to.equal(true);
    });

    it("refuses removing an unknown key, naming a brand or zero, and callers that are not brands", async () => {
      const { points, brandA, brandB, opA, stranger } = await loadFixture(pointsFixture);
      await expect(points.connect(brandA).setOperator(stranger.address, false))
        .to.be.revertedWithCustomError(points, "OperatorNotSet")
        .withArgs(brandA.address, stranger.address);
      await expect(points.connect(brandA).setOperator(brandB.address, true))
        .to.be.revertedWithCustomError(points, "OperatorIsBrand")
        .withArgs(brandB.address);
      await expect(points.connect(brandA).setOperator(ZERO, true)).to.be.revertedWithCustomError(points, "ZeroAddress");
      await expect(points.connect(opA).setOperator(stranger.address, true))
        .to.be.revertedWithCustomError(points, "NotBrand")
        .withArgs(opA.address);
    });

    it("a suspended brand manages its operators, also while paused", async () => {
      const { points, brandC, stranger } = await loadFixture(pointsFixture);
      await points.pause();
      await expect(points.connect(brandC).setOperator(stranger.address, true))
        .to.emit(points, "OperatorProposed")
        .withArgs(brandC.address, stranger.address);
      await expect(points.connect(stranger).acceptOperator(brandC.address))
        .to.emit(points, "OperatorSet")
        .withArgs(brandC.address, stranger.address, true);
      await expect(points.connect(brandC).setOperator(stranger.address, false))
        .to.emit(points, "OperatorSet")
        .withArgs(brandC.address, stranger.address, false);
      await points.connect(brandC).setOperator(stranger.address, true);
      await points.connect(stranger).acceptOperator(brandC.address);
      await expect(points.connect(stranger).renounceOperator(brandC.address))
        .to.emit(points, "OperatorSet")
        .withArgs(brandC.address, stranger.address, false);
    });
  });

  describe("issue", () => {
    it("by the brand: mints, debits the brand into the reserve, records the receipt and activity", async () => {
      const { points, usd, brandA, customer, pointsAddr } = await loadFixture(pointsFixture);
      const tx = points.connect(brandA).issue(brandA.address, customer.address, 250n, R1);
      await expect(tx).to.emit(points, "PointsIssued").withArgs(brandA.address, customer.address, 250n, R1);
      await expect(tx).to.emit(points, "Transfer").withArgs(ZERO, customer.address, 250n);
      const t = await now();
      expect(await points.balanceOf(customer.address)).to.equal(250n);
      expect(await points.totalSupply()).to.equal(250n);
      expect(await points.reserve()).to.equal(250n * UNIT);
      expect(await points.brandBalance(brandA.address)).to.equal(DEPOSIT - 250n * UNIT);
      expect(await points.lastActivity(customer.address)).to.equal(t);
      expect(await points.lifetimeEarned(customer.address)).to.equal(250n);
      expect(await points.receiptOf(brandA.address, R1)).to.deep.equal([customer.address, 250n]);
      expect(await usd.balanceOf(pointsAddr)).to.equal(DEPOSIT * 3n);
    });

    it("by an operator, for its brand", async () => {
      const { points, brandA, opA, customer } = await loadFixture(pointsFixture);
      await expect(points.connect(opA).issue(brandA.address, customer.address, 5n, R1))
        .to.emit(points, "PointsIssued")
        .withArgs(brandA.address, customer.address, 5n, R1);
      await points.connect(opA).issue(brandA.address, customer.address, 7n, R2);
      expect(await points.balanceOf(customer.address)).to.equal(12n);
      expect(await points.lifetimeEarned(customer.address)).to.equal(12n);
      expect(await points.brandBalance(brandA.address)).to.equal(DEPOSIT - 12n * UNIT);
    });

    it("accepts a receipt id once per brand, whoever presents it", async () => {
      const { points, brandA, opA, customer, customer2 } = await loadFixture(pointsFixture);
      await points.connect(brandA).issue(brandA.address, customer.address, 1n, R1);
      await expect(points.connect(brandA).issue(brandA.address, customer2.address, 1n, R1))
        .to.be.revertedWithCustomError(points, "ReceiptUsed")
        .withArgs(brandA.address, R1);
      await expect(points.connect(opA).issue(brandA.address, customer.address, 1n, R1))
        .to.be.revertedWithCustomError(points, "ReceiptUsed")
        .withArgs(brandA.address, R1);
    });

    it("refuses a zero customer, zero or too many points and an unfunded issuance", async () => {
      const { points, brandA, customer } = await loadFixture(pointsFixture);
      await expect(points.connect(brandA).issue(brandA.address, ZERO, 1n, R1))
        .to.be.revertedWithCustomError(points, "ERC20InvalidReceiver")
        .withArgs(ZERO);
      await expect(points.connect(brandA).issue(brandA.address, customer.address, 0n, R1))
        .to.be.revertedWithCustomError(points, "InvalidPoints")
        .withArgs(0n);
      await expect(points.connect(brandA).issue(brandA.address, customer.address, MAX_POINTS + 1n, R1))
        .to.be.revertedWithCustomError(points, "InvalidPoints")
        .withArgs(MAX_POINTS + 1n);
      const affordable = DEPOSIT / UNIT;
      await expect(points.connect(brandA).issue(brandA.address, customer.address, affordable + 1n, R1))
        .to.be.revertedWithCustomError(points, "InsufficientBrandBalance")
        .withArgs(brandA.address, DEPOSIT, (affordable + 1n) * UNIT);
      await points.connect(brandA).issue(brandA.address, customer.address, affordable, R1);
      expect(await points.brandBalance(brandA.address)).to.equal(0n);
    });

    it("refuses to grow the supply beyond MAX_POINTS", async () => {
      const { gov, brandA, customer, customer2 } = await loadFixture(pointsFixture);
      const usd = (await ethers.deployContract("MockStablecoin")) as unknown as MockStablecoin;
      const c = (await ethers.deployContract("CoalitionPoints", [
        await usd.getAddress(),
        1n,
        gov.address,
      ])) as unknown as CoalitionPoints;
      await c.admitBrand(brandA.address);
      await usd.mint(brandA.address, MAX_POINTS * 2n);
      await usd.connect(brandA).approve(await c.getAddress(), MAX_POINTS * 2n);
      await c.connect(brandA).deposit(MAX_POINTS * 2n);
      await c.connect(brandA).issue(brandA.address, customer.address, MAX_POINTS - 1n, R1);
      await expect(c.connect(brandA).issue(brandA.address, customer2.address, 2n, R2))
        .to.be.revertedWithCustomError(c, "SupplyCapExceeded")
        .withArgs(MAX_POINTS - 1n, 2n);
      await expect(
        c.connect(brandA).issueBatch(brandA.address, [customer2.address, customer.address], [1n, 1n], [R2, R3]),
      )
        .to.be.revertedWithCustomError(c, "SupplyCapExceeded")
        .withArgs(MAX_POINTS - 1n, 2n);
      await c.connect(brandA).issue(brandA.address, customer2.address, 1n, R2);
      expect(await c.totalSupply()).to.equal(MAX_POINTS);
      expect(await c.reserve()).to.equal(MAX_POINTS);
    });

    it("refuses while paused and for a suspended brand", async () => {
      const { points, brandA, brandC, customer } = await loadFixture(pointsFixture);
      await expect(points.connect(brandC).issue(brandC.address, customer.address, 1n, R1))
        .to.be.revertedWithCustomError(points, "BrandNotAdmitted")
        .withArgs(brandC.address);
      await points.pause();
      await expect(points.connect(brandA).issue(brandA.address, customer.address, 1n, R1)).to.be.revertedWithCustomError(
        points,
        "EnforcedPause",
      );
    });
  });

  describe("issueBatch", () => {
    it("issues every entry, emits per entry and debits the brand once for the total", async () => {
      const { points, brandA, opA, customer, customer2 } = await loadFixture(pointsFixture);
      const tx = points
        .connect(opA)
        .issueBatch(brandA.address, [customer.address, customer2.address, customer.address], [10n, 20n, 30n], [R1, R2, R3]);
      await expect(tx).to.emit(points, "PointsIssued").withArgs(brandA.address, customer.address, 10n, R1);
      await expect(tx).to.emit(points, "PointsIssued").withArgs(brandA.address, customer2.address, 20n, R2);
      await expect(tx).to.emit(points, "PointsIssued").withArgs(brandA.address, customer.address, 30n, R3);
      await expect(tx).to.emit(points, "Transfer").withArgs(ZERO, customer2.address, 20n);
      expect(await points.balanceOf(customer.address)).to.equal(40n);
      expect(await points.balanceOf(customer2.address)).to.equal(20n);
      expect(await points.lifetimeEarned(customer.address)).to.equal(40n);
      expect(await points.totalSupply()).to.equal(60n);
      expect(await points.brandBalance(brandA.address)).to.equal(DEPOSIT - 60n * UNIT);
      expect(await points.receiptOf(brandA.address, R3)).to.deep.equal([customer.address, 30n]);
      expect(await points.receiptOf(brandA.address, R2)).to.deep.equal([customer2.address, 20n]);
    });

    it("refuses an empty batch and arrays of different lengths", async () => {
      const { points, brandA, customer } = await loadFixture(pointsFixture);
      await expect(points.connect(brandA).issueBatch(brandA.address, [], [], [])).to.be.revertedWithCustomError(
        points,
        "EmptyBatch",
      );
      await expect(points.connect(brandA).issueBatch(brandA.address, [customer.address], [1n, 2n], [R1]))
        .to.be.revertedWithCustomError(points, "BatchLengthMismatch")
        .withArgs(1n, 2n, 1n);
      await expect(points.connect(brandA).issueBatch(brandA.address, [customer.address], [1n], [R1, R2]))
        .to.be.revertedWithCustomError(points, "BatchLengthMismatch")
        .withArgs(1n, 1n, 2n);
    });

    it("reverts whole with the index of the first bad entry", async () => {
      const { points, brandA, customer, customer2 } = await loadFixture(pointsFixture);
      const c = customer.address;
      const batch = (cs: string[], ps: bigint[], rs: string[]) => points.connect(brandA).issueBatch(brandA.address, cs, ps, rs);
      await expect(batch([c, ZERO, c], [1n, 1n, 1n], [R1, R2, R3]))
        .to.be.revertedWithCustomError(points, "BatchInvalidCustomer")
        .withArgs(1n);
      await expect(batch([c, c, c], [1n, 1n, 0n], [R1, R2, R3]))
        .to.be.revertedWithCustomError(points, "BatchInvalidPoints")
        .withArgs(2n, 0n);
      await expect(batch([c, c], [MAX_POINTS + 1n, 1n], [R1, R2]))
        .to.be.revertedWithCustomError(points, "BatchInvalidPoints")
        .withArgs(0n, MAX_POINTS + 1n);
      await expect(batch([c, customer2.address, c], [1n, 1n, 1n], [R1, R2, R1]))
        .to.be.revertedWithCustomError(points, "BatchReceiptUsed")
        .withArgs(2n, R1);
      await points.connect(brandA).issue(brandA.address, c, 1n, R2);
      await expect(batch([c, c], [1n, 1n], [R1, R2]))
        .to.be.revertedWithCustomError(points, "BatchReceiptUsed")
        .withArgs(1n, R2);
      // nothing of the failed batches was kept
      expect(await points.receiptOf(brandA.address, R1)).to.deep.equal([ZERO, 0n]);
      expect(await points.balanceOf(c)).to.equal(1n);
      expect(await points.totalSupply()).to.equal(1n);
    });

    it("refuses a batch the brand cannot fund, while paused, for a suspended brand and for strangers", async () => {
      const { points, brandA, brandC, stranger, customer } = await loadFixture(pointsFixture);
      const half = DEPOSIT / UNIT / 2n;
      await expect(
        points.connect(brandA).issueBatch(brandA.address, [customer.address, customer.address], [half, half + 1n], [R1, R2]),
      )
        .to.be.revertedWithCustomError(points, "InsufficientBrandBalance")
        .withArgs(brandA.address, DEPOSIT, (2n * half + 1n) * UNIT);
      await expect(points.connect(brandC).issueBatch(brandC.address, [customer.address], [1n], [R1]))
        .to.be.revertedWithCustomError(points, "BrandNotAdmitted")
        .withArgs(brandC.address);
      await expect(points.connect(stranger).issueBatch(brandA.address, [customer.address], [1n], [R1]))
        .to.be.revertedWithCustomError(points, "NotBrandOrOperator")
        .withArgs(brandA.address, stranger.address);
      await points.pause();
      await expect(
        points.connect(brandA).issueBatch(brandA.address, [customer.address], [1n], [R1]),
      ).to.be.revertedWithCustomError(points, "EnforcedPause");
    });
  });

  describe("reverse", () => {
    async function issued() {
      const f = await loadFixture(pointsFixture);
      await f.points.connect(f.opA).issue(f.brandA.address, f.customer.address, 100n, R1);
      return f;
    }

    it("claws back part of a receipt and returns the backing to the issuing brand", async () => {
      const { points, brandA, customer } = await issued();
      const activity = await points.lastActivity(customer.address);
      await time.increase(100);
      const tx = points.connect(brandA).reverse(R1, customer.address, 40n);
      await expect(tx).to.emit(points, "PointsReversed").withArgs(brandA.address, customer.address, 40n, R1);
      await expect(tx).to.emit(points, "Transfer").withArgs(customer.address, ZERO, 40n);
      expect(await points.balanceOf(customer.address)).to.equal(60n);
      expect(await points.lifetimeEarned(customer.address)).to.equal(60n);
      expect(await points.lastActivity(customer.address)).to.equal(activity);
      expect(await points.totalSupply()).to.equal(60n);
      expect(await points.brandBalance(brandA.address)).to.equal(DEPOSIT - 60n * UNIT);
      expect(await points.receiptOf(brandA.address, R1)).to.deep.equal([customer.address, 60n]);
    });

    it("by an operator, at most what the receipt still holds; a reversed receipt stays used", async () => {
      const { points, brandA, opA, customer } = await issued();
      await points.connect(opA).reverse(R1, customer.address, 70n);
      await expect(points.connect(opA).reverse(R1, customer.address, 31n))
        .to.be.revertedWithCustomError(points, "ReversalExceedsReceipt")
        .withArgs(R1, 30n, 31n);
      await expect(points.connect(opA).reverse(R1, customer.address, 30n))
        .to.emit(points, "PointsReversed")
        .withArgs(brandA.address, customer.address, 30n, R1);
      expect(await points.receiptOf(brandA.address, R1)).to.deep.equal([customer.address, 0n]);
      await expect(points.connect(opA).reverse(R1, customer.address, 1n))
        .to.be.revertedWithCustomError(points, "ReversalExceedsReceipt")
        .withArgs(R1, 0n, 1n);
      await expect(points.connect(opA).issue(brandA.address, customer.address, 1n, R1))
        .to.be.revertedWithCustomError(points, "ReceiptUsed")
        .withArgs(brandA.address, R1);
      expect(await points.brandBalance(brandA.address)).to.equal(DEPOSIT);
      expect(await points.lifetimeEarned(customer.address)).to.equal(0n);
    });

    it("only from what the customer still holds", async () => {
      const { points, brandA, brandB, customer } = await issued();
      await points.connect(customer).redeem(brandB.address, 80n, ORDER);
      await expect(points.connect(brandA).reverse(R1, customer.address, 50n))
        .to.be.revertedWithCustomError(points, "ERC20InsufficientBalance")
        .withArgs(customer.address, 20n, 50n);
      await points.connect(brandA).reverse(R1, customer.address, 20n);
      expect(await points.balanceOf(customer.address)).to.equal(0n);
    });

    it("refuses an unknown receipt, another customer, another brand and zero or too many points", async () => {
      const { points, brandA, brandB, opB, customer, customer2 } = await issued();
      await expect(points.connect(brandA).reverse(R2, customer.address, 1n))
        .to.be.revertedWithCustomError(points, "UnknownReceipt")
        .withArgs(brandA.address, R2);
      await expect(points.connect(brandA).reverse(R1, customer2.address, 1n))
        .to.be.revertedWithCustomError(points, "ReceiptMismatch")
        .withArgs(R1);
      await expect(points.connect(brandB).reverse(R1, customer.address, 1n))
        .to.be.revertedWithCustomError(points, "UnknownReceipt")
        .withArgs(brandB.address, R1);
      await expect(points.connect(opB).reverse(R1, customer.address, 1n))
        .to.be.revertedWithCustomError(points, "UnknownReceipt")
        .withArgs(brandB.address, R1);
      await expect(points.connect(brandA).reverse(R1, customer.address, 0n))
        .to.be.revertedWithCustomError(points, "InvalidPoints")
        .withArgs(0n);
      await expect(points.connect(brandA).reverse(R1, customer.address, MAX_POINTS + 1n))
        .to.be.revertedWithCustomError(points, "InvalidPoints")
        .withArgs(MAX_POINTS + 1n);
    });

    it("a suspended brand and its operator still reverse; strangers cannot; not while paused", async () => {
      const { points, brandA, opA, stranger, customer } = await issued();
      await points.suspendBrand(brandA.address);
      await expect(points.connect(brandA).reverse(R1, customer.address, 1n))
        .to.emit(points, "PointsReversed")
        .withArgs(brandA.address, customer.address, 1n, R1);
      await expect(points.connect(opA).reverse(R1, customer.address, 2n))
        .to.emit(points, "PointsReversed")
        .withArgs(brandA.address, customer.address, 2n, R1);
      await expect(points.connect(stranger).reverse(R1, customer.address, 1n))
        .to.be.revertedWithCustomError(points, "NotBrandOrOperator")
        .withArgs(ZERO, stranger.address);
      await points.pause();
      await expect(points.connect(brandA).reverse(R1, customer.address, 1n)).to.be.revertedWithCustomError(
        points,
        "EnforcedPause",
      );
    });
  });

  describe("redeem", () => {
    async function issued() {
      const f = await loadFixture(pointsFixture);
      await f.points.connect(f.brandA).issue(f.brandA.address, f.customer.address, 100n, R1);
      return f;
    }

    it("burns at another admitted brand and credits it at once; counts as activity", async () => {
      const { points, brandA, brandB, customer } = await issued();
      await time.increase(1000);
      const tx = points.connect(customer).redeem(brandB.address, 30n, ORDER);
      await expect(tx).to.emit(points, "PointsRedeemed").withArgs(customer.address, brandB.address, 30n, ORDER);
      await expect(tx).to.emit(points, "Transfer").withArgs(customer.address, ZERO, 30n);
      expect(await points.lastActivity(customer.address)).to.equal(await now());
      expect(await points.balanceOf(customer.address)).to.equal(70n);
      expect(await points.lifetimeEarned(customer.address)).to.equal(100n);
      expect(await points.totalSupply()).to.equal(70n);
      expect(await points.reserve()).to.equal(70n * UNIT);
      expect(await points.brandBalance(brandB.address)).to.equal(DEPOSIT + 30n * UNIT);
      expect(await points.brandBalance(brandA.address)).to.equal(DEPOSIT - 100n * UNIT);
    });

    it("points of a suspended issuer stay valid at other brands", async () => {
      const { points, brandA, brandB, customer } = await issued();
      await points.suspendBrand(brandA.address);
      await expect(points.connect(customer).redeem(brandB.address, 100n, ORDER))
        .to.emit(points, "PointsRedeemed")
        .withArgs(customer.address, brandB.address, 100n, ORDER);
    });

    it("refuses non-admitted brands, more than the balance, zero points and while paused", async () => {
      const { points, brandA, brandC, stranger, customer } = await issued();
      await expect(points.connect(customer).redeem(brandC.address, 1n, ORDER))
        .to.be.revertedWithCustomError(points, "BrandNotAdmitted")
        .withArgs(brandC.address);
      await expect(points.connect(customer).redeem(stranger.address, 1n, ORDER))
        .to.be.revertedWithCustomError(points, "BrandNotAdmitted")
        .withArgs(stranger.address);
      await expect(points.connect(customer).redeem(brandA.address, 101n, ORDER))
        .to.be.revertedWithCustomError(points, "ERC20InsufficientBalance")
        .withArgs(customer.address, 100n, 101n);
      await expect(points.connect(customer).redeem(brandA.address, 0n, ORDER))
        .to.be.revertedWithCustomError(points, "InvalidPoints")
        .withArgs(0n);
      await expect(points.connect(customer).redeem(brandA.address, MAX_POINTS + 1n, ORDER))
        .to.be.revertedWithCustomError(points, "InvalidPoints")
        .withArgs(MAX_POINTS + 1n);
      await points.pause();
      await expect(points.connect(customer).redeem(brandA.address, 1n, ORDER)).to.be.revertedWithCustomError(
        points,
        "EnforcedPause",
      );
    });
  });

  describe("redeemBySig", () => {
    async function issued() {
      const f = await loadFixture(pointsFixture);
      await f.points.connect(f.brandA).issue(f.brandA.address, f.customer.address, 100n, R1);
      const deadline = (await now()) + 3600n;
      const msg = {
        customer: f.customer.address,
        brand: f.brandB.address,
        points: 40n,
        orderRef: ORDER,
        nonce: 0n,
        deadline,
      };
      return { ...f, msg };
    }

    it("accepts a signature made with ethers, submitted by anyone, and uses the nonce", async () => {
      const { points, brandB, customer, stranger, msg } = await issued();
      const sig = await signRedeemEthers(points, customer, msg);
      const tx = points
        .connect(stranger)
        .redeemBySig(msg.customer, msg.brand, msg.points, msg.orderRef, msg.deadline, sig);
      await expect(tx).to.emit(points, "PointsRedeemed").withArgs(customer.address, brandB.address, 40n, ORDER);
      await expect(tx).to.emit(points, "Transfer").withArgs(customer.address, ZERO, 40n);
      expect(await points.nonces(customer.address)).to.equal(1n);
      expect(await points.balanceOf(customer.address)).to.equal(60n);
      expect(await points.brandBalance(brandB.address)).to.equal(DEPOSIT + 40n * UNIT);
      expect(await points.lastActivity(customer.address)).to.equal(await now());
      // a replay is signed over a used nonce
      await expect(
        points.connect(stranger).redeemBySig(msg.customer, msg.brand, msg.points, msg.orderRef, msg.deadline, sig),
      ).to.be.revertedWithCustomError(points, "InvalidSignature");
    });

    it("accepts a signature made with viem (identical to ethers') and the next nonce", async () => {
      const { points, customer, stranger, msg } = await issued();
      const viemSig = await signRedeemViem(points, 7, msg);
      expect(viemSig).to.equal(await signRedeemEthers(points, customer, msg));
      await points.connect(stranger).redeemBySig(msg.customer, msg.brand, msg.points, msg.orderRef, msg.deadline, viemSig);
      const next = { ...msg, points: 60n, nonce: 1n };
      const sig2 = await signRedeemViem(points, 7, next);
      await expect(
        points.connect(stranger).redeemBySig(next.customer, next.brand, next.points, next.orderRef, next.deadline, sig2),
      )
        .to.emit(points, "PointsRedeemed")
        .withArgs(customer.address, next.brand, 60n, ORDER);
      expect(await points.nonces(customer.address)).to.equal(2n);
      expect(await points.balanceOf(customer.address)).to.equal(0n);
    });

    it("accepts a signature valid until the deadline second, refuses it after", async () => {
      const { points, customer, stranger, msg } = await issued();
      const sig = await signRedeemEthers(points, customer, msg);
      await time.setNextBlockTimestamp(msg.deadline + 1n);
      await expect(
        points.connect(stranger).redeemBySig(msg.customer, msg.brand, msg.points, msg.orderRef, msg.deadline, sig),
      )
        .to.be.revertedWithCustomError(points, "SignatureExpired")
        .withArgs(msg.deadline);
      const late = { ...msg, deadline: msg.deadline + 10n };
      const sig2 = await signRedeemEthers(points, customer, late);
      await time.setNextBlockTimestamp(late.deadline);
      await expect(
        points.connect(stranger).redeemBySig(late.customer, late.brand, late.points, late.orderRef, late.deadline, sig2),
      ).to.emit(points, "PointsRedeemed");
    });

    it("refuses another signer, altered terms, a malformed signature and the high-s form", async () => {
      const { points, customer, customer2, stranger, msg } = await issued();
      const args = (m: typeof msg, sig: string) =>
        points.connect(stranger).redeemBySig(m.customer, m.brand, m.points, m.orderRef, m.deadline, sig);
      await expect(args(msg, await signRedeemEthers(points, customer2, msg))).to.be.revertedWithCustomError(
        points,
        "InvalidSignature",
      );
      const sig = await signRedeemEthers(points, customer, msg);
      await expect(args({ ...msg, points: 41n }, sig)).to.be.revertedWithCustomError(points, "InvalidSignature");
      await expect(args(msg, sig.slice(0, 130))).to.be.revertedWithCustomError(points, "InvalidSignature");
      await expect(args(msg, toHighS(sig))).to.be.revertedWithCustomError(points, "SignatureHighS");
      await expect(args(msg, sig)).to.emit(points, "PointsRedeemed");
    });

    it("refuses while paused, at a non-admitted brand and beyond the balance, keeping the nonce", async () => {
      const { points, brandC, customer, stranger, msg } = await issued();
      const atC = { ...msg, brand: brandC.address };
      await expect(
        points
          .connect(stranger)
          .redeemBySig(atC.customer, atC.brand, atC.points, atC.orderRef, atC.deadline, await signRedeemEthers(points, customer, atC)),
      )
        .to.be.revertedWithCustomError(points, "BrandNotAdmitted")
        .withArgs(brandC.address);
      const tooMuch = { ...msg, points: 101n };
      await expect(
        points
          .connect(stranger)
          .redeemBySig(
            tooMuch.customer,
            tooMuch.brand,
            tooMuch.points,
            tooMuch.orderRef,
            tooMuch.deadline,
            await signRedeemEthers(points, customer, tooMuch),
          ),
      )
        .to.be.revertedWithCustomError(points, "ERC20InsufficientBalance")
        .withArgs(customer.address, 100n, 101n);
      await points.pause();
      const sig = await signRedeemEthers(points, customer, msg);
      await expect(
        points.connect(stranger).redeemBySig(msg.customer, msg.brand, msg.points, msg.orderRef, msg.deadline, sig),
      ).to.be.revertedWithCustomError(points, "EnforcedPause");
      expect(await points.nonces(customer.address)).to.equal(0n);
    });

    it("accepts an ERC-1271 wallet's signature and refuses one its owner did not make", async () => {
      const { points, brandA, brandB, customer, customer2, stranger } = await loadFixture(pointsFixture);
      const wallet = (await ethers.deployContract("MockERC1271Wallet", [customer.address])) as unknown as MockERC1271Wallet;
      const w = await wallet.getAddress();
      await points.connect(brandA).issue(brandA.address, w, 50n, R1);
      const msg = { customer: w, brand: brandB.address, points: 20n, orderRef: ORDER, nonce: 0n, deadline: (await now()) + 60n };
      const bad = await signRedeemEthers(points, customer2, msg);
      await expect(
        points.connect(stranger).redeemBySig(w, msg.brand, msg.points, msg.orderRef, msg.deadline, bad),
      ).to.be.revertedWithCustomError(points, "InvalidSignature");
      const good = await signRedeemViem(points, 7, msg);
      await expect(points.connect(stranger).redeemBySig(w, msg.brand, msg.points, msg.orderRef, msg.deadline, good))
        .to.emit(points, "PointsRedeemed")
        .withArgs(w, brandB.address, 20n, ORDER);
      expect(await points.nonces(w)).to.equal(1n);
      // the wallet can also redeem directly
      await wallet
        .connect(customer)
        .execute(await points.getAddress(), points.interface.encodeFunctionData("redeem", [brandB.address, 30n, ORDER]));
      expect(await points.balanceOf(w)).to.equal(0n);
    });
  });

  describe("expire", () => {
    const PERIOD = 30n * 86_400n;

    /** PERIOD in force (set, then its notice waited out), then 100 points issued and the treasury set. */
    async function issued() {
      const f = await loadFixture(pointsFixture);
      await f.points.setExpiryPeriod(PERIOD);
      await time.increase(NOTICE);
      await f.points.connect(f.brandA).issue(f.brandA.address, f.customer.address, 100n, R1);
      await f.points.setTreasury(f.treasury.address);
      return f;
    }

    it("refuses while expiry is disabled, for an empty balance and before the period has passed", async () => {
      const f = await loadFixture(pointsFixture);
      await f.points.connect(f.brandA).issue(f.brandA.address, f.customer.address, 100n, R1);
      await time.increase(365n * DAY);
      await expect(f.points.expire(f.customer.address)).to.be.revertedWithCustomError(f.points, "ExpiryDisabled");
      const { points, customer, customer2 } = await issued();
      await expect(points.expire(customer2.address))
        .to.be.revertedWithCustomError(points, "NothingToExpire")
        .withArgs(customer2.address);
      const last = await points.lastActivity(customer.address);
      await time.setNextBlockTimestamp(last + PERIOD);
      await expect(points.expire(customer.address))
        .to.be.revertedWithCustomError(points, "NotYetExpirable")
        .withArgs(customer.address, last + PERIOD);
    });

    it("burns an inactive balance and sends its backing to the treasury, whoever calls", async () => {
      const { points, usd, brandA, customer, stranger, treasury, pointsAddr } = await issued();
      const last = await points.lastActivity(customer.address);
      await time.setNextBlockTimestamp(last + PERIOD + 1n);
      const tx = points.connect(stranger).expire(customer.address);
      await expect(tx).to.emit(points, "PointsExpired").withArgs(customer.address, 100n);
      await expect(tx).to.emit(points, "Transfer").withArgs(customer.address, ZERO, 100n);
      await expect(tx).to.changeTokenBalances(usd, [treasury, pointsAddr], [100n * UNIT, -100n * UNIT]);
      expect(await points.balanceOf(customer.address)).to.equal(0n);
      expect(await points.totalSupply()).to.equal(0n);
      expect(await points.lifetimeEarned(customer.address)).to.equal(100n);
      expect(await points.brandBalance(brandA.address)).to.equal(DEPOSIT - 100n * UNIT);
      expect(await usd.balanceOf(pointsAddr)).to.equal(DEPOSIT * 3n - 100n * UNIT);
      await expect(points.expire(customer.address))
        .to.be.revertedWithCustomError(points, "NothingToExpire")
        .withArgs(customer.address);
    });

    it("earning, redeeming and receiving a transfer restart the clock; a reversal does not", async () => {
      const { points, brandA, brandB, customer, customer2 } = await issued();
      await time.increase(PERIOD - 10n);
      await points.connect(customer).redeem(brandB.address, 1n, ORDER);
      const afterRedeem = await now();
      await time.increase(PERIOD - 10n);
      await expect(points.expire(customer.address))
        .to.be.revertedWithCustomError(points, "NotYetExpirable")
        .withArgs(customer.address, afterRedeem + PERIOD);
      await points.connect(brandA).issue(brandA.address, customer.address, 1n, R2);
      const afterEarn = await now();
      await time.increase(PERIOD - 10n);
      await points.connect(brandA).reverse(R2, customer.address, 1n);
      expect(await points.lastActivity(customer.address)).to.equal(afterEarn);
      await points.setTransfersEnabled(true);
      await points.connect(customer).transfer(customer2.address, 9n);
      const received = await now();
      expect(await points.lastActivity(customer2.address)).to.equal(received);
      expect(await points.lastActivity(customer.address)).to.equal(afterEarn); // sending is not activity
      await time.increase(20n);
      await expect(points.expire(customer.address)).to.emit(points, "PointsExpired").withArgs(customer.address, 90n);
      await expect(points.expire(customer2.address))
        .to.be.revertedWithCustomError(points, "NotYetExpirable")
        .withArgs(customer2.address, received + PERIOD);
    });

    it("refuses while paused", async () => {
      const { points, customer } = await issued();
      await time.increase(PERIOD + 1n);
      await points.pause();
      await expect(points.expire(customer.address)).to.be.revertedWithCustomError(points, "EnforcedPause");
    });
  });

  describe("ERC-20 transfers and allowances", () => {
    async function issued() {
      const f = await loadFixture(pointsFixture);
      await f.points.connect(f.brandA).issue(f.brandA.address, f.customer.address, 100n, R1);
      return f;
    }

    it("refuses transfer and transferFrom while transfers are disabled; approve still works", async () => {
      const { points, customer, customer2 } = await issued();
      await expect(points.connect(customer).transfer(customer2.address, 1n)).to.be.revertedWithCustomError(
        points,
        "TransfersDisabled",
      );
      await expect(points.connect(customer).approve(customer2.address, 5n))
        .to.emit(points, "Approval")
        .withArgs(customer.address, customer2.address, 5n);
      await expect(
        points.connect(customer2).transferFrom(customer.address, customer2.address, 1n),
      ).to.be.revertedWithCustomError(points, "TransfersDisabled");
      expect(await points.allowance(customer.address, customer2.address)).to.equal(5n);
    });

    it("transfer moves points when enabled; supply and reserve are unchanged", async () => {
      const { points, customer, customer2 } = await issued();
      await points.setTransfersEnabled(true);
      await expect(points.connect(customer).transfer(customer2.address, 30n))
        .to.emit(points, "Transfer")
        .withArgs(customer.address, customer2.address, 30n);
      expect(await points.balanceOf(customer.address)).to.equal(70n);
      expect(await points.balanceOf(customer2.address)).to.equal(30n);
      expect(await points.lifetimeEarned(customer2.address)).to.equal(0n);
      expect(await points.totalSupply()).to.equal(100n);
      await expect(points.connect(customer).transfer(customer.address, 70n))
        .to.emit(points, "Transfer")
        .withArgs(customer.address, customer.address, 70n);
      expect(await points.balanceOf(customer.address)).to.equal(70n);
      await expect(points.connect(customer2).transfer(customer.address, 0n))
        .to.emit(points, "Transfer")
        .withArgs(customer2.address, customer.address, 0n);
    });

    it("transfer refuses more than the balance, the zero receiver and a pause", async () => {
      const { points, customer, customer2 } = await issued();
      await points.setTransfersEnabled(true);
      await expect(points.connect(customer).transfer(customer2.address, 101n))
        .to.be.revertedWithCustomError(points, "ERC20InsufficientBalance")
        .withArgs(customer.address, 100n, 101n);
      await expect(points.connect(customer).transfer(ZERO, 1n))
        .to.be.revertedWithCustomError(points, "ERC20InvalidReceiver")
        .withArgs(ZERO);
      await points.pause();
      await expect(points.connect(customer).transfer(customer2.address, 1n)).to.be.revertedWithCustomError(
        points,
        "EnforcedPause",
      );
      await expect(points.connect(customer).approve(customer2.address, 1n)).to.emit(points, "Approval");
    });

    it("transferFrom spends a finite allowance and leaves an unlimited one", async () => {
      const { points, customer, customer2, stranger } = await issued();
      await points.setTransfersEnabled(true);
      await points.connect(customer).approve(stranger.address, 10n);
      await expect(points.connect(stranger).transferFrom(customer.address, customer2.address, 4n))
        .to.emit(points, "Transfer")
        .withArgs(customer.address, customer2.address, 4n);
      expect(await points.allowance(customer.address, stranger.address)).to.equal(6n);
      await expect(points.connect(stranger).transferFrom(customer.address, customer2.address, 7n))
        .to.be.revertedWithCustomError(points, "ERC20InsufficientAllowance")
        .withArgs(stranger.address, 6n, 7n);
      await points.connect(customer).approve(stranger.address, ethers.MaxUint256);
      await points.connect(stranger).transferFrom(customer.address, customer2.address, 50n);
      expect(await points.allowance(customer.address, stranger.address)).to.equal(ethers.MaxUint256);
      expect(await points.balanceOf(customer.address)).to.equal(46n);
      expect(await points.balanceOf(customer2.address)).to.equal(54n);
      await points.connect(customer).approve(stranger.address, 1000n);
      await expect(points.connect(stranger).transferFrom(customer.address, customer2.address, 47n))
        .to.be.revertedWithCustomError(points, "ERC20InsufficientBalance")
        .withArgs(customer.address, 46n, 47n);
    });

    it("refuses the zero spender and the zero sender", async () => {
      const { points, customer, stranger } = await issued();
      await points.setTransfersEnabled(true);
      await expect(points.connect(customer).approve(ZERO, 1n))
        .to.be.revertedWithCustomError(points, "ERC20InvalidSpender")
        .withArgs(ZERO);
      await expect(points.connect(stranger).transferFrom(ZERO, customer.address, 0n))
        .to.be.revertedWithCustomError(points, "ERC20InvalidSender")
        .withArgs(ZERO);
    });
  });
});
