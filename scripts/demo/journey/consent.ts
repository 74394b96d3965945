import crypto from "node:crypto";
import type { Address, Hex } from "viem";
import { consentLedgerAbi } from "../../../client/abis";
import { purposeId } from "../../../client/purposes";
import { short } from "../print";
import { postDeviceEvent } from "../relayClient";
import { waitFor } from "../wait";
import type { Journey } from "./context";
import { confirmed } from "./operations";
import { addressNeedle, droppedCounters, findEverywhere } from "./privacy";

const eventId = (tag: string) => `${tag}-${crypto.randomUUID()}`;

async function isGranted(j: Journey, subject: Address, controller: Address, purpose: string): Promise<boolean> {
  return j.chain.client.readContract({ address: j.coalition.deployment.ledger, abi: consentLedgerAbi, functionName: "isGranted", args: [subject, controller, purposeId(purpose) as Hex] });
}

/** Waits until the relay's index shows the consent in the given state (the gate reads the index). */
async function indexedConsent(j: Journey, controller: Address, purpose: string, active: boolean): Promise<void> {
  await waitFor(async () => {
    const { consents } = await j.relay.getConsents({ address: j.customer.address });
    const c = consents.find((x) => x.controller === controller.toLowerCase() && x.purpose === purposeId(purpose));
    return (c?.active ?? false) === active;
  }, `the relay to index ${purpose} as ${active ? "active" : "inactive"}`);
}

/** Step 2: the customer's wallet signs two grants; the relay submits them; the customer pays nothing. */
export async function stepGrants(j: Journey): Promise<void> {
  const f = j.brands.fashion;
  const eth = await j.chain.client.getBalance({ address: j.customer.address });
  j.say.fact("customer wallet", `${j.customer.address} (new key; ETH balance ${eth})`);
  const wanted = [
    { purpose: "in-store-recognition", categories: ["identity", "location", "device-identifiers"], what: "identity, location, device identifiers" },
    { purpose: "loyalty", categories: ["identity", "purchase-history"], what: "identity, purchase history" },
  ];
  const ops: string[] = [];
  let nonce = (await j.relay.getNonces({ address: j.customer.address })).ledger;
  for (const w of wanted) {
    const notice = f.notices[w.purpose]!;
    const { operation: a } = await j.relay.grant({ signer: j.customer, controller: f.address, purpose: w.purpose, categories: w.categories, noticeHash: notice.hash, nonce: nonce++ });
    ops.push(a.operationId);
    j.say.say(`signed Grant(${w.purpose}; ${w.what}; notice ${notice.hash.slice(0, 10)}… at ${notice.uri}) -> relay: 202, operation ${a.operationId} ${a.status}`);
  }
  const seen = new Set<string>();
  for (const id of ops) {
    const { tx } = await confirmed(j, id, "grantBySig via the relay (in a multicall)");
    if (!seen.has(tx.hash)) j.say.tx(tx);
    seen.add(tx.hash);
  }
  if (seen.size === 1) j.say.say("both signed grants travelled in one multicall transaction, paid by the relay");
  for (const w of wanted) await indexedConsent(j, f.address, w.purpose, true);
  for (const w of wanted) j.say.check(`isGranted(customer, ${f.name}, ${w.purpose}) is true on chain`, await isGranted(j, j.customer.address, f.address, w.purpose));
  const after = await j.chain.client.getBalance({ address: j.customer.address });
  j.say.check(`gasless: the customer's ETH balance is still ${after}`, after === 0n);
}

/** Step 3: the beacon sees the customer's app; the staff screen shows them. */
export async function stepPresence(j: Journey): Promise<void> {
  const f = j.brands.fashion;
  const beacon = f.devices["lumiere-beacon-entrance"]!;
  const since = j.staff.events.length;
  const t0 = performance.now();
  const answer = await postDeviceEvent(j.host.url, beacon, { eventId: eventId("presence"), kind: "presence", customer: { wallet: j.customer.address } });
  j.say.say(`beacon gateway -> POST ${`/v1/stores/${beacon.storeId}/events`} (Ed25519-signed): 202 ${answer.dropped ? `dropped: ${answer.dropped}` : "accepted"}`);
  const shown = await j.staff.next((c) => c.customer === j.customer.address.toLowerCase(), since);
  const ms = shown.at - t0;
  j.figures.presenceToStaffMs = ms.toFixed(1);
  j.say.fact("staff screen shows", `customer ${short(shown.data.customer)}, seen ${shown.data.seenAt}, last visit ${shown.data.lastVisit ?? "none (first visit)"}, ${shown.data.points} points`);
  j.say.check(`recognised on the staff stream ${ms.toFixed(0)} ms after the beacon's request`, !answer.dropped);
  const visits = await j.host.db.query<{ n: number }>("SELECT count(*)::int AS n FROM relay_visits WHERE subject = $1", [j.customer.address.toLowerCase()]);
  j.say.fact("database", `relay_visits holds ${visits.rows[0]!.n} visit of this customer (consented, erasable on request)`);
}

