/**
 * Gas of every CoalitionPoints action on the in-process Hardhat network, plus the plain OpenZeppelin ERC-20
 * baseline measured in the same run. Used by `npm run gas` (scripts/gas.ts).
 */
import hre from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import type { GasRow, GasSection } from "./report";
import { pointsTypes } from "../../client/typedData";

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("measured transaction failed");
  return receipt.gasUsed;
}

// Deterministic fresh addresses and deadline, so that calldata (and the figures) are the same on every run.
let holderNo = 0;
const freshAddresses = (n: number): string[] =>
  Array.from({ length: n }, () => hre.ethers.getAddress(hre.ethers.id(`gas-holder-${holderNo++}`).slice(0, 42)));
const DEADLINE = 4_000_000_000n;

export async function measurePoints(): Promise<GasSection[]> {
  const { ethers } = hre;
  holderNo = 0;
  const [gov, brand, other, operator, customer, customer2] = await ethers.getSigners();
  const unit = 10_000n;
  const usd = await ethers.deployContract("MockStablecoin");
  const points = await ethers.deployContract("CoalitionPoints", [await usd.getAddress(), unit, gov.address]);
  const pointsAddr = await points.getAddress();
  for (const b of [brand, other]) {
    await (await points.connect(gov).admitBrand(b.address)).wait();
    await (await usd.mint(b.address, 10n ** 15n)).wait();
    await (await usd.connect(b).approve(pointsAddr, ethers.MaxUint256)).wait();
  }
  const proposed = await gasOf(points.connect(brand).setOperator(operator.address, true));
  const accepted = await gasOf(points.connect(operator).acceptOperator(brand.address));
  let receiptNo = 0;
  const nextReceipt = () => ethers.id(`gas-receipt-${receiptNo++}`);
  const batch = (customers: string[], each: bigint) =>
    points.connect(operator).issueBatch(brand.address, customers, Array(customers.length).fill(each), customers.map(nextReceipt));

  // Steady state: the contract already holds the asset and points are in circulation, so no measured action pays
  // for the very first write of a contract-wide slot (asset balance of the contract, total supply).
  await (await points.connect(other).deposit(10n ** 13n)).wait();
  await (await points.connect(other).issue(other.address, gov.address, 1n, nextReceipt())).wait();

  const rows: GasRow[] = [];
  rows.push({
    action: "setOperator (a brand proposes a key)",
    gas: proposed,
    note: "proposal slot (brand, key) 0 -> 1; reads the key's brand and status",
  });
  rows.push({
    action: "acceptOperator (the key takes the role)",
    gas: accepted,
    note: "proposal slot 1 -> 0 (refund); operator slot 0 -> brand",
  });
  rows.push({
    action: "deposit",
    gas: await gasOf(points.connect(brand).deposit(10n ** 13n)),
    note: "brand slot; asset pulled with transferFrom; received amount checked with two balanceOf calls",
  });

  rows.push({
    action: "issue to a new customer",
    gas: await gasOf(points.connect(brand).issue(brand.address, customer.address, 100n, nextReceipt())),
    note: "new receipt slot; new account slot (balance, activity, lifetime); brand slot; packed config/supply slot",
  });
  rows.push({
    action: "issue to an existing customer",
    gas: await gasOf(points.connect(brand).issue(brand.address, customer.address, 100n, nextReceipt())),
    note: "new receipt slot; account, brand and supply slots updated",
  });
  rows.push({
    action: "issue to an existing customer, by an operator",
    gas: await gasOf(points.connect(operator).issue(brand.address, customer.address, 100n, nextReceipt())),
    note: "as above plus one operator lookup",
  });
  const sixteen = Array.from({ length: 16 }, (_, i) => BigInt(1_000 * (i + 1)));
  rows.push({
    action: "setTiers (16 thresholds, none set before)",
    gas: await gasOf(points.connect(gov).setTiers(sixteen)),
    note: "length slot + 16 threshold slots 0 -> x; the list in the event",
  });
  rows.push({
    action: "setTiers (3 thresholds, replacing 16)",
    gas: await gasOf(points.connect(gov).setTiers([500n, 2_000n, 10_000n])),
    note: "length slot; 3 slots rewritten, 13 cleared (refunds)",
  });
  rows.push({
    action: "issue to an existing customer, with tiers set",
    gas: await gasOf(points.connect(brand).issue(brand.address, customer.address, 100n, nextReceipt())),
    note: "as without tiers: the tier is derived from lifetime earned by the tierOf view",
  });
  await (await points.connect(gov).setTiers([])).wait();

  for (const n of [10, 100]) {
    for (const kind of ["new", "existing"] as const) {
      const customers = freshAddresses(n);
      if (kind === "existing") await (await batch(customers, 1n)).wait();
      const gas = await gasOf(batch(customers, 10n));
      rows.push({
        action: `issueBatch of ${n}, ${kind} customers: per entry (total ${gas.toLocaleString("en-US")})`,
        gas: gas / BigInt(n),
        note:
          kind === "new"
            ? "per entry: new receipt slot + new account slot; brand and supply slots written once per batch"
            : "per entry: new receipt slot + account slot update; brand and supply slots once per batch",
      });
    }
  }

  rows.push({
    action: "redeem (part of a balance)",
    gas: await gasOf(points.connect(customer).redeem(other.address, 50n, ethers.id("order-1"))),
    note: "account slot; redeeming brand's slot (its redemptions flag rides in it); supply slot",
  });
  rows.push({
    action: "setAcceptsRedemptions (a brand stops accepting)",
    gas: await gasOf(points.connect(brand).setAcceptsRedemptions(false)),
    note: "brand slot (flag beside status and balance)",
  });
  await (await points.connect(brand).setAcceptsRedemptions(true)).wait();

  const { chainId } = await ethers.provider.getNetwork();
  const msg = {
    customer: customer.address,
    brand: other.address,
    points: 50n,
    orderRef: ethers.id("order-2"),
    nonce: await points.nonces(customer.address),
    deadline: DEADLINE,
  };
  const sig = await customer.signTypedData(
    { name: "Confiance CoalitionPoints", version: "1", chainId, verifyingContract: pointsAddr },
    { Redeem: [...pointsTypes.Redeem] },
    msg,
  );
  rows.push({
    action: "redeemBySig, the customer's first (EOA signature, relayed)",
    gas: await gasOf(
      points.connect(gov).redeemBySig(msg.customer, msg.brand, msg.points, msg.orderRef, msg.deadline, sig),
    ),
    note: "as redeem, plus the nonce slot 0 -> 1, ecrecover and the signature in calldata",
  });
  const msg2 = { ...msg, orderRef: ethers.id("order-3"), nonce: msg.nonce + 1n };
  const sig2 = await customer.signTypedData(
    { name: "Confiance CoalitionPoints", version: "1", chainId, verifyingContract: pointsAddr },
    { Redeem: [...pointsTypes.Redeem] },
    msg2,
  );
  rows.push({
    action: "redeemBySig, a later one",
    gas: await gasOf(
      points.connect(gov).redeemBySig(msg2.customer, msg2.brand, msg2.points, msg2.orderRef, msg2.deadline, sig2),
    ),
    note: "as redeem, plus a nonce slot update, ecrecover and the signature in calldata",
  });
  rows.push({
    action: "useNonce (the customer cancels a signed Redeem)",
    gas: await gasOf(points.connect(customer).useNonce()),
    note: "nonce slot x -> x + 1",
  });

  const reversible = nextReceipt();
  await (await points.connect(brand).issue(brand.address, customer2.address, 100n, reversible)).wait();
  rows.push({
    action: "reverse (part of a receipt)",
    gas: await gasOf(points.connect(operator).reverse(reversible, customer2.address, 40n)),
    note: "receipt slot; account slot; brand slot; supply slot",
  });

  // 30 days, the shortest period, applies 30 days after it is set; then 30 days of inactivity
  await (await points.connect(gov).setExpiryPeriod(30 * 86_400)).wait();
  await hre.network.provider.send("evm_increaseTime", [61 * 86_400]);
  await (await points.connect(gov).expire(gov.address)).wait(); // the treasury now holds some of the asset
  rows.push({
    action: "expire (whole balance to the treasury)",
    gas: await gasOf(points.connect(gov).expire(customer.address)),
    note: "account slot (balance to 0, time and lifetime kept); supply slot; treasury slot (holds a pending expiry period too); asset transfer to the treasury",
  });
  await (await points.connect(gov).setExpiryPeriod(0)).wait();

  await (await points.connect(gov).setTransfersEnabled(true)).wait();
  rows.push({
    action: "transfer to a new holder (when enabled)",
    gas: await gasOf(points.connect(customer2).transfer(freshAddresses(1)[0], 5n)),
    note: "two account slots (the recipient's activity time rides in its slot)",
  });
  rows.push({
    action: "transfer to an existing holder (when enabled)",
    gas: await gasOf(points.connect(customer2).transfer(customer.address, 5n)),
    note: "two account slots",
  });

  rows.push({
    action: "withdraw",
    gas: await gasOf(points.connect(brand).withdraw(1_000_000n, brand.address)),
    note: "brand slot; asset transfer out",
  });

  // Baseline: a plain OpenZeppelin ERC-20 with the same kinds of calls.
  const plain = await ethers.deployContract("PlainERC20");
  const baseline: GasRow[] = [];
  await (await plain.mint(gov.address, 1n)).wait(); // supply slot non-zero, as in a live token
  baseline.push({
    action: "mint to a new holder",
    gas: await gasOf(plain.mint(customer.address, 1_000n)),
    note: "balance slot 0 -> x; totalSupply slot",
  });
  baseline.push({
    action: "mint to an existing holder",
    gas: await gasOf(plain.mint(customer.address, 1_000n)),
    note: "balance slot; totalSupply slot",
  });
  baseline.push({
    action: "transfer to a new holder",
    gas: await gasOf(plain.connect(customer).transfer(freshAddresses(1)[0], 10n)),
    note: "two balance slots, one of them 0 -> x",
  });
  baseline.push({
    action: "transfer to an existing holder",
    gas: await gasOf(plain.connect(customer).transfer(gov.address, 10n)),
    note: "two balance slots",
  });

  return [
    { name: "points", rows },
    { name: "baseline", rows: baseline },
  ];
}
