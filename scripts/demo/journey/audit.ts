import { runAudit } from "../../../server/audit/auditor";
import { describeDiscrepancy } from "../../../server/audit/compareExport";
import { DemoCheckError } from "../errors";
import type { Journey } from "./context";

/** The brand's consent history export as the relay's audit API hands it over (CSV). */
async function brandExportCsv(j: Journey): Promise<string> {
  const res = await fetch(`${j.host.url}/v1/audit/controllers/${j.brands.fashion.address}/history?format=csv&limit=10000`);
  if (!res.ok) throw new DemoCheckError(`audit API answered ${res.status}: ${await res.text()}`);
  return res.text();
}

/** Step 8: an auditor with nothing but the RPC URL verifies the fashion brand's history and catches a tampered export. */
export async function stepAudit(j: Journey): Promise<void> {
  const f = j.brands.fashion;
  const { deployment } = j.coalition;
  const base = { rpcUrl: j.chain.url, ledger: deployment.ledger, controller: f.address, fromBlock: BigInt(deployment.deployBlock) };
  j.say.say(`auditor: npm run audit -- --rpc ${j.chain.url} --ledger ${deployment.ledger} --controller ${f.address}`);
  j.say.say("(the auditor's engine, server/audit/auditor.ts: ConsentLedger logs from the endpoint, no relay, no database)");
  const t0 = performance.now();
  const report = await runAudit(base);
  const ms = performance.now() - t0;
  const s = report.chain.summary;
  j.say.fact("history", `${s.actions} actions: ${s.grants} grants, ${s.revocations} revocations, ${s.revokeAlls} revoke-alls, ${s.subjects} subject(s)`);
  j.say.fact("recomputed head", `${report.chain.recomputed.head} (length ${report.chain.recomputed.length})`);
  j.say.fact("historyHead on chain", `${report.chain.onChain.head} (length ${report.chain.onChain.length})`);
  j.say.check(`the records recompute to historyHead (${ms.toFixed(0)} ms)`, report.ok && report.chain.verified);

  const honest = await brandExportCsv(j);
  const lines = honest.trimEnd().split("\n");
  j.say.say(`the brand hands over its export: GET /v1/audit/controllers/${f.address}/history?format=csv (${lines.length - 1} records)`);
  const honestReport = await runAudit({ ...base, exportText: honest });
  j.say.check("the honest export is complete, unaltered and in chain order", honestReport.export?.ok === true);

  // The brand hides the customer's revocation from what it hands over.
  const hidden = lines.findIndex((l, i) => i > 0 && l.split(",")[1] === "revoke");
  const tampered = lines.filter((_, i) => i !== hidden).join("\n") + "\n";
  j.say.say(`tampered export: record ${hidden} (the customer's revocation) left out`);
  const caught = await runAudit({ ...base, exportText: tampered });
  for (const d of caught.export?.discrepancies ?? []) j.say.fact("discrepancy", describeDiscrepancy(d));
  j.say.fact("export recomputes to", `${caught.export?.verification.recomputed.head} (length ${caught.export?.verification.recomputed.length}): not historyHead`);
  j.say.check("the tampered export is rejected", caught.export?.ok === false && !caught.ok);
  j.say.check("the omitted revocation is located", (caught.export?.discrepancies ?? []).some((d) => d.kind === "omitted" && d.position === hidden));
}
