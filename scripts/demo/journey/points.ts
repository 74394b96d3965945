import crypto from "node:crypto";
import { keccak256, toHex, type Address } from "viem";
import { brandBalance, pointsOf, reserveOf, usd } from "../coalition";
import { postDeviceEvent } from "../relayClient";
import { waitFor } from "../wait";
import type { Journey } from "./context";
import { confirmed } from "./operations";

const eventId = (tag: string) => `${tag}-${crypto.randomUUID()}`;

/** Waits until the relay's index holds the customer's on-chain balance (staff screens read it). */
export async function indexedBalance(j: Journey, customer: Address): Promise<bigint> {
  const onChain = await pointsOf(j.chain, j.coalition.deployment, customer);
  await waitFor(async () => {
    const { balance } = await j.relay.getPoints({ address: customer });
    return balance === onChain;
  }, "the relay to index the points balance");
  return onChain;
}

/** Step 5: a purchase issues points on chain; a returned item reverses its share. */
export async function stepPurchaseAndReturn(j: Journey): Promise<void> {
  const f = j.brands.fashion;
  const till = f.devices["lumiere-till-1"]!;
  const { deployment } = j.coalition;
  const receipt = `T1-${Date.now()}`;
  const brandBefore = await brandBalance(j.chain, deployment, f.address);

  const buy = await postDeviceEvent(j.host.url, till, { eventId: eventId("purchase"), kind: "purchase", customer: { wallet: j.customer.address }, receipt, amount: "114.40" });
  j.say.say(`till -> purchase, receipt ${receipt}: jeans 89.90 + scarf 24.50 = 114.40 -> 202, ${buy.points} points, operation ${buy.operationId}`);
  j.say.fact("receipt id on chain", `${buy.receiptId} (salted hash: the receipt itself never leaves the relay)`);
  const issued = await confirmed(j, buy.operationId!, "issue via the relay (brand operator)");
  j.say.tx(issued.tx);
  const afterIssue = await pointsOf(j.chain, deployment, j.customer.address);
  const brandAfterIssue = await brandBalance(j.chain, deployment, f.address);
  j.say.fact("customer points", `${afterIssue}`);
  j.say.fact(`${f.name} balance`, `${usd(brandBefore)} -> ${usd(brandAfterIssue)} (backing moved into the reserve)`);
  j.say.check(`${buy.points} points issued on chain`, afterIssue === BigInt(buy.points!));

  const back = await postDeviceEvent(j.host.url, till, { eventId: eventId("return"), kind: "return", customer: { wallet: j.customer.address }, receipt, amount: "24.50" });
  j.say.say(`till -> return of the scarf (24.50) on receipt ${receipt} -> 202, reverse ${back.points} points, operation ${back.operationId}`);
  const reversed = await confirmed(j, back.operationId!, "reverse via the relay (brand operator)");
  j.say.tx(reversed.tx);
  const afterReturn = await pointsOf(j.chain, deployment, j.customer.address);
  const brandAfterReturn = await brandBalance(j.chain, deployment, f.address);
  j.say.fact("customer points", `${afterIssue} -> ${afterReturn}`);
  j.say.fact(`${f.name} balance`, `${usd(brandAfterIssue)} -> ${usd(brandAfterReturn)} (backing of the reversed points returned)`);
  j.say.check(`reversal landed: ${back.points} points taken back`, afterReturn === afterIssue - BigInt(back.points!));
  j.figures.issued = buy.points!;
  j.figures.reversed = back.points!;
  await indexedBalance(j, j.customer.address);
}

/** Step 6: the customer spends points at the partner hotel; the hotel's balance is credited in the same transaction. */
export async function stepRedeemAtHotel(j: Journey): Promise<void> {
  const h = j.brands.hotel;
  const { deployment } = j.coalition;
  const unit = BigInt(deployment.unitValue);
  const spend = 500n;
  const hotelBefore = await brandBalance(j.chain, deployment, h.address);
  const pointsBefore = await pointsOf(j.chain, deployment, j.customer.address);
  const orderRef = keccak256(toHex(`azur-booking-${crypto.randomUUID()}`));
  const { operation: a } = await j.relay.redeem({ signer: j.customer, brand: h.address, points: spend, orderRef });
  j.say.say(`signed Redeem(${spend} points at ${h.name}, order ${orderRef.slice(0, 10)}…) -> relay: 202, operation ${a.operationId}`);
  const { tx } = await confirmed(j, a.operationId, "redeemBySig via the relay");
  j.say.tx(tx);
  const hotelAfter = await brandBalance(j.chain, deployment, h.address);
  const pointsAfter = await pointsOf(j.chain, deployment, j.customer.address);
  j.say.fact("customer points", `${pointsBefore} -> ${pointsAfter}`);
  j.say.fact(`${h.name} balance`, `${usd(hotelBefore)} -> ${usd(hotelAfter)}`);
  const reserve = await reserveOf(j.chain, deployment);
  j.say.fact("reserve", `${usd(reserve)} backing every point in circulation`);
  j.say.check(`the hotel was credited ${usd(spend * unit)} in the redemption's own transaction`, hotelAfter - hotelBefore === spend * unit);
  j.figures.redeemed = spend.toString();
  await indexedBalance(j, j.customer.address);
}
