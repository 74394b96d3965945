import fs from "node:fs/promises";
import path from "node:path";
import { verifyReceipt } from "../../../client";
import { waitFor } from "../wait";
import { startWebhookReceiver } from "../webhookReceiver";
import type { Journey } from "./context";
import { addressNeedle, findEverywhere } from "./privacy";

/** Tables where the wallet's address stays inside the raw signed transactions the relay sent (as on chain). */
const RAW_TRANSACTIONS = new Set(["chain_transactions", "chain_transaction_attempts"]);

/**
 * The customer's rights: the receipt of their revocation verified against the chain (and a tampered copy
 * refused), everything the relay holds about them downloaded, then erased with a report; Maison Lumière's
 * systems learn of both requests at a webhook receiver the demo starts.
 */
export async function stepRights(j: Journey, revokeOperation: string): Promise<void> {
  const f = j.brands.fashion;
  const rx = await startWebhookReceiver();
  try {
    const endpoint = await j.relay.request<{ id: string; secret: string }>({
      method: "POST",
      path: "/v1/brand/webhooks/endpoints",
      bearer: f.relay.apiKey,
      body: { url: rx.url, description: "Maison Lumière CRM", eventTypes: ["data_request.received"] },
    });
    j.say.fact("webhook receiver", `${rx.url} (Maison Lumière's CRM, endpoint ${endpoint.id})`);

    const receipt = await j.relay.getReceipt({ operationId: revokeOperation, wait: 30_000 });
    const file = path.join(j.dir, "receipt.json");
    await fs.writeFile(file, `${JSON.stringify(receipt, null, 2)}\n`);
    j.say.say(`receipt of the revocation: ${receipt.recordId}, ${receipt.event.type} of ${receipt.purpose.name} at ${receipt.event.time}, tx ${receipt.evidence.transactionHash.slice(0, 12)}…, seq ${receipt.evidence.seq} (${file})`);
    const checked = await verifyReceipt({ client: j.chain.client, receipt });
    j.say.check(`the receipt verifies against the chain alone (${checked.checks.length} checks; also: npm run audit -- --rpc ${j.chain.url} --receipt ${file})`, checked.ok);
    const tampered = await verifyReceipt({ client: j.chain.client, receipt: { ...receipt, event: { ...receipt.event, time: "2020-01-01T00:00:00Z" } } });
    j.say.check(`a receipt with its time altered does not (${tampered.firstFailure?.field}: ${tampered.firstFailure?.message})`, !tampered.ok && tampered.firstFailure?.field === "event.time");

    const access = await j.relay.dataRequest({ signer: j.customer, kind: "access" });
    if (access.kind !== "access") throw new Error("expected an access answer");
    const held = Object.entries(access.data).filter(([, t]) => t.rows.length > 0);
    j.say.say(`signed DataRequest(access, all brands) -> ${held.map(([t, x]) => `${t} ${x.rows.length}`).join(", ")}`);
    j.say.check("the access answer holds the customer's visits and purchases", (access.data.relay_visits?.rows.length ?? 0) > 0 && (access.data.relay_purchases?.rows.length ?? 0) > 0);

    const erased = await j.relay.dataRequest({ signer: j.customer, kind: "erase" });
    if (erased.kind !== "erase") throw new Error("expected an erasure report");
    const r = erased.report;
    j.say.say(`signed DataRequest(erase, all brands) -> erased ${Object.entries(r.erased).map(([t, n]) => `${t} ${n}`).join(", ")}`);
    for (const k of r.kept) j.say.fact(`  kept ${k.table} (${k.rows})`, k.reason);
    j.say.fact("  on chain", r.onChain);
    const found = await findEverywhere(j.host.db, addressNeedle(j.customer.address));
    const kept = new Set(r.kept.map((k) => k.table));
    const unexplained = found.hits.filter((x) => !kept.has(x.table) && !RAW_TRANSACTIONS.has(x.table)).map((x) => x.table);
    j.say.check(`searched ${found.tables} tables: the wallet stays only where the report says (and in the signed transactions, as on chain)`, unexplained.length === 0);
    j.say.check("no visit, scan or card link of the customer is left", !found.hits.some((x) => ["relay_visits", "relay_scans", "relay_card_links"].includes(x.table)));

    const hooks = await waitFor(async () => (rx.received.length >= 2 ? rx.received : undefined), "two data_request.received webhooks", 30_000);
    for (const h of hooks) j.say.say(`webhook ${h.type} at the receiver: ${h.data.kind} request ${String(h.data.requestId).slice(0, 8)}… (signature ${rx.verify(endpoint.secret, h) ? "valid" : "INVALID"})`);
    j.say.check("Maison Lumière's receiver got both requests, signed", hooks.map((h) => h.data.kind).join(",") === "access,erase" && hooks.every((h) => rx.verify(endpoint.secret, h)));
  } finally {
    await rx.close();
  }
}
