import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ADMIN_ROLE, DEPOSIT, id, pointsFixture } from "./helpers/points";
import type { CoalitionPoints } from "../../typechain-types";

/**
 * Access-control matrix: every privileged function, called by every role that must not call it, reverts
 * with the expected custom error and arguments. Brand A (with operator opA) owns the receipt and the funds
 * under attack; the roles are a customer, another brand (B), B's operator, a suspended brand (C), an operator
 * A removed, and a stranger. Governance functions are also refused to brand A and its operator.
 */

const { ethers } = hre;
const ZERO = ethers.ZeroAddress;
const RECEIPT = id("receipt-of-A");
const NEW_RECEIPT = id("new-receipt");

type Fixture = Awaited<ReturnType<typeof pointsFixture>>;
type Role = "customer" | "brandB" | "opB" | "brandC" | "removedOp" | "stranger" | "brandA" | "opA";
const OUTSIDERS: Role[] = ["customer", "brandB", "opB", "brandC", "removedOp", "stranger"];

interface Expected {
  error: string;
  args: (f: Fixture, caller: HardhatEthersSigner) => unknown[];
}

interface Case {
  fn: string;
  roles: Role[];
  call: (p: CoalitionPoints, f: Fixture) => Promise<unknown>;
  expected: (role: Role) => Expected;
}

async function fixture() {
  const f = await pointsFixture();
  await f.points.connect(f.opA).issue(f.brandA.address, f.customer.address, 100n, RECEIPT);
  await f.points.connect(f.customer).approve(f.customer2.address, 1n); // someone else holds an allowance
  await f.points.connect(f.brandA).setOperator(f.customer2.address, true); // a pending proposal of brand A
  return f;
}

const unauthorizedGov: Expected = {
  error: "AccessControlUnauthorizedAccount",
  args: (_f, caller) => [caller.address, ADMIN_ROLE],
};
const notIssuerOfA: Expected = {
  error: "NotBrandOrOperator",
  args: (f, caller) => [f.brandA.address, caller.address],
};
const noBrand: Expected = { error: "NotBrandOrOperator", args: (_f, caller) => [ZERO, caller.address] };
/** The receipt is looked up among the caller's brand's receipts, where it does not exist. */
const unknownAt = (brand: "brandB" | "brandC"): Expected => ({
  error: "UnknownReceipt",
  args: (f) => [f[brand].address, RECEIPT],
});
const notBrand: Expected = { error: "NotBrand", args: (_f, caller) => [caller.address] };
const notAdmitted: Expected = { error: "BrandNotAdmitted", args: (_f, caller) => [caller.address] };

const governanceCalls: Pick<Case, "fn" | "call">[] = [
  { fn: "admitBrand", call: (p, f) => p.admitBrand(f.stranger.address) },
  { fn: "suspendBrand", call: (p, f) => p.suspendBrand(f.brandA.address) },
  { fn: "setTransfersEnabled", call: (p) => p.setTransfersEnabled(true) },
  { fn: "setExpiryPeriod", call: (p) => p.setExpiryPeriod(30 * 86_400) },
  { fn: "setTiers", call: (p) => p.setTiers([1n]) },
  { fn: "setTreasury", call: (p, f) => p.setTreasury(f.stranger.address) },
  { fn: "pause", call: (p) => p.pause() },
  { fn: "unpause", call: (p) => p.unpause() },
  { fn: "grantRole", call: (p, f) => p.grantRole(ADMIN_ROLE, f.stranger.address) },
  { fn: "revokeRole", call: (p, f) => p.revokeRole(ADMIN_ROLE, f.gov.address) },
];
const governance: Case[] = governanceCalls.map((c) => ({
  ...c,
  roles: [...OUTSIDERS, "brandA", "opA"],
  expected: () => unauthorizedGov,
}));

