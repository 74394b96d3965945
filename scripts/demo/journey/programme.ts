import crypto from "node:crypto";
import { keccak256, toHex } from "viem";
import { coalitionPointsAbi } from "../../../client/abis";
import { testAccount } from "../../lib/localChain";
import { brandBalance, pointsOf, usd } from "../coalition";
import { postDeviceEvent } from "../relayClient";
import { waitFor } from "../wait";
import type { Journey } from "./context";
import { confirmed } from "./operations";

const eventId = (tag: string) => `${tag}-${crypto.randomUUID()}`;
const WINDOW_SECONDS = 4;
/** The coalition's charity: an admitted brand that never issues and only receives points. */
export const CHARITY_INDEX = 12;

/**
 * Step: the programme. Governance sets tiers; Maison Lumière runs a denim campaign with a return window;
 * a purchase shows as pending and a second one is returned inside the window without any transaction;
 * the first is issued when the window closes, with its campaign bonus, and lifts the customer's tier;
 * Café Lune pays a reward for a consent; the customer donates points to the coalition's charity.
 */
export async function stepProgramme(j: Journey): Promise<void> {
  const f = j.brands.fashion;
  const till = f.devices["lumiere-till-1"]!;
  const { deployment, governance } = j.coalition;
  const brandApi = <T>(method: "GET" | "POST", path: string, body?: unknown, apiKey = f.relay.apiKey) => j.relay.request<T>({ method, path: `/v1/brand${path}`, bearer: apiKey, body });

  // Tiers: the next threshold sits just above what the customer has earned so far.
  const before = await j.relay.getPoints({ address: j.customer.address });
  const silver = before.lifetimeEarned + 500n;
  await j.log.record(`setTiers([${silver}])`, await governance.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "setTiers", args: [[silver]] }), "governance");
  const tierBefore = (await j.relay.getPoints({ address: j.customer.address })).tier;
  j.say.fact("tier", `${tierBefore} (lifetime earned ${before.lifetimeEarned}; tier 1 from ${silver})`);

  await brandApi("POST", "/programme", { returnWindowSeconds: WINDOW_SECONDS });
  const now = Date.now();
  await brandApi("POST", "/campaigns", { name: "denim-week", multiplier: "2", productCodes: ["JEANS"], startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 7 * 86_400_000).toISOString() });
  j.say.say(`${f.name} sets a ${WINDOW_SECONDS}-second return window and a campaign "denim-week": double points on JEANS`);
  const basket = { amount: "79.00", items: [{ productCode: "JEANS", amount: "79.00" }] };
  const q = await j.relay.quote({ brand: f.address, ...basket });
  j.say.say(`quote for jeans 79.00: ${q.points} points (${q.issuances.map((i) => `${i.reason}${i.campaign ? ` ${i.campaign}` : ""} ${i.points}`).join(" + ")}), nothing recorded`);

  const opsBefore = (await j.relay.getPoints({ address: j.customer.address })).balance;
  const buy = await postDeviceEvent(j.host.url, till, { eventId: eventId("purchase"), kind: "purchase", customer: { wallet: j.customer.address }, receipt: `T2-${now}`, ...basket });
  j.say.say(`till -> purchase of jeans 79.00 -> 202, ${buy.points} points pending until ${buy.pendingUntil} (no operation)`);
  const belt = await postDeviceEvent(j.host.url, till, { eventId: eventId("purchase"), kind: "purchase", customer: { wallet: j.customer.address }, receipt: `T3-${now}`, amount: "25.00" });
  const pendingView = await j.relay.getPoints({ address: j.customer.address });
  j.say.fact("pending", `${pendingView.pending} points (${pendingView.history.filter((h) => h.pending).map((h) => `${h.reason}${h.campaign ? ` ${h.campaign}` : ""} ${h.points}`).join(", ")})`);
  j.say.check(`the purchases show at once as pending (${BigInt(buy.points!) + BigInt(belt.points!)} points), with no transaction`, pendingView.pending === BigInt(buy.points!) + BigInt(belt.points!) && buy.operationId === undefined);
  j.say.check(`the quote matched the purchase: ${q.points} points`, BigInt(buy.points!) === q.points);
  const back = await postDeviceEvent(j.host.url, till, { eventId: eventId("return"), kind: "return", customer: { wallet: j.customer.address }, receipt: `T3-${now}`, amount: "25.00" });
  j.say.say(`till -> return of the belt inside the window -> 202, ${back.cancelled} pending points cancelled, operation ${back.operationId ?? "none"}`);
  j.say.check("the return inside the window cancelled the pending points without any transaction", back.cancelled === belt.points && back.operationId === undefined);

  const expected = opsBefore + BigInt(buy.points!);
  await waitFor(async () => (await pointsOf(j.chain, deployment, j.customer.address)) === expected, "the window to close and the issue to land", 30_000);
  const onChain = await pointsOf(j.chain, deployment, j.customer.address);
  j.say.check(`when the window closed, ${buy.points} points were issued on chain (base and campaign, two receipts); the belt's never were`, onChain === expected);
  await waitFor(async () => (await j.relay.getPoints({ address: j.customer.address })).balance === onChain, "the relay to index the issue");
  const view = await j.relay.getPoints({ address: j.customer.address });
  const campaign = view.history.find((h) => h.reason === "campaign" && h.campaign === "denim-week" && !h.pending);
  j.say.check(`the history shows the campaign bonus with its reason ("campaign", denim-week, ${campaign?.points ?? 0n} points)`, campaign !== undefined && campaign.points > 0n);
  const tierOnChain = await j.chain.client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "tierOf", args: [j.customer.address] });
  j.say.check(`tier ${tierBefore} -> ${view.tier}: lifetime earned ${view.lifetimeEarned} reached ${silver} (tierOf on chain: ${tierOnChain})`, tierBefore === 0 && view.tier === 1 && tierOnChain === 1);
  const programme = await brandApi<{ windowSavings: { reversalsAvoided: number; issuesAvoided: number; gasSaved: string } }>("GET", "/programme");
  j.say.fact("window savings", `${programme.windowSavings.issuesAvoided} issue and ${programme.windowSavings.reversalsAvoided} reversal kept off the chain, about ${Number(programme.windowSavings.gasSaved).toLocaleString("en-US")} gas`);
  j.figures.windowGasSaved = programme.windowSavings.gasSaved;

  // A reward for consent: Café Lune offers 200 points for the shopping list.
  const c = j.brands.cafe;
  await brandApi("POST", "/rewards", { purpose: "shopping-list", points: "200" }, c.relay.apiKey);
  const offered = (await j.relay.getBrands()).find((b) => b.address === c.address.toLowerCase())?.purposes.find((p) => p.name === "shopping-list")?.reward;
  j.say.say(`${c.name} attaches a reward to shopping-list: the directory shows ${offered} points beside the purpose`);
  const pointsBeforeReward = await pointsOf(j.chain, deployment, j.customer.address);
  const notice = c.notices["shopping-list"]!;
  const { operation } = await j.relay.grant({ signer: j.customer, controller: c.address, purpose: "shopping-list", categories: ["preferences"], noticeHash: notice.hash });
  j.say.tx((await confirmed(j, operation.operationId, "grantBySig (shopping-list, Café Lune)")).tx);
  await waitFor(async () => (await pointsOf(j.chain, deployment, j.customer.address)) === pointsBeforeReward + 200n, "the consent reward", 30_000);
  await waitFor(async () => (await j.relay.getPoints({ address: j.customer.address })).history.some((h) => h.reason === "consent-reward" && !h.pending), "the relay to index the reward");
  j.say.check("the grant on chain earned the reward once, from Café Lune's backing (reason consent-reward, 200 points)", (await pointsOf(j.chain, deployment, j.customer.address)) === pointsBeforeReward + 200n);

  // The charity: admitted, never issues; a redemption there is a donation, credited at once.
  const charity = testAccount(CHARITY_INDEX).address;
  await j.log.record("admitBrand(charity)", await governance.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "admitBrand", args: [charity] }), "governance");
  const gift = 100n;
  const charityBefore = await brandBalance(j.chain, deployment, charity);
  const { operation: donation } = await j.relay.redeem({ signer: j.customer, brand: charity, points: gift, orderRef: keccak256(toHex(`donation-${crypto.randomUUID()}`)) });
  j.say.tx((await confirmed(j, donation.operationId, "redeemBySig at the charity (a donation)")).tx);
  const charityAfter = await brandBalance(j.chain, deployment, charity);
  j.say.check(`the donation of ${gift} points credited the charity ${usd(charityAfter - charityBefore)} at once`, charityAfter - charityBefore === gift * BigInt(deployment.unitValue));
  j.figures.donated = gift.toString();
}