/** Step 4: a shopper who never consented: dropped, nothing stored about them. */
export async function stepNonConsenting(j: Journey): Promise<void> {
  const f = j.brands.fashion;
  const beacon = f.devices["lumiere-beacon-entrance"]!;
  const since = j.staff.events.length;
  const id = eventId("presence");
  const answer = await postDeviceEvent(j.host.url, beacon, { eventId: id, kind: "presence", customer: { wallet: j.shopper } });
  j.say.say(`beacon gateway -> presence of ${short(j.shopper)}: 202, dropped: ${answer.dropped ?? "(not dropped!)"}`);
  await new Promise((r) => setTimeout(r, 300));
  const streamed = j.staff.events.slice(since).some((e) => e.data.customer === j.shopper.toLowerCase());
  const found = await findEverywhere(j.host.db, addressNeedle(j.shopper));
  j.say.fact("database search", `${found.tables} tables searched for ${short(j.shopper)}: ${found.hits.length === 0 ? "no row anywhere" : found.hits.map((h) => `${h.table} (${h.rows})`).join(", ")}`);
  const kept = await j.host.db.query<{ kind: string; response: unknown }>("SELECT kind, response FROM relay_device_events WHERE event_id = $1", [id]);
  j.say.fact("what is kept", `the event id's answer for idempotency: ${JSON.stringify(kept.rows[0]?.response)}`);
  for (const line of await droppedCounters(j.host.url)) j.say.fact("metrics", line);
  j.say.check("dropped with no_consent", answer.dropped === "no_consent");
  j.say.check("never shown on the staff stream", !streamed);
  j.say.check("no row of the database holds the shopper's address", found.hits.length === 0);
}

/** Step 7: the customer walks in again (shown with last visit and points), revokes, and is dropped at once. */
export async function stepRevocation(j: Journey): Promise<string> {
  const f = j.brands.fashion;
  const beacon = f.devices["lumiere-beacon-entrance"]!;
  let since = j.staff.events.length;
  await postDeviceEvent(j.host.url, beacon, { eventId: eventId("presence"), kind: "presence", customer: { wallet: j.customer.address } });
  const shown = await j.staff.next((c) => c.customer === j.customer.address.toLowerCase(), since);
  j.say.fact("staff screen shows", `customer ${short(shown.data.customer)}, last visit ${shown.data.lastVisit}, ${shown.data.points} points`);

  const { operation: revoke } = await j.relay.revoke({ signer: j.customer, controller: f.address, purpose: "in-store-recognition" });
  j.say.say(`signed Revoke(in-store-recognition) -> relay: 202, operation ${revoke.operationId} ${revoke.status}`);
  since = j.staff.events.length;
  const answer = await postDeviceEvent(j.host.url, beacon, { eventId: eventId("presence"), kind: "presence", customer: { wallet: j.customer.address } });
  const opNow = await j.relay.getOperation({ operationId: revoke.operationId });
  j.say.say(`next presence, right after: 202, dropped: ${answer.dropped ?? "(not dropped!)"} (the revocation was ${opNow.status} at that moment)`);
  const { tx } = await confirmed(j, revoke.operationId, "revokeBySig via the relay");
  j.say.tx(tx);
  await indexedConsent(j, f.address, "in-store-recognition", false);
  await new Promise((r) => setTimeout(r, 200));
  j.say.check("the presence after the revocation was dropped at once", answer.dropped === "no_consent");
  j.say.check("the staff stream did not show the customer again", !j.staff.events.slice(since).some((e) => e.data.customer === j.customer.address.toLowerCase()));
  j.say.check("isGranted(in-store-recognition) is false on chain", !(await isGranted(j, j.customer.address, f.address, "in-store-recognition")));
  j.say.check("loyalty is still granted (revocation is per purpose)", await isGranted(j, j.customer.address, f.address, "loyalty"));
  return revoke.operationId;
}
