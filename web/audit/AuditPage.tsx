import { useContext, useEffect, useId, useMemo, useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { useLocation } from "wouter";
import { isAddress, type Address } from "viem";
import type { AuditReport, ConsentReceipt, ControllerSeen, HistoryRecord, VerifyReceiptReturnType } from "../../client/audit";
import { describeEndpoint } from "../../client/audit/endpoint";
import { auditReportDocument, receiptReportDocument } from "../../client/audit/reportDocument";
import { Notice } from "../common/components/Notice";
import { getBrands } from "../../client/actions/getBrands";
import { relay } from "../common/relay";
import { ChainContext } from "../common/wallet/ChainProvider";
import { ConsentPanel, type ConsentAsk } from "./ConsentPanel";
import { ExportPanel } from "./ExportPanel";
import { useAuditText } from "./messages";
import { ReceiptPanel } from "./ReceiptPanel";
import { ReportView } from "./ReportView";
import { Timeline } from "./Timeline";
import { useAuditWorker } from "./useAuditWorker";
import type { AuditProgress } from "./auditProtocol";
import "./audit.css";

interface Source {
  rpcUrl: string;
  ledger: Address;
  fromBlock: bigint;
}

type Verification =
  | { status: "idle" }
  | { status: "running"; progress: AuditProgress | null }
  | { status: "failed"; message: string }
  | { status: "done"; report: AuditReport; records: HistoryRecord[]; elapsedMs: number; exportName?: string };

const isHttpUrl = (v: string) => /^https?:\/\/\S+$/i.test(v);

/**
 * The auditor's page (route `/audit`, `/audit/<controller>`): verifies a brand's consent history from a
 * JSON-RPC endpoint and the ledger's address alone, in a worker; shows the timeline; checks an export;
 * answers whether a consent was active at a time; verifies a receipt; prints a report. The relay that
 * serves the page may prefill the endpoint, the ledger and the first block (GET /v1/config) and name the
 * brands' purposes (GET /v1/brands); nothing else comes from it.
 */
export default function AuditPage() {
  const { t, formatNumber } = useAuditText();
  const ids = useId();
  const chain = useContext(ChainContext);
  const worker = useAuditWorker();
  const relayConfig = chain.status === "ready" ? chain.config : null;
  const brands = useQuery({ queryKey: ["relay", "brands"], queryFn: ({ signal }) => getBrands(relay, { signal }), staleTime: 60_000, enabled: relayConfig !== null, retry: false });
  const [path] = useLocation(); // inside the room's nest: "/<controller>" for /audit/<controller>
  const fromPath = path.split("/")[1] ?? "";
  const query = new URLSearchParams(typeof location === "undefined" ? "" : location.search);

  const [rpcUrl, setRpcUrl] = useState(query.get("rpc") ?? "");
  const [ledger, setLedger] = useState(query.get("ledger") ?? "");
  const [fromBlock, setFromBlock] = useState(query.get("from") ?? "");
  const [txUrl, setTxUrl] = useState(query.get("explorer") ?? "");
  const [controller, setController] = useState(query.get("controller") ?? (isAddress(fromPath) ? fromPath : ""));
  const [prefilled, setPrefilled] = useState(false);
  const [invalid, setInvalid] = useState<Set<string>>(new Set());
  const [controllers, setControllers] = useState<{ status: "idle" | "loading" } | { status: "done"; list: ControllerSeen[] } | { status: "failed"; message: string }>({ status: "idle" });
  const [verification, setVerification] = useState<Verification>({ status: "idle" });
  const [consent, setConsent] = useState<AuditReport["consentAt"]>();
  const [exportCheck, setExportCheck] = useState<{ check: AuditReport["export"]; name: string }>();
  const [receipt, setReceipt] = useState<{ receipt: ConsentReceipt; result: VerifyReceiptReturnType }>();

  // Prefill once from the relay that serves the page, without overwriting what the auditor typed.
  useEffect(() => {
    if (!relayConfig || prefilled) return;
    setPrefilled(true);
    if (!rpcUrl && relayConfig.rpcUrl) setRpcUrl(relayConfig.rpcUrl);
    if (!ledger) setLedger(relayConfig.ledger);
    if (!fromBlock) setFromBlock(String(relayConfig.deployBlock));
  }, [relayConfig, prefilled, rpcUrl, ledger, fromBlock]);

  const purposes = useMemo(
    () => (brands.data ?? []).filter((b) => !controller || b.address.toLowerCase() === controller.toLowerCase()).flatMap((b) => b.purposes.map((p) => ({ id: p.id, name: p.name ?? null }))),
    [brands.data, controller],
  );
  const brandName = (address: string) => brands.data?.find((b) => b.address.toLowerCase() === address.toLowerCase())?.name ?? address;

  const readSource = (needController: boolean): (Source & { controller: Address }) | null => {
    const bad = new Set<string>();
    if (!isHttpUrl(rpcUrl)) bad.add("rpc");
    if (!isAddress(ledger)) bad.add("ledger");
    if (fromBlock && !/^\d+$/.test(fromBlock)) bad.add("from");
    if (needController && !isAddress(controller)) bad.add("controller");
    setInvalid(bad);
    if (bad.size) return null;
    return { rpcUrl, ledger: ledger as Address, fromBlock: BigInt(fromBlock || "0"), controller: controller as Address };
  };

  const findControllers = async () => {
    const source = readSource(false);
    if (!source) return;
    setControllers({ status: "loading" });
    try {
      const list = await worker().run({ kind: "controllers", rpcUrl: source.rpcUrl, ledger: source.ledger, fromBlock: source.fromBlock });
      setControllers({ status: "done", list });
      if (!controller && list.length) setController(list[0].controller);
    } catch (err) {
      setControllers({ status: "failed", message: (err as Error).message });
    }
  };

  const verify = async (e: FormEvent) => {
    e.preventDefault();
    const source = readSource(true);
    if (!source) return;
    setVerification({ status: "running", progress: null });
    setConsent(undefined);
    setExportCheck(undefined);
    try {
      const { report, history, elapsedMs } = await worker().run(
        { kind: "audit", rpcUrl: source.rpcUrl, ledger: source.ledger, controller: source.controller, fromBlock: source.fromBlock },
        (progress) => setVerification({ status: "running", progress }),
      );
      setVerification({ status: "done", report, records: history.records, elapsedMs });
    } catch (err) {
      setVerification({ status: "failed", message: (err as Error).message });
    }
  };

  const done = verification.status === "done" ? verification : null;
  const fullReport = useMemo<AuditReport | null>(() => {
    if (!done) return null;
    const r: AuditReport = { ...done.report, consentAt: consent ?? undefined };
    if (exportCheck?.check) {
      r.export = exportCheck.check;
      r.ok = done.report.chain.verified && exportCheck.check.ok;
    }
    return r;
  }, [done, consent, exportCheck]);
  const names = { purposes, txUrl: txUrl || undefined };
  const reportDoc = fullReport ? auditReportDocument(fullReport, { exportName: exportCheck?.name, names }) : null;
  const receiptDoc = receipt ? receiptReportDocument(receipt.receipt, receipt.result, { endpoint: describeEndpoint(rpcUrl), names }) : null;

  const field = (name: string, label: string, value: string, set: (v: string) => void, error: string, help?: string, extra: Record<string, unknown> = {}) => {
    const bad = invalid.has(name);
    const describedBy = [help ? `${ids}-${name}-help` : "", bad ? `${ids}-${name}-err` : ""].filter(Boolean).join(" ") || undefined;
    return (
      <>
        <label htmlFor={`${ids}-${name}`}>{label}</label>
        <input id={`${ids}-${name}`} value={value} onChange={(e) => set(e.target.value.trim())} spellCheck={false} autoComplete="off" aria-invalid={bad} aria-describedby={describedBy} {...extra} />
        {help ? (
          <p id={`${ids}-${name}-help`} className="help">
            {help}
          </p>
        ) : null}
        {bad ? (
          <p id={`${ids}-${name}-err`} className="field-error">
            {error}
          </p>
        ) : null}
      </>
    );
  };

  return (
    <div className="audit-room">
      <div className="no-print">
        <h1>{t("title")}</h1>
        <p className="lead">{t("intro")}</p>

        <form className="card" aria-labelledby="source-title" onSubmit={verify} noValidate>
          <h2 id="source-title">{t("source.title")}</h2>
          {prefilled ? <p className="muted">{t("source.prefilled")}</p> : null}
          {field("rpc", t("source.rpc"), rpcUrl, setRpcUrl, t("source.invalidUrl"), t("source.rpcHelp"), { type: "url", inputMode: "url" })}
          {field("ledger", t("source.ledger"), ledger, setLedger, t("source.invalidAddress"))}
          {field("from", t("source.fromBlock"), fromBlock, setFromBlock, t("source.invalidBlock"), undefined, { inputMode: "numeric" })}
          {field("explorer", t("source.explorer"), txUrl, setTxUrl, "", t("source.explorerHelp"), { type: "url", inputMode: "url" })}

          <h2>{t("brand.title")}</h2>
          <div className="buttons">
            <button type="button" onClick={() => void findControllers()} disabled={controllers.status === "loading"}>
              {t("brand.find")}
            </button>
          </div>
          {controllers.status === "loading" ? <Notice>{t("brand.finding")}</Notice> : null}
          {controllers.status === "failed" ? <Notice tone="error">{t("result.failed", { message: controllers.message })}</Notice> : null}
          {controllers.status === "done" && controllers.list.length === 0 ? <p className="empty">{t("brand.none")}</p> : null}
          {controllers.status === "done" && controllers.list.length > 0 ? (
            <>
              <label htmlFor={`${ids}-pick`}>{t("brand.pick")}</label>
              <select id={`${ids}-pick`} value={controller.toLowerCase()} onChange={(e) => setController(e.target.value)}>
                {controllers.list.map((c) => (
                  <option key={c.controller} value={c.controller.toLowerCase()}>
                    {t("brand.option", { name: brandName(c.controller), actions: formatNumber(c.actions), purposes: c.purposes })}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          {field("controller", t("brand.address"), controller, setController, t("source.invalidAddress"))}
          <button type="submit" className="primary" disabled={verification.status === "running"}>
            {t("brand.verify")}
          </button>
        </form>

        {verification.status === "running" ? (
          <Notice>
            {verification.progress === null
              ? t("progress.start")
              : verification.progress.phase === "logs"
                ? t("progress.logs", { done: verification.progress.done, total: verification.progress.total, records: verification.progress.records })
                : t("progress.blocks", { done: verification.progress.done, total: verification.progress.total })}
          </Notice>
        ) : null}
        {verification.status === "failed" ? <Notice tone="error">{t("result.failed", { message: verification.message })}</Notice> : null}
        {done ? (
          <section className="card" aria-labelledby="result-title">
            <h2 id="result-title" className="visually-hidden">
              {t("brand.verify")}
            </h2>
            <Notice tone={done.report.chain.verified ? "success" : "error"}>
              <p>
                <strong data-testid="history-result">
                  {done.report.chain.verified ? t("result.verified", { count: formatNumber(done.report.chain.summary.actions) }) : t("result.notVerified")}
                </strong>
              </p>
              <p data-testid="history-took" data-ms={Math.round(done.elapsedMs)}>
                {t("result.took", { seconds: (done.elapsedMs / 1000).toFixed(2), block: String(done.report.toBlock) })}
              </p>
            </Notice>
            <dl className="facts">
              <dt>{t("result.recomputed")}</dt>
              <dd className="hash">
                {done.report.chain.recomputed.head} ({String(done.report.chain.recomputed.length)})
              </dd>
              <dt>{t("result.onChain")}</dt>
              <dd className="hash">
                {done.report.chain.onChain.head} ({String(done.report.chain.onChain.length)})
              </dd>
              <dt>{t("result.block")}</dt>
              <dd className="hash">
                {String(done.report.toBlock)} {done.report.toBlockHash}
              </dd>
            </dl>
            <p>
              {t("result.counts", {
                grants: formatNumber(done.report.chain.summary.grants),
                revocations: formatNumber(done.report.chain.summary.revocations),
                revokeAlls: formatNumber(done.report.chain.summary.revokeAlls),
                subjects: formatNumber(done.report.chain.summary.subjects),
                purposes: formatNumber(done.report.chain.summary.purposes),
              })}
            </p>
            <h2 id="timeline-title">{t("timeline.title")}</h2>
            <Timeline records={done.records} purposes={purposes} txUrl={txUrl} />
          </section>
        ) : null}
        {done ? (
          <ExportPanel
            onCheck={async (files) => {
              const texts = await Promise.all(files.map((f) => f.text()));
              const check = await worker().run({ kind: "export", texts });
              setExportCheck({ check, name: files.map((f) => f.name).join(", ") });
              return check;
            }}
          />
        ) : null}
        {done ? (
          <ConsentPanel
            key={done.report.controller}
            purposeIds={done.report.chain.summary.purposeIds}
            purposes={purposes}
            txUrl={txUrl}
            onAsk={async (q: ConsentAsk) => {
              const answer = await worker().run({ kind: "consentAt", ...q });
              setConsent(answer);
              return answer;
            }}
          />
        ) : null}
        <ReceiptPanel
          onVerify={async (text) => {
            if (!isHttpUrl(rpcUrl)) {
              setInvalid(new Set(["rpc"]));
              throw new Error(t("source.invalidUrl"));
            }
            const r = await worker().run({ kind: "receipt", rpcUrl, receiptText: text });
            setReceipt(r);
            return r;
          }}
        />
      </div>
      {reportDoc || receiptDoc ? (
        <section className="card audit-report" aria-labelledby="report-title">
          <div className="no-print">
            <h2 id="report-title">{t("report.title")}</h2>
            <p className="muted">{t("report.intro")}</p>
            <button type="button" className="primary" onClick={() => window.print()}>
              {t("report.print")}
            </button>
          </div>
          {reportDoc ? <ReportView doc={reportDoc} /> : null}
          {receiptDoc ? <ReportView doc={receiptDoc} /> : null}
        </section>
      ) : null}
    </div>
  );
}