const brandActions: Case[] = [
  {
    fn: "issue for brand A",
    roles: OUTSIDERS,
    call: (p, f) => p.issue(f.brandA.address, f.customer.address, 1n, NEW_RECEIPT),
    expected: () => notIssuerOfA,
  },
  {
    fn: "issueBatch for brand A",
    roles: OUTSIDERS,
    call: (p, f) => p.issueBatch(f.brandA.address, [f.customer.address], [1n], [NEW_RECEIPT]),
    expected: () => notIssuerOfA,
  },
  {
    fn: "issue for the caller's own suspended brand",
    roles: ["brandC"],
    call: (p, f) => p.issue(f.brandC.address, f.customer.address, 1n, NEW_RECEIPT),
    expected: () => notAdmitted,
  },
  {
    fn: "reverse a receipt of brand A",
    roles: OUTSIDERS,
    call: (p, f) => p.reverse(RECEIPT, f.customer.address, 1n),
    expected: (role) =>
      role === "brandB" || role === "opB" ? unknownAt("brandB") : role === "brandC" ? unknownAt("brandC") : noBrand,
  },
  {
    fn: "withdraw more than the caller's own balance",
    roles: OUTSIDERS,
    call: (p, f) => p.withdraw(DEPOSIT + 1n, f.stranger.address),
    expected: (role) =>
      role === "brandB" || role === "brandC"
        ? {
            error: "InsufficientBrandBalance",
            args: (_f, caller) => [caller.address, DEPOSIT, DEPOSIT + 1n],
          }
        : notBrand,
  },
  {
    fn: "withdraw (operator of brand A)",
    roles: ["opA"],
    call: (p, f) => p.withdraw(1n, f.opA.address),
    expected: () => notBrand,
  },
  {
    fn: "deposit",
    roles: ["customer", "opB", "brandC", "removedOp", "stranger", "opA"],
    call: (p) => p.deposit(1n),
    expected: () => notAdmitted,
  },
  {
    fn: "setOperator removing brand A's operator",
    roles: OUTSIDERS,
    call: (p, f) => p.setOperator(f.opA.address, false),
    expected: (role) =>
      role === "brandB" || role === "brandC"
        ? { error: "OperatorOfAnotherBrand", args: (f) => [f.opA.address, f.brandA.address] }
        : notBrand,
  },
  {
    fn: "setOperator adding a key (operator of brand A)",
    roles: ["opA"],
    call: (p, f) => p.setOperator(f.stranger.address, true),
    expected: () => notBrand,
  },
  {
    fn: "setOperator withdrawing brand A's proposal",
    roles: OUTSIDERS,
    call: (p, f) => p.setOperator(f.customer2.address, false),
    expected: (role) =>
      role === "brandB" || role === "brandC"
        ? { error: "OperatorNotSet", args: (f, caller) => [caller.address, f.customer2.address] }
        : notBrand,
  },
  {
    fn: "acceptOperator taking brand A's proposal made to another key",
    roles: [...OUTSIDERS, "opA"],
    call: (p, f) => p.acceptOperator(f.brandA.address),
    expected: () => ({ error: "OperatorNotProposed", args: (f, caller) => [f.brandA.address, caller.address] }),
  },
  {
    fn: "renounceOperator for brand A",
    roles: [...OUTSIDERS, "brandA"],
    call: (p, f) => p.renounceOperator(f.brandA.address),
    expected: () => ({ error: "OperatorNotSet", args: (f, caller) => [f.brandA.address, caller.address] }),
  },
  {
    fn: "setAcceptsRedemptions",
    roles: ["customer", "opB", "removedOp", "stranger", "opA"],
    call: (p) => p.setAcceptsRedemptions(false),
    expected: () => notBrand,
  },
  {
    fn: "transferFrom the customer without allowance",
    roles: OUTSIDERS.filter((r) => r !== "customer"),
    call: (p, f) => p.transferFrom(f.customer.address, f.stranger.address, 1n),
    expected: () => ({ error: "ERC20InsufficientAllowance", args: (_f, caller) => [caller.address, 0n, 1n] }),
  },
];

describe("CoalitionPoints access control", () => {
  for (const c of [...governance, ...brandActions]) {
    describe(c.fn, () => {
      for (const role of c.roles) {
        const exp = c.expected(role);
        it(`${role} -> ${exp.error}`, async () => {
          const f = await loadFixture(fixture);
          if (c.fn.startsWith("transferFrom")) await f.points.setTransfersEnabled(true);
          const caller = f[role];
          const tx = c.call(f.points.connect(caller), f);
          await expect(tx)
            .to.be.revertedWithCustomError(f.points, exp.error)
            .withArgs(...exp.args(f, caller));
        });
      }
    });
  }

  it("nothing an outsider tried moved points or funds or changed another party's settings", async () => {
    const f = await loadFixture(fixture);
    for (const c of [...governance, ...brandActions]) {
      for (const role of c.roles) await c.call(f.points.connect(f[role]), f).catch(() => undefined);
    }
    // useNonce is open to anyone and consumes only the caller's own nonce
    for (const role of OUTSIDERS.filter((r) => r !== "customer")) await f.points.connect(f[role]).useNonce();
    expect(await f.points.balanceOf(f.customer.address)).to.equal(100n);
    expect(await f.points.nonces(f.customer.address)).to.equal(0n);
    expect(await f.points.brandBalance(f.brandA.address)).to.equal(DEPOSIT - 100n * 10_000n);
    expect(await f.points.isOperator(f.brandA.address, f.opA.address)).to.equal(true);
    expect(await f.points.isOperatorProposed(f.brandA.address, f.customer2.address)).to.equal(true);
    expect(await f.points.acceptsRedemptions(f.brandA.address)).to.equal(true);
    expect(await f.points.tiers()).to.deep.equal([]);
    expect(await f.points.expiryPeriod()).to.equal(0n);
    expect(await f.points.pendingExpiryPeriod()).to.deep.equal([0n, 0n]);
    expect(await f.points.paused()).to.equal(false);
    expect(await f.points.hasRole(ADMIN_ROLE, f.stranger.address)).to.equal(false);
  });
});
