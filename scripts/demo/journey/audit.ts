import { createPublicClient, http, type Address, type PublicClient } from "viem";
import { fetchControllerHistory } from "../../../server/audit/chainHistory";
import { compareExport, describeDiscrepancy } from "../../../server/audit/compareExport";
import { parseExport, toExportRecord, toJsonExport, type ExportRecord } from "../../../server/audit/exportFormat";
import { verifyHistory } from "../../../server/audit/verify";
import { RelayHttpError } from "../errors";
import { relayJson } from "../relayClient";
import type { Journey } from "./context";

/** The brand's history export as the relay's audit API hands it over (JSON text), or undefined without that API. */
async function brandExport(j: Journey, controller: Address): Promise<string | undefined> {
  try {
    const { body } = await relayJson<{ records: ExportRecord[] }>(j.host.url, "GET", `/v1/audit/controllers/${controller}/history?limit=1000`);
    return toJsonExport(controller, body.records);
  } catch (err) {
    if (err instanceof RelayHttpError && err.status === 404) return undefined;
    throw err;
  }
}

/** Step 8: an auditor with nothing but the RPC URL verifies the fashion brand's history and catches a tampered export. */
export async function stepAudit(j: Journey): Promise<void> {
  const f = j.brands.fashion;
  const { deployment } = j.coalition;
  const auditor = createPublicClient({ transport: http(j.chain.url, { retryCount: 0 }) }) as PublicClient;
  const t0 = performance.now();
  const history = await fetchControllerHistory({ client: auditor, ledger: deployment.ledger, controller: f.address, fromBlock: BigInt(deployment.deployBlock) });
  const v = verifyHistory(history.records, history.onChain);
  const ms = performance.now() - t0;
  j.say.say(`auditor reads ConsentLedger logs from ${j.chain.url} (no relay, no database) and recomputes the history chain`);
  j.say.fact("history", `${v.summary.actions} actions: ${v.summary.grants} grants, ${v.summary.revocations} revocations, ${v.summary.revokeAlls} revoke-alls, ${v.summary.subjects} subject(s)`);
  j.say.fact("recomputed head", `${v.recomputed.head} (length ${v.recomputed.length})`);
  j.say.fact("historyHead on chain", `${v.onChain.head} (length ${v.onChain.length})`);
  j.say.check(`the chain of records equals historyHead (${ms.toFixed(0)} ms)`, v.verified);

  const fromApi = await brandExport(j, f.address);
  const honest = fromApi ?? toJsonExport(f.address, history.records.map(toExportRecord));
  j.say.say(fromApi ? "the brand hands over its export from the relay's audit API" : "the brand hands over an export of its history (relay audit API not available: built from the same logs)");
  const honestCheck = compareExport(history.records, parseExport(honest, f.address));
  j.say.check("the honest export matches the chain record for record", honestCheck.length === 0);

  // The brand hides the customer's revocation from the export.
  const parsed = JSON.parse(honest) as { controller: string; records: ExportRecord[] };
  const hidden = parsed.records.findIndex((r) => r.action === "revoke");
  const tampered = toJsonExport(f.address, parsed.records.filter((_, i) => i !== hidden));
  j.say.say(`tampered export: record ${hidden + 1} (the customer's revocation) removed`);
  const records = parseExport(tampered, f.address);
  const found = compareExport(history.records, records);
  const recomputed = verifyHistory(records, history.onChain);
  for (const d of found) j.say.fact("discrepancy", describeDiscrepancy(d));
  j.say.check("the tampered export fails against historyHead", !recomputed.verified);
  j.say.check("the omitted revocation is located", found.some((d) => d.kind === "omitted" && d.position === hidden + 1));
}
